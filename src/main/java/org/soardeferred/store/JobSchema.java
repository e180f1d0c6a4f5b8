package org.soardeferred.store;

import java.util.List;

import org.soardeferred.store.Migrations.Step;

/**
 * The job store's tables: jobs (soar_job), the query files that follow a job (soar_follower) and the S3 uploads whose
 * abort is not confirmed yet (soar_pending_abort, see {@link PendingAborts}); their versions in soar_schema.
 * Versions 6 to 9 made the mirrors' tables, which the mirror index now makes itself (see
 * org.soardeferred.mirror.MirrorSchema): a database made before keeps them, and their versions.
 */
final class JobSchema {

    static final Migrations MIGRATIONS = new Migrations("Job store", "soar_schema", 7390001, List.of(
            new Step(1, """
                    CREATE TABLE soar_job (
                      id              VARCHAR(40)  PRIMARY KEY,
                      name            VARCHAR(255) NOT NULL,
                      request_json    VARCHAR      NOT NULL,
                      idempotency_key VARCHAR(64)  NOT NULL,
                      query_file      VARCHAR(4000),
                      output_name     VARCHAR(255),
                      remote_job_id   VARCHAR(255),
                      job_url         VARCHAR(4000),
                      phase           VARCHAR(20),
                      status          VARCHAR(20)  NOT NULL,
                      phase_history   VARCHAR      NOT NULL,
                      results_json    VARCHAR      NOT NULL,
                      error           VARCHAR(4000),
                      created_at      TIMESTAMP    NOT NULL,
                      updated_at      TIMESTAMP    NOT NULL
                    )"""),
            new Step(2, "CREATE INDEX soar_job_status ON soar_job (status)"),
            new Step(3, "CREATE INDEX soar_job_idempotency ON soar_job (idempotency_key)"),
            new Step(4, """
                    CREATE TABLE soar_follower (
                      job_id     VARCHAR(40)   NOT NULL,
                      name       VARCHAR(255)  NOT NULL,
                      query_file VARCHAR(4000) NOT NULL,
                      created_at TIMESTAMP     NOT NULL
                    )"""),
            new Step(5, "ALTER TABLE soar_job ADD COLUMN error_kind VARCHAR(20)"),
            // leases: the node that polls and downloads a job, until when (a node that dies loses its jobs to another)
            new Step(10, "ALTER TABLE soar_job ADD COLUMN owner_node VARCHAR(100)"),
            new Step(11, "ALTER TABLE soar_job ADD COLUMN lease_until TIMESTAMP"),
            // exactly once at SOAR: when the DEFERRED request was first sent (its reply may never have come)
            new Step(12, "ALTER TABLE soar_job ADD COLUMN sent_at TIMESTAMP"),
            // S3 multipart uploads whose abort S3 has not confirmed yet (see PendingAborts)
            new Step(13, """
                    CREATE TABLE soar_pending_abort (
                      bucket     VARCHAR(63)   NOT NULL,
                      object_key VARCHAR(1024) NOT NULL,
                      upload_id  VARCHAR(1024) NOT NULL,
                      job_id     VARCHAR(40),
                      attempts   INT           NOT NULL,
                      last_error VARCHAR(1000),
                      created_at TIMESTAMP     NOT NULL,
                      PRIMARY KEY (bucket, upload_id)
                    )""")));

    private JobSchema() {
    }
}
