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
 * {@code GET}, the session cookie, {@code Range: bytes=N-}, keep-alive. No fault injection: that stays with the
 * simulator's own listener, which the tests use.
 */
final class SendfileResults implements AutoCloseable {

    /** What a request path and its Cookie header resolve to: a package, or an HTTP status to answer with. */
    record Answer(int status, Path file, String name) {
        static Answer of(int status) {
            return new Answer(status, null, null);
        }
    }

    /** Resolves a request for a result (its raw path and Cookie header) as the simulator's own listener would. */
    interface Lookup {
        Answer result(String method, String path, String cookie);
    }

    private static final Logger LOG = LoggerFactory.getLogger(SendfileResults.class);
    private static final int MAX_HEAD = 16 * 1024;

    private final Lookup lookup;
    private final ServerSocketChannel server;
    private final ExecutorService connections =
            Executors.newCachedThreadPool(r -> SoarSimulator.daemon(r, "simulator-sendfile"));

    SendfileResults(Lookup lookup) {
        this.lookup = lookup;
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
        try (FileChannel file = FileChannel.open(found.file(), StandardOpenOption.READ)) {
            long size = file.size();
            long from = 0;
            int status = 200;
            String headers = "Content-Type: application/x-gzip\r\nAccept-Ranges: bytes\r\n"
                    + "Content-Disposition: attachment; filename=\"" + found.name() + "\"\r\n";
            // a Range other than bytes=N- is ignored (the whole package, 200), as the simulator's own listener does
            if (range != null && range.matches("bytes=\\d{1,18}-")) {
                from = Long.parseLong(range.substring(6, range.length() - 1));
                if (from >= size) {
                    write(client, "HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */" + size
                            + "\r\nContent-Length: 0\r\n" + (close ? "Connection: close\r\n" : "") + "\r\n");
                    return !close;
                }
                status = 206;
                headers += "Content-Range: bytes " + from + "-" + (size - 1) + "/" + size + "\r\n";
            }
            write(client, "HTTP/1.1 " + status + " " + reason(status) + "\r\n" + headers + "Content-Length: "
                    + (size - from) + "\r\n" + (close ? "Connection: close\r\n" : "") + "\r\n");
            if (start[0].equals("GET")) {
                for (long at = from; at < size; ) {
                    at += file.transferTo(at, size - at, client);
                }
            }
        }
        return !close;
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
