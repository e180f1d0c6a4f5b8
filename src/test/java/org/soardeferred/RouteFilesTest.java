package org.soardeferred;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/** The route files are named one by one in the configuration (no wildcard scan of the jar at start-up): none is forgotten. */
class RouteFilesTest {

    @Test
    void everyRouteFileIsListedAndEveryListedFileExists() throws IOException {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(Path.of("config/application.properties"))) {
            p.load(in);
        }
        List<String> listed = Arrays.stream(p.getProperty("camel.main.routes-include-pattern").split(","))
                .map(String::strip).toList();
        assertThat(listed).allSatisfy(f -> assertThat(f).startsWith("classpath:routes/").doesNotContain("*"));
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            List<String> present = files.map(f -> "classpath:routes/" + f.getFileName())
                    .filter(f -> f.endsWith(".camel.yaml")).toList();
            assertThat(listed).containsExactlyInAnyOrderElementsOf(present);
        }
    }
}
