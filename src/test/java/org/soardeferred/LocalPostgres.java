package org.soardeferred;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A private PostgreSQL server for a test: initdb into a temporary folder, started on a free port of 127.0.0.1,
 * removed afterwards. Uses the server binaries of the machine (Debian's postgresql package; `bash .ci/run`
 * installs it). PostgreSQL refuses to run as root, so as root it runs as the postgres user. When the binaries
 * are missing this fails loudly: a test that needs PostgreSQL never skips silently.
 * <p>
 * A JUnit extension: {@code @RegisterExtension static final LocalPostgres postgres = new LocalPostgres();} starts
 * the server before the class's first test and removes it after its last.
 */
final class LocalPostgres implements BeforeAllCallback, AfterAllCallback {

    String jdbcUrl;
    final String user = "soar";
    private Path dir;
    private Path bin;
    private boolean asPostgres;

    @Override
    public void beforeAll(ExtensionContext context) throws IOException, InterruptedException {
        bin = findBin();
        asPostgres = "root".equals(System.getProperty("user.name"));
        dir = Files.createTempDirectory("soar-pg-");
        if (asPostgres) {
            run(List.of("chown", "-R", "postgres:postgres", dir.toString()), false);
        }
        Path data = dir.resolve("data");
        run(List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", user, "-A", "trust", "-E", "UTF8",
                "--no-sync", "--no-instructions"), asPostgres);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", dir.resolve("server.log").toString(),
                "-o", "-F -p " + port + " -c listen_addresses=127.0.0.1 -k " + data, "-w", "start"), asPostgres);
        jdbcUrl = "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    private static Path findBin() throws IOException {
        String configured = System.getenv("SOAR_TEST_PG_BIN");
        if (configured != null) {
            return Path.of(configured);
        }
        Path root = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(root)) {
            try (Stream<Path> versions = Files.list(root)) {
                var newest = versions.map(v -> v.resolve("bin"))
                        .filter(b -> Files.isExecutable(b.resolve("initdb")))
                        .max(Comparator.comparing(b -> Integer.parseInt(b.getParent().getFileName().toString().replaceAll("\\D", "0"))));
                if (newest.isPresent()) {
                    return newest.get();
                }
            }
        }
        throw new IllegalStateException("PostgreSQL server binaries are needed for this test and were not found: "
                + "install them (apt-get install postgresql; `bash .ci/run` does) or set SOAR_TEST_PG_BIN");
    }

    private void run(List<String> command, boolean asPostgresUser) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>();
        if (asPostgresUser) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(command);
        Process p = new ProcessBuilder(full).redirectErrorStream(true).directory(new File("/")).start();
        String output = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", full) + " failed:\n" + output);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try {
            run(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "immediate", "-w", "stop"),
                    asPostgres);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }
}
