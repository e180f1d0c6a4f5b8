package org.soardeferred.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The S3 client the S3 targets write through, as an S3 server sees its requests: a part goes as a plain body signed
 * with its SHA-256, not in aws-chunked encoding (whose 128 KB chunks each cost a buffer and a signature).
 */
class S3ClientTest {

    @Test
    void aPartGoesAsAPlainBodySignedWithItsSha256NotInAwsChunkedEncoding() throws Exception {
        AtomicReference<Headers> headers = new AtomicReference<>();
        AtomicReference<byte[]> body = new AtomicReference<>();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            headers.set(exchange.getRequestHeaders());
            body.set(exchange.getRequestBody().readAllBytes());
            exchange.getResponseHeaders().add("ETag", "\"part-1\"");
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
        byte[] part = new byte[300 * 1024]; // more than one 128 KB chunk of the aws-chunked encoding
        new Random(7).nextBytes(part);
        try {
            S3Configuration c = new S3Configuration();
            c.region = "us-east-1";
            c.endpoint = "http://127.0.0.1:" + server.getAddress().getPort();
            c.pathStyle = "";
            c.accessKey = "access";
            c.secretKey = "secret";
            try (S3Client s3 = c.s3Client()) {
                String etag = s3.uploadPart(b -> b.bucket("bucket").key("staged.tar.gz").uploadId("u1").partNumber(1)
                                .contentLength((long) part.length),
                        RequestBody.fromContentProvider(() -> new ByteArrayInputStream(part), part.length,
                                "application/octet-stream")).eTag();
                assertThat(etag).isEqualTo("\"part-1\"");
            }
        } finally {
            server.stop(0);
        }
        assertThat(headers.get().getFirst("x-amz-content-sha256")).as("the signed payload hash")
                .isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(part)));
        assertThat(headers.get().getFirst("Content-Encoding")).as("no aws-chunked encoding").isNull();
        assertThat(headers.get().getFirst("Content-Length")).isEqualTo(String.valueOf(part.length));
        assertThat(Arrays.equals(body.get(), part)).as("the body is the part's bytes as they are").isTrue();
    }
}
