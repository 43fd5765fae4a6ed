package io.gpucloud.service.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.gpucloud.migrations.Migrations;
import io.gpucloud.service.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mariadb.jdbc.MariaDbDataSource;
import org.slf4j.LoggerFactory;

/**
 * The first start's admin key goes to its key file (mode 600) and nowhere else: not to stdout, not
 * to the log. On a database of its own (the shared test database has its admin already).
 */
class AdminBootstrapDatabaseTest {
  @TempDir Path dir;
  private String url;
  private String name;
  private Jdbi jdbi;

  @BeforeEach
  void freshDatabase() throws Exception {
    String base = TestDatabase.url();
    int slash = base.indexOf('/', "jdbc:mariadb://".length());
    int query = base.indexOf('?', slash);
    name = "bootstrap_" + UUID.randomUUID().toString().substring(0, 8);
    url = base.substring(0, slash + 1) + name + (query < 0 ? "" : base.substring(query));
    try (Connection c = DriverManager.getConnection(base); Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE `" + name + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
    }
    MariaDbDataSource ds = new MariaDbDataSource(url);
    Migrations.migrate(ds);
    jdbi = Jdbi.create(ds).installPlugin(new SqlObjectPlugin());
  }

  @AfterEach
  void dropIt() throws Exception {
    try (Connection c = DriverManager.getConnection(TestDatabase.url()); Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS `" + name + "`");
    }
  }

  private int admins() {
    return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM users WHERE role = 'Admin'").mapTo(Integer.class)
        .one());
  }

  @Test
  void theKeyIsWrittenToItsFileOnlyNeverLoggedOrPrinted() throws Exception {
    Path keyFile = dir.resolve("data/admin-api-key");
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ListAppender<ILoggingEvent> log = new ListAppender<>();
    log.start();
    root.addAppender(log);
    PrintStream out = System.out;
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
    boolean created;
    try {
      created = AdminBootstrap.ensureAdmin(jdbi, keyFile);
    } finally {
      System.setOut(out);
      root.detachAppender(log);
    }

    assertThat(created).isTrue();
    String key = Files.readString(keyFile).trim();
    assertThat(ApiKeys.looksLikeKey(key)).isTrue();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile))).isEqualTo("rw-------");
    assertThat(new ApiKeyAuthenticator(jdbi).authenticate(key)).get().extracting(Caller::role).isEqualTo(Role.Admin);
    assertThat(printed.toString(StandardCharsets.UTF_8)).doesNotContain(key);
    assertThat(log.list).isNotEmpty().allSatisfy(e -> assertThat(e.getFormattedMessage()).doesNotContain(key));
    assertThat(log.list).anySatisfy(e -> assertThat(e.getFormattedMessage()).contains(keyFile.toString()));

    // a second start (or replica) creates nothing and leaves the file alone
    assertThat(AdminBootstrap.ensureAdmin(jdbi, keyFile)).isFalse();
    assertThat(Files.readString(keyFile).trim()).isEqualTo(key);
    assertThat(admins()).isEqualTo(1);
  }

  @Test
  void aKeyThatCannotBeWrittenIsNotCreated() throws Exception {
    Path notADirectory = Files.writeString(dir.resolve("file"), "x");
    Path keyFile = notADirectory.resolve("admin-api-key");

    assertThatThrownBy(() -> AdminBootstrap.ensureAdmin(jdbi, keyFile)).hasMessageContaining(keyFile.toString());

    assertThat(admins()).isZero(); // the next start tries again, instead of an admin whose key is lost
    assertThat(AdminBootstrap.ensureAdmin(jdbi, dir.resolve("admin-api-key"))).isTrue();
  }
}
