package org.soardeferred.request;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.soardeferred.common.InvalidRequestException;
import org.soardeferred.soar.SoarRequest;
import org.soardeferred.soar.SoarUrls;
import org.soardeferred.uws.Phase;
import org.soardeferred.uws.UwsJob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class QueryFileReaderTest {

    private static final long MAX_BYTES = 1024;
    private static final String ID_1 = "solo_L2_epd-ept-north-rates_20200820";
    private static final String ID_2 = "solo_L2_epd-sis-a-rates-slow_20200615";
    private static final String ID_LL = "solo_LL02_swa-pas-mom_20240306T000320-20240306T192316";
    private static final String QUERY =
            "SELECT filepath,filename FROM soar.v_sc_repository_file WHERE filename='solo_L2_epd-sis-a-rates-slow_20200615_V05.cdf'";

    @TempDir
    Path dir;

    private final QueryFileReader reader = new QueryFileReader(MAX_BYTES);

    private String write(String fileName, String content) {
        return write(fileName, content.getBytes(StandardCharsets.UTF_8));
    }

    private String write(String fileName, byte[] content) {
        try {
            Path file = dir.resolve(fileName);
            Files.write(file, content);
            return file.toString();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private SoarRequest read(String fileName, String content) {
        return reader.read(write(fileName, content));
    }

    private String rejection(String path) {
        InvalidRequestException e = catchThrowableOfType(InvalidRequestException.class, () -> reader.read(path));
        assertThat(e).as("an InvalidRequestException for %s", path).isNotNull();
        return e.getMessage();
    }

    private String rejection(String fileName, String content) {
        return rejection(write(fileName, content));
    }

    private String rejection(String fileName, byte[] content) {
        return rejection(write(fileName, content));
    }

    // ---------------------------------------------------------------- .ids and .txt

    @Nested
    class IdFiles {

        @Test
        void oneIdPerLineGivesTheIdsInFileOrderWithDefaultTypes() {
            SoarRequest request = read("north.ids", ID_1 + "\n" + ID_2 + "\n" + ID_LL + "\n");

            assertThat(request.name()).isEqualTo("north");
            assertThat(request.dataItemIds()).containsExactly(ID_1, ID_2, ID_LL);
            assertThat(request.query()).isNull();
            assertThat(request.productType()).isEqualTo("SCIENCE");
            assertThat(request.retrievalType()).isEqualTo("PRODUCT");
        }

        @Test
        void commaSeparatedIdsOnOneLineAreSplitAndTrimmed() {
            SoarRequest request = read("a.ids", ID_1 + " , " + ID_2 + ",\t" + ID_LL);

            assertThat(request.dataItemIds()).containsExactly(ID_1, ID_2, ID_LL);
        }

        @Test
        void mixedLinesAndCommasWithBlankLinesGiveAllIds() {
            SoarRequest request = read("a.ids", "\n\n  " + ID_1 + ", " + ID_2 + "  \n\n   \n" + ID_LL + ",\n,\n");

            assertThat(request.dataItemIds()).containsExactly(ID_1, ID_2, ID_LL);
        }

        @Test
        void wholeLineAndTrailingHashCommentsAreIgnored() {
            SoarRequest request = read("a.ids", """
                    # EPD rates for August 2020
                      # indented comment, solo_L2_not-an-id_20200101
                    %s   # the north telescope
                    %s,#%s
                    """.formatted(ID_1, ID_2, ID_LL));

            assertThat(request.dataItemIds()).containsExactly(ID_1, ID_2);
        }

        @Test
        void duplicateIdsAreRemovedKeepingTheFirstOccurrenceOrder() {
            SoarRequest request = read("a.ids", ID_2 + "\n" + ID_1 + "\n" + ID_2 + "," + ID_1 + "\n  " + ID_2 + "  \n");

            assertThat(request.dataItemIds()).containsExactly(ID_2, ID_1);
        }

        @Test
        void crlfLineEndingsAreHandled() {
            SoarRequest request = read("windows.ids", "# comment\r\n" + ID_1 + "\r\n\r\n" + ID_2 + "\r\n");

            assertThat(request.dataItemIds()).containsExactly(ID_1, ID_2);
        }

        @Test
        void utf8ByteOrderMarkIsIgnored() {
            byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
            byte[] text = (ID_1 + "\n" + ID_2 + "\n").getBytes(StandardCharsets.UTF_8);
            byte[] content = new byte[bom.length + text.length];
            System.arraycopy(bom, 0, content, 0, bom.length);
            System.arraycopy(text, 0, content, bom.length, text.length);

            SoarRequest request = reader.read(write("bom.ids", content));

            assertThat(request.dataItemIds()).containsExactly(ID_1, ID_2);
        }

        @Test
        void txtFileIsReadLikeAnIdsFile() {
            String content = "# comment\n" + ID_1 + ", " + ID_2 + "\r\n" + ID_1 + " # again\n";

            SoarRequest txt = read("list.txt", content);
            SoarRequest ids = read("list.ids", content);

            assertThat(txt).isEqualTo(ids);
            assertThat(txt.name()).isEqualTo("list");
            assertThat(txt.dataItemIds()).containsExactly(ID_1, ID_2);
        }

        @Test
        void idWithPlusAndDotIsAccepted() {
            SoarRequest request = read("a.ids", "solo_L1_a+b.c_20200101");

            assertThat(request.dataItemIds()).containsExactly("solo_L1_a+b.c_20200101");
        }

        @Test
        void upperCaseExtensionIsAcceptedAndNameIsTheFileNameWithoutExtension() {
            SoarRequest request = read("EPD.August.IDS", ID_1);

            assertThat(request.name()).isEqualTo("EPD.August");
            assertThat(request.dataItemIds()).containsExactly(ID_1);
        }

        @Test
        void fileOfExactlyMaxBytesIsAccepted() {
            String content = ID_1 + "\n" + "#".repeat((int) MAX_BYTES - ID_1.length() - 1);
            assertThat(content.getBytes(StandardCharsets.UTF_8)).hasSize((int) MAX_BYTES);

            assertThat(read("a.ids", content).dataItemIds()).containsExactly(ID_1);
        }
    }

    // ---------------------------------------------------------------- .adql

    @Nested
    class JobLinkFiles {

        @Test
        void aJobFileHoldsTheFirstUrlThatIsNotACommentTrimmed() {
            SoarRequest request = read("email.job", "# from the e-mail of 27 April\n\n   http://soar.esac.esa.int/soar-sl-tap/tap/async/1651071708120OPE  \n");

            assertThat(request.name()).isEqualTo("email");
            assertThat(request.jobUrl()).isEqualTo("http://soar.esac.esa.int/soar-sl-tap/tap/async/1651071708120OPE");
            assertThat(request.dataItemIds()).isEmpty();
            assertThat(request.query()).isNull();
            assertThat(request.describe()).isEqualTo("the existing job http://soar.esac.esa.int/soar-sl-tap/tap/async/1651071708120OPE");
        }

        @Test
        void aUrlFileIsTheSameAsAJobFile() {
            assertThat(read("link.url", "https://example.org/tap/async/42").jobUrl()).isEqualTo("https://example.org/tap/async/42");
        }

        @Test
        void theHttpAndHttpsLinksToOneJobAreTheSameRequest() {
            assertThat(SoarRequest.attach("a", "http://soar.esac.esa.int/soar-sl-tap/tap/async/1OPE").idempotencyKey())
                    .isEqualTo(SoarRequest.attach("b", "https://soar.esac.esa.int/soar-sl-tap/tap/async/1OPE/").idempotencyKey())
                    .isNotEqualTo(SoarRequest.attach("c", "https://soar.esac.esa.int/soar-sl-tap/tap/async/2OPE").idempotencyKey());
        }

        @Test
        void aJobFileWithoutAUrlOrWithSomethingElseIsRejected() {
            assertThat(rejection("empty.job", "# nothing here\n\n")).isEqualTo("the file names no job URL");
            assertThat(rejection("ftp.job", "ftp://example.org/job/1")).contains("is not an http(s) job URL");
            assertThat(rejection("escape.job", "https://soar.esac.esa.int/soar-sl-tap/tap/async/%zz"))
                    .contains("is not a valid URL").contains("Malformed escape pair");
        }
    }

    @Nested
    class AdqlFiles {

        @Test
        void multiLineQueryIsKeptAndStripped() {
            String query = """
                    SELECT filepath, filename
                      FROM soar.v_sc_repository_file
                     WHERE filename = 'solo_L2_epd-sis-a-rates-slow_20200615_V05.cdf'""";

            SoarRequest request = read("version5.adql", "\n\n  " + query + "\n\n");

            assertThat(request.name()).isEqualTo("version5");
            assertThat(request.query()).isEqualTo(query);
            assertThat(request.dataItemIds()).isEmpty();
            assertThat(request.productType()).isEqualTo("SCIENCE");
            assertThat(request.retrievalType()).isEqualTo("PRODUCT");
        }

        @Test
        void lowerCaseSelectIsAccepted() {
            assertThat(read("q.adql", "select filepath, filename from soar.v_sc_data_item").query())
                    .isEqualTo("select filepath, filename from soar.v_sc_data_item");
        }

        @Test
        void queryWithCrlfAndBomIsKept() {
            byte[] content = ("\uFEFF" + "SELECT filepath, filename\r\nFROM soar.v_ll_data_item\r\n")
                    .getBytes(StandardCharsets.UTF_8);

            SoarRequest request = reader.read(write("q.adql", content));

            assertThat(request.query()).isEqualTo("SELECT filepath, filename\r\nFROM soar.v_ll_data_item");
        }
    }

    // ---------------------------------------------------------------- .properties

    @Nested
    class PropertiesFiles {

        @Test
        void dataItemIdsWithProductAndRetrievalTypeAreRead() {
            SoarRequest request = read("ll.properties", """
                    # low-latency request
                    data_item_id = %s, %s
                    product_type = LOW_LATENCY
                    retrieval_type = ALL_PRODUCTS
                    """.formatted(ID_LL, ID_LL));

            assertThat(request.name()).isEqualTo("ll");
            assertThat(request.dataItemIds()).containsExactly(ID_LL);
            assertThat(request.query()).isNull();
            assertThat(request.productType()).isEqualTo("LOW_LATENCY");
            assertThat(request.retrievalType()).isEqualTo("ALL_PRODUCTS");
        }

        @Test
        void lowerCaseTypeValuesAreNormalisedToUpperCase() {
            SoarRequest request = read("a.properties", """
                    data_item_id=%s
                    product_type=low_latency
                    retrieval_type=last_product
                    """.formatted(ID_1));

            assertThat(request.productType()).isEqualTo("LOW_LATENCY");
            assertThat(request.retrievalType()).isEqualTo("LAST_PRODUCT");
        }

        @Test
        void queryWithoutTypesGetsDefaultsScienceAndProduct() {
            SoarRequest request = read("q.properties", "query=" + QUERY + "\n");

            assertThat(request.name()).isEqualTo("q");
            assertThat(request.query()).isEqualTo(QUERY);
            assertThat(request.dataItemIds()).isEmpty();
            assertThat(request.productType()).isEqualTo("SCIENCE");
            assertThat(request.retrievalType()).isEqualTo("PRODUCT");
        }

        @Test
        void queryContinuedOverLinesWithBackslashIsJoined() {
            SoarRequest request = read("q.properties", """
                    query = SELECT filepath, filename \\
                            FROM soar.v_sc_data_item \\
                            WHERE instrument = 'EPD'
                    """);

            assertThat(request.query()).isEqualTo("SELECT filepath, filename FROM soar.v_sc_data_item WHERE instrument = 'EPD'");
        }

        @Test
        void blankDataItemIdWithAQueryCountsAsNoIds() {
            SoarRequest request = read("q.properties", "data_item_id=\nquery=" + QUERY + "\n");

            assertThat(request.dataItemIds()).isEmpty();
            assertThat(request.query()).isEqualTo(QUERY);
        }
    }

    // ---------------------------------------------------------------- rejections

    @Nested
    class Rejections {

        @Test
        void emptyFileIsRejectedAsEmpty() {
            assertThat(rejection("empty.ids", "")).isEqualTo("the file is empty");
        }

        @Test
        void whitespaceOnlyFileIsRejectedAsEmpty() {
            assertThat(rejection("blank.adql", " \n\t\r\n  ")).isEqualTo("the file is empty");
        }

        @Test
        void byteOrderMarkOnlyFileIsRejectedAsEmpty() {
            assertThat(rejection("bom.ids", new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, '\n'}))
                    .isEqualTo("the file is empty");
        }

        @Test
        void commentsOnlyIdsFileIsRejectedAsNamingNoIds() {
            assertThat(rejection("comments.ids", "# nothing yet\n\n  # " + ID_1 + "\n,\n"))
                    .isEqualTo("the file names no data item ids (only blank lines or comments)");
        }

        @Test
        void fileWithANulByteIsRejectedAsBinary() {
            assertThat(rejection("bin.ids", new byte[] {'s', 'o', 'l', 'o', 0, '\n'}))
                    .isEqualTo("the file is binary (it contains NUL bytes), not a text query file");
        }

        @Test
        void invalidUtf8BytesAreRejectedAsNotUtf8() {
            // "café" in ISO-8859-1: 0xE9 is not valid UTF-8 here
            byte[] latin1 = ("SELECT filepath, filename FROM t WHERE x='caf" + (char) 0xE9 + "'")
                    .getBytes(StandardCharsets.ISO_8859_1);

            assertThat(rejection("latin1.adql", latin1)).isEqualTo("the file is not UTF-8 text");
        }

        @Test
        void fileLargerThanMaxBytesIsRejectedWithBothSizes() {
            String content = ID_1 + "\n" + "#".repeat((int) MAX_BYTES - ID_1.length());

            assertThat(rejection("big.ids", content))
                    .isEqualTo("the file has " + (MAX_BYTES + 1) + " bytes; a query file may have at most " + MAX_BYTES);
        }

        @Test
        void propertiesWithBothIdsAndQueryAreRejected() {
            assertThat(rejection("both.properties", "data_item_id=" + ID_1 + "\nquery=" + QUERY + "\n"))
                    .isEqualTo("names both data item ids and an ADQL query; give one or the other");
        }

        @Test
        void propertiesWithNeitherIdsNorQueryAreRejected() {
            assertThat(rejection("neither.properties", "product_type=SCIENCE\nretrieval_type=PRODUCT\n"))
                    .isEqualTo("names neither data item ids nor an ADQL query");
        }

        @Test
        void propertiesWithAnUnknownKeyAreRejectedNamingTheKey() {
            assertThat(rejection("typo.properties", "data_item_id=" + ID_1 + "\nretrival_type=PRODUCT\n"))
                    .isEqualTo("unknown key 'retrival_type'; the keys are data_item_id, query, product_type, retrieval_type");
        }

        @Test
        void propertiesWithAMalformedUnicodeEscapeAreRejectedAsUnparseable() {
            assertThat(rejection("escape.properties", "data_item_id=" + ID_1 + "\\u00zz\n"))
                    .startsWith("the properties file cannot be parsed: ");
        }

        @Test
        void propertiesKeysAreCaseSensitive() {
            assertThat(rejection("upper.properties", "DATA_ITEM_ID=" + ID_1 + "\n"))
                    .startsWith("unknown key 'DATA_ITEM_ID'");
        }

        @Test
        void badProductTypeIsRejectedListingTheAllowedValues() {
            assertThat(rejection("p.properties", "data_item_id=" + ID_1 + "\nproduct_type=scientific\n"))
                    .isEqualTo("product_type 'scientific' is not one of [LOW_LATENCY, SCIENCE, TELEMETRY]");
        }

        @Test
        void badRetrievalTypeIsRejectedListingTheAllowedValues() {
            assertThat(rejection("r.properties", "data_item_id=" + ID_1 + "\nretrieval_type=DEFERRED\n"))
                    .isEqualTo("retrieval_type 'DEFERRED' is not one of [ALL_PRODUCTS, LAST_PRODUCT, PRODUCT]");
        }

        @Test
        void idWithASpaceIsRejectedAsNotADataItemId() {
            assertThat(rejection("space.ids", "solo_L2_epd ept_20200820\n"))
                    .isEqualTo("'solo_L2_epd ept_20200820' is not a SOAR data item id "
                            + "(letters, digits, '_', '-', '.', '+' only; e.g. solo_L2_epd-ept-north-rates_20200820)");
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"solo_L2_x'_20200820", "solo_L2_x\"_20200820", "' OR '1'='1", "solo_L2_x;DROP"})
        void idWithAQuoteOrOtherSpecialCharacterIsRejected(String id) {
            assertThat(rejection("quote.ids", ID_1 + "\n" + id + "\n"))
                    .startsWith("'" + id + "' is not a SOAR data item id");
        }

        @Test
        void idInPropertiesIsCheckedToo() {
            assertThat(rejection("p.properties", "data_item_id=" + ID_1 + ", bad id\n"))
                    .startsWith("'bad id' is not a SOAR data item id");
        }

        @Test
        void adqlNotStartingWithSelectIsRejectedQuotingTheStart() {
            assertThat(rejection("drop.adql", "DELETE FROM soar.v_sc_data_item\nWHERE 1=1\n"))
                    .isEqualTo("the ADQL query must start with SELECT, but starts with 'DELETE FROM soar.v_sc_data_item WHERE 1=1'");
        }

        @Test
        void queryInPropertiesNotStartingWithSelectIsRejected() {
            assertThat(rejection("q.properties", "query=" + ID_1 + "\n"))
                    .startsWith("the ADQL query must start with SELECT");
        }

        @Test
        void missingFileIsRejectedAsUnreadable() {
            String missing = dir.resolve("missing.ids").toString();

            assertThat(rejection(missing)).startsWith("the file cannot be read").contains("missing.ids");
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"request.csv", "request.ids.bak", "request", "request.json"})
        void unsupportedExtensionIsRejectedNamingTheAllowedOnes(String fileName) {
            assertThat(rejection(fileName, ID_1))
                    .isEqualTo("'" + fileName + "' is not a query file: use .ids, .txt, .adql, .properties, .job or .url");
        }
    }

    // ---------------------------------------------------------------- SoarRequest

    @Nested
    class SoarRequests {

        @Test
        void dataParametersForIdsAreRetrievalTypeAccessProductTypeThenIdsInOrder() {
            SoarRequest request = new SoarRequest("n", List.of(ID_2, ID_1), null, "low_latency", "last_product");

            assertThat(request.dataParameters()).containsExactly(
                    Map.entry("RETRIEVAL_TYPE", "LAST_PRODUCT"),
                    Map.entry("RETRIEVAL_ACCESS", "DEFERRED"),
                    Map.entry("PRODUCT_TYPE", "LOW_LATENCY"),
                    Map.entry("data_item_id", ID_2 + "," + ID_1));
        }

        @Test
        void dataParametersForAQueryEndWithTheQueryAndHaveNoIds() {
            SoarRequest request = new SoarRequest("n", List.of(), "  " + QUERY + "\n", null, null);

            assertThat(request.dataParameters()).containsExactly(
                    Map.entry("RETRIEVAL_TYPE", "PRODUCT"),
                    Map.entry("RETRIEVAL_ACCESS", "DEFERRED"),
                    Map.entry("PRODUCT_TYPE", "SCIENCE"),
                    Map.entry("QUERY", QUERY));
        }

        @Test
        void idempotencyKeyIsEqualForTheSameIdsInAnotherOrderOrWithDuplicatesAndIgnoresTheName() {
            String key = new SoarRequest("a", List.of(ID_1, ID_2), null, null, null).idempotencyKey();

            assertThat(new SoarRequest("b", List.of(ID_2, ID_1), null, null, null).idempotencyKey()).isEqualTo(key);
            assertThat(new SoarRequest("c", List.of(ID_2, ID_1, ID_2, ID_1), null, null, null).idempotencyKey())
                    .isEqualTo(key);
            assertThat(key).matches("[0-9a-f]{64}");
        }

        @Test
        void idempotencyKeyIsEqualForIdFilesListingTheSameIdsDifferently() {
            SoarRequest first = read("first.ids", ID_1 + "\n" + ID_2 + "\n");
            SoarRequest second = read("second.txt", "# again\n" + ID_2 + ", " + ID_1 + ", " + ID_2 + "\n");

            assertThat(second.idempotencyKey()).isEqualTo(first.idempotencyKey());
        }

        @Test
        void idempotencyKeyIsEqualForQueriesDifferingOnlyInWhitespace() {
            String key = new SoarRequest("a", List.of(), "SELECT filepath, filename FROM t WHERE x = 1", null, null)
                    .idempotencyKey();

            assertThat(new SoarRequest("b", List.of(), "  SELECT  filepath,\n\tfilename\r\nFROM t\n WHERE x = 1 \n",
                    null, null).idempotencyKey()).isEqualTo(key);
        }

        @Test
        void idempotencyKeyDiffersForDifferentProductTypes() {
            SoarRequest science = new SoarRequest("a", List.of(ID_1), null, "SCIENCE", null);
            SoarRequest lowLatency = new SoarRequest("a", List.of(ID_1), null, "LOW_LATENCY", null);

            assertThat(science.idempotencyKey()).isNotEqualTo(lowLatency.idempotencyKey());
        }

        @Test
        void idempotencyKeyDiffersForDifferentRetrievalTypesIdsAndQueries() {
            String key = new SoarRequest("a", List.of(ID_1), null, null, null).idempotencyKey();

            assertThat(new SoarRequest("a", List.of(ID_1), null, null, "ALL_PRODUCTS").idempotencyKey()).isNotEqualTo(key);
            assertThat(new SoarRequest("a", List.of(ID_1, ID_2), null, null, null).idempotencyKey()).isNotEqualTo(key);
            assertThat(new SoarRequest("a", List.of(), QUERY, null, null).idempotencyKey()).isNotEqualTo(key);
        }

        @Test
        void describeCountsIdsOrSaysAdqlQuery() {
            assertThat(new SoarRequest("a", List.of(ID_1), null, null, null).describe()).isEqualTo("1 data item");
            assertThat(new SoarRequest("a", List.of(ID_1, ID_2), null, null, null).describe()).isEqualTo("2 data items");
            assertThat(new SoarRequest("a", List.of(), QUERY, null, null).describe()).isEqualTo("ADQL query");
        }
    }

    // ---------------------------------------------------------------- SoarUrls

    @Nested
    class SoarUrlsEncodingAndScheme {

        private final SoarUrls urls = new SoarUrls("https://soar.esac.esa.int/soar-sl-tap/");

        @Test
        void baseUrlLosesItsTrailingSlash() {
            assertThat(urls.base()).isEqualTo("https://soar.esac.esa.int/soar-sl-tap");
            assertThat(urls.host()).isEqualTo("soar.esac.esa.int");
        }

        @Test
        void dataQueryPercentEncodesAdqlQuotesSpacesCommasAndEquals() {
            SoarRequest request = new SoarRequest("q", List.of(), QUERY, null, null);

            String query = urls.dataQuery(request);

            assertThat(query).isEqualTo("RETRIEVAL_TYPE=PRODUCT&RETRIEVAL_ACCESS=DEFERRED&PRODUCT_TYPE=SCIENCE"
                    + "&QUERY=SELECT%20filepath%2Cfilename%20FROM%20soar.v_sc_repository_file%20WHERE%20filename%3D"
                    + "%27solo_L2_epd-sis-a-rates-slow_20200615_V05.cdf%27");
            assertThat(query).doesNotContain("+").doesNotContain(" ").doesNotContain("'");
            String encodedQuery = query.substring(query.indexOf("&QUERY=") + "&QUERY=".length());
            assertThat(URLDecoder.decode(encodedQuery, StandardCharsets.UTF_8)).isEqualTo(QUERY);
        }

        @Test
        void dataQueryEncodesAPlusInsideAnIdAsPercent2BAndTheIdSeparatorAsPercent2C() {
            SoarRequest request = new SoarRequest("ids", List.of("solo_L1_a+b_20200101", ID_1), null, "TELEMETRY", "LAST_PRODUCT");

            assertThat(urls.dataQuery(request)).isEqualTo(
                    "RETRIEVAL_TYPE=LAST_PRODUCT&RETRIEVAL_ACCESS=DEFERRED&PRODUCT_TYPE=TELEMETRY"
                            + "&data_item_id=solo_L1_a%2Bb_20200101%2C" + ID_1);
        }

        @Test
        void httpJobUrlOnTheSoarHostIsUpgradedToHttpsOnTheBaseAuthority() {
            assertThat(urls.onSoarScheme("http://soar.esac.esa.int/soar-sl-tap/tap/async/1OPE"))
                    .isEqualTo("https://soar.esac.esa.int/soar-sl-tap/tap/async/1OPE");
        }

        @Test
        void upgradeKeepsTheQueryStringIgnoresHostCaseAndSurroundingWhitespace() {
            assertThat(urls.onSoarScheme("\n HTTP://SOAR.esac.esa.int:80/soar-sl-tap/tap/async/1OPE/results/r1?a=1&b=%20 \n"))
                    .isEqualTo("https://soar.esac.esa.int/soar-sl-tap/tap/async/1OPE/results/r1?a=1&b=%20");
        }

        @Test
        void httpUrlOnAnotherHostStaysUnchanged() {
            assertThat(urls.onSoarScheme("http://example.com/tap/async/1OPE")).isEqualTo("http://example.com/tap/async/1OPE");
            assertThat(urls.onSoarScheme("http://soar.esac.esa.int.evil.example/x"))
                    .isEqualTo("http://soar.esac.esa.int.evil.example/x");
        }

        @Test
        void httpsUrlOnTheSoarHostStaysUnchanged() {
            assertThat(urls.onSoarScheme("https://soar.esac.esa.int/soar-sl-tap/tap/async/1OPE"))
                    .isEqualTo("https://soar.esac.esa.int/soar-sl-tap/tap/async/1OPE");
        }

        @Test
        void withAnHttpBaseNothingIsUpgraded() {
            SoarUrls plain = new SoarUrls("http://soar.esac.esa.int/soar-sl-tap");

            assertThat(plain.onSoarScheme("http://soar.esac.esa.int/soar-sl-tap/tap/async/1OPE"))
                    .isEqualTo("http://soar.esac.esa.int/soar-sl-tap/tap/async/1OPE");
        }

        @Test
        void upgradeUsesTheBasePort() {
            SoarUrls local = new SoarUrls("https://localhost:8443/soar-sl-tap");

            assertThat(local.onSoarScheme("http://localhost:8080/soar-sl-tap/tap/async/7"))
                    .isEqualTo("https://localhost:8443/soar-sl-tap/tap/async/7");
        }

        @Test
        void jobUrlIsTheUpgradedEmailBaseUrlOrBuiltFromTheJobId() {
            UwsJob esa = new UwsJob("1OPE", Phase.QUEUED, "http://soar.esac.esa.int/soar-sl-tap/tap/async/1OPE",
                    List.of(), null, null);
            UwsJob plain = new UwsJob("2OPE", Phase.QUEUED, null, List.of(), null, null);

            assertThat(urls.jobUrl(esa)).isEqualTo("https://soar.esac.esa.int/soar-sl-tap/tap/async/1OPE");
            assertThat(urls.jobUrl(plain)).isEqualTo("https://soar.esac.esa.int/soar-sl-tap/tap/async/2OPE");
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"ftp://soar.esac.esa.int/soar-sl-tap", "soar.esac.esa.int/soar-sl-tap", "https:///nohost"})
        void nonHttpBaseUrlIsRefused(String base) {
            assertThatThrownBy(() -> new SoarUrls(base)).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
