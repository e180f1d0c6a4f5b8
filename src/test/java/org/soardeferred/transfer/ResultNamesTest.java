package org.soardeferred.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ResultNamesTest {

    private static final String NO_HINT = "http://dachs.example.org/tap/async/x1y2/results/result";

    @Test
    void theContentDispositionFileNameComesFirst() {
        assertThat(ResultNames.extension(NO_HINT, "application/octet-stream", "attachment; filename=\"cube.fits\""))
                .isEqualTo(".fits");
        assertThat(ResultNames.extension("http://h/img.png", "text/plain", "attachment; filename=table.CSV")).isEqualTo(".csv");
        assertThat(ResultNames.extension(NO_HINT, null, "attachment; filename*=UTF-8''spectrum.fits.gz")).isEqualTo(".fits.gz");
    }

    @Test
    void thenTheLastSegmentOfTheResultUrl() {
        assertThat(ResultNames.extension("http://casda.csiro.au/download/web/111/askap_img.fits", null, null)).isEqualTo(".fits");
        assertThat(ResultNames.extension("http://casda.csiro.au/download/web/111/askap_img.fits.checksum", null, null))
                .isEqualTo(".checksum");
        assertThat(ResultNames.extension("https://s.example.org/b/selavy.components.xml?X-Amz-Signature=a.b&c=d.zip", null,
                "inline")).isEqualTo(".xml");
        assertThat(ResultNames.extension("http://h/pkg/x.tar.gz", "text/plain", null)).isEqualTo(".tar.gz");
    }

    @Test
    void thenTheContentType() {
        assertThat(ResultNames.extension(NO_HINT, "application/x-votable+xml;content=datatable", null)).isEqualTo(".vot.xml");
        assertThat(ResultNames.extension(NO_HINT, "text/xml;content=x-votable", null)).isEqualTo(".vot.xml");
        assertThat(ResultNames.extension(NO_HINT, "text/csv; charset=utf-8", null)).isEqualTo(".csv");
        assertThat(ResultNames.extension(NO_HINT, "IMAGE/FITS", null)).isEqualTo(".fits");
    }

    @Test
    void withoutAnyHintItStaysTarGz() {
        assertThat(ResultNames.extension(NO_HINT, null, null)).isEqualTo(".tar.gz");
        assertThat(ResultNames.extension(NO_HINT, "application/x-unheard-of", "attachment")).isEqualTo(".tar.gz");
        assertThat(ResultNames.extension("not a url", null, null)).isEqualTo(".tar.gz");
    }

    @Test
    void namesThatAreNotExtensionsAreIgnored() {
        // a dot file, a trailing dot, a 'extension' too long to be one, path traversal in the header
        assertThat(ResultNames.extension("http://h/r/.hidden", "text/csv", null)).isEqualTo(".csv");
        assertThat(ResultNames.extension("http://h/r/name.", "text/csv", null)).isEqualTo(".csv");
        assertThat(ResultNames.extension("http://h/r/a.verylongextension", "text/csv", null)).isEqualTo(".csv");
        assertThat(ResultNames.extension(NO_HINT, "text/csv", "attachment; filename=\"../../etc/passwd\"")).isEqualTo(".csv");
        assertThat(ResultNames.extension(NO_HINT, null, "attachment; filename=\"../x/evil.sh\"")).isEqualTo(".sh");
    }
}
