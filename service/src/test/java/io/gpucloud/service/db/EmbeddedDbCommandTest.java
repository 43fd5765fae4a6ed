package io.gpucloud.service.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded MariaDB's account set-up (the server side is exercised by the integration tests' DbFaultTest). */
class EmbeddedDbCommandTest {
  @Test
  void passwordsAreLongRandomAndNeedNoQuoting() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 100; i++) {
      String p = EmbeddedDbCommand.randomPassword();
      assertThat(p).matches("[A-Za-z0-9]{32}");
      seen.add(p);
    }
    assertThat(seen).hasSize(100);
  }

  @Test
  void theUserGetsItsDatabaseOnlyAndRootAPassword() {
    String sql = EmbeddedDbCommand.setupSql("gpu_cloud", "gpucloud", "PW", "ROOTPW");
    assertThat(sql).startsWith("FLUSH PRIVILEGES;"); // grant tables loaded before CREATE USER
    assertThat(sql).contains("DELETE FROM mysql.global_priv WHERE User = '';")
        .contains("CREATE DATABASE IF NOT EXISTS `gpu_cloud`")
        .contains("CREATE OR REPLACE USER 'gpucloud'@'127.0.0.1' IDENTIFIED BY 'PW';")
        .contains("CREATE OR REPLACE USER 'gpucloud'@'localhost' IDENTIFIED BY 'PW';")
        // _ is a wildcard in a GRANT's database name: escaped, so the grant covers this database alone
        .contains("GRANT ALL PRIVILEGES ON `gpu\\_cloud`.* TO 'gpucloud'@'127.0.0.1';")
        .contains("'root'@'localhost' IDENTIFIED VIA mysql_native_password USING PASSWORD('ROOTPW') OR unix_socket;")
        .contains("'root'@'127.0.0.1' IDENTIFIED VIA mysql_native_password USING PASSWORD('ROOTPW');")
        .doesNotContain("ON *.* TO 'gpucloud'");
    assertThat(sql.strip()).endsWith("FLUSH PRIVILEGES;");
  }

  @Test
  void secretsAreTheOwnersAlone(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("sub/db-password");
    EmbeddedDbCommand.writeSecret(f, "one");
    EmbeddedDbCommand.writeSecret(f, "two");
    assertThat(Files.readString(f)).isEqualTo("two\n");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
    assertThat(Files.list(f.getParent())).hasSize(1);
  }
}
