package org.soardeferred.simulator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The simulator's packages served the way a static file server in front of an archive serves them: the bytes go
 * from the file to the socket by {@code sendfile} ({@link FileChannel#transferTo}), never through the JVM. On a
 * loopback benchmark the server shares the machine's cores with the client it is measured against; a real SOAR
 * takes none of them, and a server that copies every byte through its heap (as {@code com.sun.net.httpserver}
 * does) takes about 0.6 CPU s per GB that the client would otherwise have. Speaks what downloads need: HTTP/1.1
 * {@code GET}, the session cookie, {@code Range: bytes=A-B} and {@code bytes=A-}, keep-alive, chunked bodies. The
 * link's shape ({@link LinkShape}: rates, the connection limit, ignored ranges, headers left out) is the simulator's,
 * as on its own listener; a paced or chunked body goes out in chunks of {@link #CHUNK}, each by sendfile. No fault
 * injection: that stays with the simulator's own listener, which the tests use.
 */
final class SendfileResults implements AutoCloseable {

    /** What a request path and its Cookie header resolve to: a package, or an HTTP status to answer with. */
    record Answer(int status, Path file, String name, String jobId, String client) {
        static Answer of(int status) {
            return new Answer(status, null, null, null, null);
        }
    }

    /** Resolves a request for a result (its raw path and Cookie header) as the simulator's own listener would. */
    interface Lookup {
        Answer result(String method, String path, String cookie);
    }

    private static final Logger LOG = LoggerFactory.getLogger(SendfileResults.class);
    private static final int MAX_HEAD = 16 * 1024;
    /** A paced or chunked body is sent in pieces of this size. */
    static final long CHUNK = 64 * 1024;

    private final Lookup lookup;
    private final LinkShape link;
    private final ServerSocketChannel server;
    private final ExecutorService connections =
            Executors.newCachedThreadPool(r -> SoarSimulator.daemon(r, "simulator-sendfile"));

    SendfileResults(Lookup lookup, LinkShape link) {
        this.lookup = lookup;
        this.link = link;
        try {
            server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0), 256);
        } catch (IOException e) {
            throw new UncheckedIOException("The simulator's sendfile listener cannot start", e);
        }
        connections.execute(this::accept);
    }

    int port() {
        return ((InetSocketAddress) server.socket().getLocalSocketAddress()).getPort();
    }

    private void accept() {
        while (server.isOpen()) {
            try {
                SocketChannel client = server.accept();
                connections.execute(() -> serve(client));
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                LOG.debug("sendfile listener: accept failed", e);
            }
        }
    }

    /** Answers requests on one connection until the client closes it or asks to. */
    private void serve(SocketChannel client) {
        try (client) {
            ByteBuffer head = ByteBuffer.allocate(MAX_HEAD);
            while (true) {
                String request = readHead(client, head);
                if (request == null) {
                    return;
                }
                if (!answer(client, request)) {
                    return;
                }
            }
        } catch (IOException e) {
            LOG.debug("sendfile listener: connection ended", e);
        }
    }

    /** The next request's head (request line and headers), or null once the client closed the connection. */
    private static String readHead(SocketChannel client, ByteBuffer head) throws IOException {
        while (true) {
            String sofar = new String(head.array(), 0, head.position(), StandardCharsets.ISO_8859_1);
            int end = sofar.indexOf("\r\n\r\n");
            if (end >= 0) {
                // a GET has no body: whatever follows the head is the next (pipelined) request
                byte[] rest = Arrays.copyOfRange(head.array(), end + 4, head.position());
                head.clear().put(rest);
                return sofar.substring(0, end);
            }
            if (!head.hasRemaining() || client.read(head) < 0) {
                return null;
            }
        }
    }

    /** Answers one request; false when the connection is to be closed after it. */
    private boolean answer(SocketChannel client, String request) throws IOException {
        String[] lines = request.split("\r\n");
        String[] start = lines[0].split(" ");
        String cookie = null;
        String range = null;
        boolean close = start.length < 3 || !start[2].equals("HTTP/1.1");
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT);
            String value = lines[i].substring(colon + 1).strip();
            switch (name) {
                case "cookie" -> cookie = cookie == null ? value : cookie + "; " + value;
                case "range" -> range = value;
                case "connection" -> close |= value.equalsIgnoreCase("close");
                default -> { }
            }
        }
        Answer found = start.length < 2 ? Answer.of(400) : lookup.result(start[0], start[1], cookie);
        if (found.file() == null) {
            String body = reason(found.status()) + "\n";
            write(client, "HTTP/1.1 " + found.status() + " " + reason(found.status()) + "\r\nContent-Type: text/plain\r\n"
                    + "Content-Length: " + body.length() + "\r\n" + (close ? "Connection: close\r\n" : "") + "\r\n" + body);
            return !close;
        }
        if (!link.acquire(found.client())) {
            String body = "Too many connections from this client\n";
            write(client, "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Type: text/plain\r\nContent-Length: "
                    + body.length() + "\r\n" + (close ? "Connection: close\r\n" : "") + "\r\n" + body);
            return !close;
        }
        try (FileChannel file = FileChannel.open(found.file(), StandardOpenOption.READ)) {
            long size = file.size();
            String headers = "Content-Type: application/x-gzip\r\n" + (link.sendsAcceptRanges() ? "Accept-Ranges: bytes\r\n" : "")
                    + "Content-Disposition: attachment; filename=\"" + found.name() + "\"\r\n";
            // a Range it cannot use (several ranges, a suffix, a malformed one) is ignored: the whole package, 200
            LinkShape.Span span = link.span(range, size);
            if (span == null) {
                write(client, "HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */" + size
                        + "\r\nContent-Length: 0\r\n" + (close ? "Connection: close\r\n" : "") + "\r\n");
                return !close;
            }
            if (span.partial()) {
                headers += "Content-Range: bytes " + span.first() + "-" + span.last() + "/" + size + "\r\n";
            }
            // without a length: chunked on a connection kept open, else the body ends with the connection
            boolean chunked = !link.sendsContentLength() && !close;
            headers += link.sendsContentLength() ? "Content-Length: " + span.length() + "\r\n"
                    : chunked ? "Transfer-Encoding: chunked\r\n" : "";
            int status = span.partial() ? 206 : 200;
            write(client, "HTTP/1.1 " + status + " " + reason(status) + "\r\n" + headers
                    + (close ? "Connection: close\r\n" : "") + "\r\n");
            if (start[0].equals("GET")) {
                sendBody(client, file, span, found.jobId(), chunked);
            }
        } finally {
            link.release(found.client());
        }
        return !close;
    }

    /** The span of the file by sendfile: in one go, or chunk by chunk when the link paces it or it goes chunked. */
    private void sendBody(SocketChannel client, FileChannel file, LinkShape.Span span, String jobId, boolean chunked)
            throws IOException {
        long end = span.last() + 1;
        boolean inPieces = chunked || link.paced();
        LinkShape.Pace pace = link.pace();
        for (long at = span.first(); at < end; ) {
            long piece = inPieces ? Math.min(CHUNK, end - at) : end - at;
            pace.beforeSending(piece);
            if (chunked) {
                write(client, Long.toHexString(piece) + "\r\n");
            }
            for (long done = 0; done < piece; ) {
                long n = file.transferTo(at + done, piece - done, client);
                done += n;
                link.sent(jobId, n);
            }
            if (chunked) {
                write(client, "\r\n");
            }
            at += piece;
        }
        if (chunked) {
            write(client, "0\r\n\r\n");
        }
    }

    private static void write(SocketChannel client, String head) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(head.getBytes(StandardCharsets.ISO_8859_1));
        while (bytes.hasRemaining()) {
            client.write(bytes);
        }
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 206 -> "Partial Content";
            case 401 -> "Unauthorized";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 503 -> "Service Unavailable";
            default -> "Bad Request";
        };
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            LOG.debug("sendfile listener: close failed", e);
        }
        connections.shutdownNow();
    }
}
