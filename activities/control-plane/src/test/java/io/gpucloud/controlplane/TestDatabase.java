package io.gpucloud.controlplane;

import io.gpucloud.migrations.Migrations;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;
import org.mariadb.jdbc.MariaDbDataSource;

/**
 * The MariaDB of the control plane's database tests: the server GPUCLOUD_API_TEST_DB_URL names (a
 * JDBC URL, e.g. {@code jdbc:mariadb://127.0.0.1:3306/t?user=t}), in a database of its own beside the
 * one the URL names ({@code <name>_controlplane}, created when missing, migrated with Flyway), so the
 * service's database tests never see these tests' hosts and instances. Without the URL a database
 * test fails, never skips: a green build must have run them. {@code make test} and {@code make unit}
 * set it through scripts/with-test-db.sh, which starts a throw-away MariaDB.
 */
public final class TestDatabase {
  public static final String ENV = "GPUCLOUD_API_TEST_DB_URL";
  private static Jdbi jdbi;
  private static MariaDbDataSource dataSource;

  private TestDatabase() {}

  /** The URL; an AssertionError that says how to run the tests when it is not set. */
  public static String url() {
    String url = System.getenv(ENV);
    if (url == null || url.isBlank()) {
      throw new AssertionError(ENV + " is not set: the control plane's database tests need a MariaDB. Run them"
          + " with `make test` (or `make unit`), or `scripts/with-test-db.sh mvn -B -pl activities/control-plane -am"
          + " verify`, which start a throw-away MariaDB and set it; or set it to a JDBC URL of a server where the"
          + " tests may create and migrate the database <name>_controlplane.");
    }
    return url;
  }

  /** The data source under {@link #jdbi()} (migrated). */
  public static synchronized MariaDbDataSource dataSource() {
    jdbi();
    return dataSource;
  }

  /** A Jdbi (SqlObject plugin installed) on the migrated test database; migrated once per JVM. */
  public static synchronized Jdbi jdbi() {
    if (jdbi == null) {
      String url = url();
      int slash = url.indexOf('/', "jdbc:mariadb://".length());
      int query = url.indexOf('?', slash);
      if (!url.startsWith("jdbc:mariadb://") || slash < 0) {
        throw new AssertionError(ENV + " must be a jdbc:mariadb://host:port/database URL, not " + url);
      }
      String name = (query < 0 ? url.substring(slash + 1) : url.substring(slash + 1, query)) + "_controlplane";
      String own = url.substring(0, slash + 1) + name + (query < 0 ? "" : url.substring(query));
      try {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
          s.execute("CREATE DATABASE IF NOT EXISTS `" + name + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
        }
        MariaDbDataSource ds = new MariaDbDataSource(own);
        Migrations.migrate(ds);
        dataSource = ds;
        jdbi = Jdbi.create(ds).installPlugin(new SqlObjectPlugin());
      } catch (SQLException e) {
        throw new IllegalStateException("test database " + own + ": " + e.getMessage(), e);
      }
    }
    return jdbi;
  }
}
