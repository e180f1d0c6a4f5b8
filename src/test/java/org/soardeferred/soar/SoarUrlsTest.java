package org.soardeferred.soar;

import java.net.URI;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SoarUrlsTest {

    private final SoarUrls urls = new SoarUrls("https://soar.esac.esa.int/soar-sl-tap");

    @Test
    void theSessionCookieHostIsSoarsHostWhateverThePort() {
        assertThat(urls.isSoarHost(URI.create("http://SOAR.esac.esa.int:8080/x"))).isTrue();
        assertThat(urls.isSoarHost(URI.create("https://soar.esac.esa.int.evil.org/x"))).isFalse();
    }

    @Test
    void soarsServiceIsItsHostAndPort() {
        assertThat(urls.isSoarService(URI.create("https://soar.esac.esa.int/soar-sl-tap/tap/async/1/results/r"))).isTrue();
        assertThat(urls.isSoarService(URI.create("https://soar.esac.esa.int:443/x"))).isTrue();
        assertThat(urls.isSoarService(URI.create("http://soar.esac.esa.int:8080/x"))).isFalse();
        assertThat(urls.isSoarService(URI.create("https://dachs.example.org/x"))).isFalse();
        // on one machine, another UWS server is not SOAR
        SoarUrls local = new SoarUrls("http://127.0.0.1:8000/soar-sl-tap");
        assertThat(local.isSoarService(URI.create("http://127.0.0.1:8000/soar-sl-tap/tap/async/1"))).isTrue();
        assertThat(local.isSoarService(URI.create("http://127.0.0.1:8080/stars/q/cone/async/x/results/result"))).isFalse();
    }

    @Test
    void anAttachableRequestKeepsItsNameAndTargetWithTheUrlUpgradedToHttps() {
        var request = org.soardeferred.soar.SoarRequest.attach("epd", "http://soar.esac.esa.int/soar-sl-tap/tap/async/1651071708120OPE")
                .withTarget("s3://archive/solo");

        var attachable = urls.attachable(request);

        assertThat(attachable.jobUrl()).isEqualTo("https://soar.esac.esa.int/soar-sl-tap/tap/async/1651071708120OPE");
        assertThat(attachable.name()).isEqualTo("epd");
        assertThat(attachable.target()).isEqualTo("s3://archive/solo");
    }
}
