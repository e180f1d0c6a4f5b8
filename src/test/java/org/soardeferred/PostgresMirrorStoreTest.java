package org.soardeferred;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.postgresql.ds.PGSimpleDataSource;

/** The mirror index's tests of MirrorStoreTest on a real PostgreSQL server, the multi-node store. */
class PostgresMirrorStoreTest extends MirrorStoreTest {

    static LocalPostgres postgres;

    @BeforeAll
    static void startPostgres() throws Exception {
        postgres = new LocalPostgres();
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        postgres.close();
    }

    @Override
    DataSource database() {
        PGSimpleDataSource pg = new PGSimpleDataSource();
        pg.setURL(postgres.jdbcUrl);
        pg.setUser(postgres.user);
        return pg;
    }
}
