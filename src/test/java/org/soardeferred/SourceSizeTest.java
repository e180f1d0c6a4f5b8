package org.soardeferred;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/** A class a newcomer can read in one sitting: none of the product's source files is much over 350 lines. */
class SourceSizeTest {

    private static final int MOST_LINES = 380;

    @Test
    void noProductSourceFileIsOverAbout350Lines() throws IOException {
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            List<String> tooLong = files.filter(f -> f.toString().endsWith(".java"))
                    .filter(f -> lines(f) > MOST_LINES).map(f -> f + " (" + lines(f) + " lines)").toList();
            assertThat(tooLong).as("split these by concern").isEmpty();
        }
    }

    private static long lines(Path file) {
        try (Stream<String> lines = Files.lines(file)) {
            return lines.count();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
