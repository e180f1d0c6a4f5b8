package org.soardeferred;

import javax.sql.DataSource;

import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.ds.PGSimpleDataSource;

/** The mirror index's tests of MirrorStoreTest on a real PostgreSQL server, the multi-node store. */
class PostgresMirrorStoreTest extends MirrorStoreTest {

    @RegisterExtension
    static final LocalPostgres postgres = new LocalPostgres();

    @Override
    DataSource database() {
        PGSimpleDataSource pg = new PGSimpleDataSource();
        pg.setURL(postgres.jdbcUrl);
        pg.setUser(postgres.user);
        return pg;
    }
}
