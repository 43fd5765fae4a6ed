package io.gpucloud.service;

import io.gpucloud.migrations.Migrations;
import io.gpucloud.service.auth.AdminBootstrap;
import io.gpucloud.service.auth.Caller;
import io.gpucloud.service.auth.Role;
import java.sql.SQLException;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;
import org.mariadb.jdbc.MariaDbDataSource;

/**
 * The MariaDB of the service's database tests, named by GPUCLOUD_API_TEST_DB_URL (a JDBC URL of a
 * database the tests may migrate and write to, e.g. {@code jdbc:mariadb://127.0.0.1:3306/t?user=t}).
 * Without it a database test fails, never skips: a green build must have run them. {@code make test}
 * and {@code make unit} set it through scripts/with-test-db.sh, which starts a throw-away MariaDB.
 */
public final class TestDatabase {
  public static final String ENV = "GPUCLOUD_API_TEST_DB_URL";
  private static Jdbi jdbi;
  private static Caller admin;

  private TestDatabase() {}

  /** The URL; an AssertionError that says how to run the tests when it is not set. */
  public static String url() {
    String url = System.getenv(ENV);
    if (url == null || url.isBlank()) {
      throw new AssertionError(ENV + " is not set: the service's database tests need a MariaDB. Run them"
          + " with `make test` (or `make unit`), or `scripts/with-test-db.sh mvn verify`, which start a"
          + " throw-away MariaDB and set it; or set it to a JDBC URL of a database the tests may migrate"
          + " and write to.");
    }
    return url;
  }

  /** A Jdbi (SqlObject plugin installed) on the migrated test database; migrated once per JVM. */
  public static synchronized Jdbi jdbi() {
    if (jdbi == null) {
      try {
        MariaDbDataSource ds = new MariaDbDataSource(url());
        Migrations.migrate(ds);
        jdbi = Jdbi.create(ds).installPlugin(new SqlObjectPlugin());
      } catch (SQLException e) {
        throw new IllegalStateException("test database " + System.getenv(ENV) + ": " + e.getMessage(), e);
      }
    }
    return jdbi;
  }

  /** The first Admin of the test database (the bootstrap one, created when there is none). */
  public static synchronized Caller admin() {
    if (admin == null) {
      Jdbi j = jdbi();
      AdminBootstrap.ensureAdmin(j);
      admin = j.withHandle(h -> h.createQuery("SELECT u.id, u.name, u.account_id, a.domain_id FROM users u"
              + " JOIN accounts a ON a.id = u.account_id WHERE u.role = 'Admin' ORDER BY u.created_at LIMIT 1")
          .map((rs, ctx) -> new Caller(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), Role.Admin))
          .one());
    }
    return admin;
  }
}
