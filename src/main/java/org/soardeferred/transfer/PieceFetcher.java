package org.soardeferred.transfer;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.cookie.CookieStore;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.io.CloseMode;

/**
 * The extra connections of a segmented download: ranged GETs of a result, each on a connection of its own, with
 * the same cookie store as every other call to SOAR (it holds and returns SOAR's session cookie to SOAR's host
 * only), no retries of its own (the download decides), no decompression (the bytes are the package's).
 */
public class PieceFetcher implements AutoCloseable {

    /** What a ranged GET answered; closing it releases its connection. */
    public interface Reply extends AutoCloseable {
        int status();

        /** A header of the reply, or null. */
        String header(String name);

        InputStream body() throws IOException;

        /** Drops the connection at once (the rest of the body is not read). */
        void abort();

        @Override
        void close();
    }

    private final CloseableHttpClient client;

    public PieceFetcher(CookieStore cookies, int maxConnections, Duration connectTimeout, Duration readTimeout, String userAgent) {
        this.client = HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setMaxConnPerRoute(maxConnections)
                        .setMaxConnTotal(Math.max(maxConnections, 4 * maxConnections))
                        .setDefaultConnectionConfig(ConnectionConfig.custom()
                                .setConnectTimeout(connectTimeout.toMillis(), TimeUnit.MILLISECONDS)
                                .setSocketTimeout((int) readTimeout.toMillis(), TimeUnit.MILLISECONDS).build())
                        .build())
                .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(readTimeout.toMillis(), TimeUnit.MILLISECONDS).build())
                .setDefaultCookieStore(cookies)
                .disableAutomaticRetries()
                .disableContentCompression()
                .setUserAgent(userAgent)
                .build();
    }

    /** {@code GET url} with {@code Range: bytes=from-to}. */
    public Reply get(String url, long from, long to) throws IOException {
        HttpGet get = new HttpGet(url);
        get.setHeader("Range", "bytes=" + from + "-" + to);
        ClassicHttpResponse response = client.executeOpen(null, get, null);
        return new Reply() {
            @Override
            public int status() {
                return response.getCode();
            }

            @Override
            public String header(String name) {
                Header h = response.getFirstHeader(name);
                return h == null ? null : h.getValue();
            }

            @Override
            public InputStream body() throws IOException {
                return response.getEntity() == null ? InputStream.nullInputStream() : response.getEntity().getContent();
            }

            @Override
            public void abort() {
                get.cancel();
                close();
            }

            @Override
            public void close() {
                try {
                    response.close();
                } catch (IOException e) {
                    get.abort();
                }
            }
        };
    }

    @Override
    public void close() {
        client.close(CloseMode.GRACEFUL);
    }
}
