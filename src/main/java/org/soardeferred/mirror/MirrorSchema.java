package org.soardeferred.mirror;

import java.util.List;

import org.soardeferred.store.Migrations;
import org.soardeferred.store.Migrations.Step;

/**
 * The mirror index's tables (soar_mirror, soar_mirror_file, soar_mirror_run), their versions in soar_mirror_schema.
 * Until the mirror index made them itself, the job store's migrations did (its versions 6 to 9): every step here is
 * idempotent, so a database made then keeps its tables and rows.
 */
final class MirrorSchema {

    static final Migrations MIGRATIONS = new Migrations("Mirror index", "soar_mirror_schema", 7390004, List.of(
            new Step(1, """
                    CREATE TABLE IF NOT EXISTS soar_mirror (
                      name       VARCHAR(64) PRIMARY KEY,
                      watermark  VARCHAR(40),
                      updated_at TIMESTAMP   NOT NULL
                    )"""),
            new Step(2, """
                    CREATE TABLE IF NOT EXISTS soar_mirror_file (
                      mirror       VARCHAR(64)   NOT NULL,
                      file_name    VARCHAR(255)  NOT NULL,
                      item_id      VARCHAR(255)  NOT NULL,
                      item_version VARCHAR(20),
                      file_size    BIGINT        NOT NULL,
                      archived_on  VARCHAR(40)   NOT NULL,
                      data_type    VARCHAR(10),
                      filepath     VARCHAR(1000),
                      status       VARCHAR(10)   NOT NULL,
                      request_key  VARCHAR(64),
                      error        VARCHAR(4000),
                      updated_at   TIMESTAMP     NOT NULL,
                      PRIMARY KEY (mirror, file_name)
                    )"""),
            new Step(3, "CREATE INDEX IF NOT EXISTS soar_mirror_file_request ON soar_mirror_file (request_key)"),
            new Step(4, """
                    CREATE TABLE IF NOT EXISTS soar_mirror_run (
                      id           VARCHAR(40)   PRIMARY KEY,
                      mirror       VARCHAR(64)   NOT NULL,
                      node         VARCHAR(100),
                      fire_time    TIMESTAMP,
                      started_at   TIMESTAMP     NOT NULL,
                      listed       INT,
                      wanted       INT,
                      requests     INT,
                      wanted_bytes BIGINT,
                      status       VARCHAR(10)   NOT NULL,
                      error        VARCHAR(4000)
                    )""")));

    private MirrorSchema() {
    }
}
