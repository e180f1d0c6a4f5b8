package org.soardeferred.mirror;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.Statement;
import java.util.UUID;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.soardeferred.store.JobStore;
import org.soardeferred.store.Migrations;

/** The mirror index makes its own tables, and opens a database whose mirror tables the job store made, as it did. */
class MirrorSchemaTest {

    private final JdbcDataSource db = new JdbcDataSource();

    MirrorSchemaTest() {
        db.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
    }

    @Test
    void aNewDatabaseGetsTheMirrorTablesFromTheMirrorIndexAlone() {
        assertThat(new MirrorStore(db).watermark("mag")).isNull();
        assertThat(new MirrorStore(db).watermark("mag")).as("opened again").isNull();
    }

    @Test
    void aDatabaseWhoseMirrorTablesTheJobStoreMadeKeepsThemAndTheirRows() throws Exception {
        new JobStore(db);
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            // as the job store's migrations 6 to 9 made them, before the mirror index had migrations of its own
            int version = 6;
            for (Migrations.Step step : MirrorSchema.MIGRATIONS.steps()) {
                s.execute(step.sql().replace(" IF NOT EXISTS", ""));
                s.execute("INSERT INTO soar_schema (version) VALUES (" + version++ + ")");
            }
            s.execute("INSERT INTO soar_mirror (name, watermark, updated_at) VALUES ('mag', '2024-02-01', CURRENT_TIMESTAMP)");
        }
        assertThat(new MirrorStore(db).watermark("mag")).isEqualTo("2024-02-01");
        assertThat(new JobStore(db).unfinished()).isEmpty();
    }
}
