package io.gpucloud.service.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First start: the ROOT domain ("/ROOT/"), the "admin" account, the "admin" user (role Admin) and
 * one API key. Replicas starting together serialize on a locking read of the ROOT domain row (READ
 * COMMITTED, so the re-check after the lock sees the other replica's commit): exactly one creates
 * the admin.
 */
public final class AdminBootstrap {
  private static final Logger LOG = LoggerFactory.getLogger(AdminBootstrap.class);
  /** Id used when this code creates the ROOT domain: a fixed id makes the insert itself idempotent. */
  public static final String ROOT_DOMAIN_ID = "00000000-0000-0000-0000-000000000001";
  public static final String ROOT_DOMAIN = "ROOT";
  public static final String ADMIN_ACCOUNT = "admin";
  public static final String ADMIN_USER = "admin";

  private AdminBootstrap() {}

  /** Creates the admin if there is none; returns the new key, or empty when an Admin already existed. */
  public static Optional<String> ensureAdmin(Jdbi jdbi) {
    return jdbi.inTransaction(TransactionIsolationLevel.READ_COMMITTED, AdminBootstrap::ensureAdmin);
  }

  /**
   * Creates the admin if there is none, its key written to {@code keyFile} (mode 600) before the admin
   * is committed: a key that cannot be written is not created (the start fails, naming the file, and
   * the next start tries again), rather than created and lost. The key is never logged or printed,
   * only the file's path. Whether an admin was created.
   */
  public static boolean ensureAdmin(Jdbi jdbi, Path keyFile) {
    return jdbi.inTransaction(TransactionIsolationLevel.READ_COMMITTED, h -> {
      Optional<String> key = ensureAdmin(h);
      key.ifPresent(k -> {
        writeKeyFile(keyFile, k);
        LOG.info("bootstrap: the admin API key is in {} (mode 600); it is not shown anywhere else",
            keyFile.toAbsolutePath());
      });
      return key.isPresent();
    });
  }

  private static Optional<String> ensureAdmin(Handle h) {
    String rootId = lockRoot(h).orElse(null);
    if (rootId == null) {
      h.createUpdate("INSERT IGNORE INTO domains (id, name, parent_id, path) VALUES (:id, :name, NULL, :path)")
          .bind("id", ROOT_DOMAIN_ID).bind("name", ROOT_DOMAIN).bind("path", "/" + ROOT_DOMAIN + "/")
          .execute();
      rootId = lockRoot(h).orElseThrow(() -> new IllegalStateException("ROOT domain could not be created"));
    }
    // the lock on the ROOT row is held: a second replica waits here until we commit
    int admins = h.createQuery("SELECT COUNT(*) FROM users WHERE role = :role")
        .bind("role", Role.Admin.name()).mapTo(Integer.class).one();
    if (admins > 0) {
      return Optional.empty();
    }
    String accountId = h.createQuery("SELECT id FROM accounts WHERE domain_id = :d AND name = :n")
        .bind("d", rootId).bind("n", ADMIN_ACCOUNT).mapTo(String.class).findFirst().orElse(null);
    if (accountId == null) {
      accountId = UUID.randomUUID().toString();
      h.createUpdate("INSERT INTO accounts (id, name, domain_id) VALUES (:id, :n, :d)")
          .bind("id", accountId).bind("n", ADMIN_ACCOUNT).bind("d", rootId).execute();
    }
    // user names are unique per account: the admin account's "admin", not a tenant's user of that name
    String userId = h.createQuery("SELECT id FROM users WHERE account_id = :a AND name = :n")
        .bind("a", accountId).bind("n", ADMIN_USER).mapTo(String.class).findFirst().orElse(null);
    if (userId == null) {
      userId = UUID.randomUUID().toString();
      h.createUpdate("INSERT INTO users (id, name, account_id, role) VALUES (:id, :n, :a, :r)")
          .bind("id", userId).bind("n", ADMIN_USER).bind("a", accountId).bind("r", Role.Admin.name())
          .execute();
    } else {
      // a non-admin user called "admin" exists (made by hand): promote it rather than fail to start
      h.createUpdate("UPDATE users SET role = :r WHERE id = :id")
          .bind("r", Role.Admin.name()).bind("id", userId).execute();
    }
    LOG.info("bootstrap: created admin user '{}' in account '{}' of domain /{}/", ADMIN_USER, ADMIN_ACCOUNT, ROOT_DOMAIN);
    return Optional.of(UserResource.insertKey(h, userId).key());
  }

  private static Optional<String> lockRoot(Handle h) {
    return h.createQuery("SELECT id FROM domains WHERE parent_id IS NULL AND name = :n ORDER BY created_at, id LIMIT 1 FOR UPDATE")
        .bind("n", ROOT_DOMAIN).mapTo(String.class).findFirst();
  }

  /** Writes the key (and a newline) to {@code file}, readable by the owner only. */
  public static void writeKeyFile(Path file, String key) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.deleteIfExists(tmp);
      try {
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (UnsupportedOperationException | FileAlreadyExistsException e) {
        Files.createFile(tmp);
      }
      Files.writeString(tmp, key + "\n", StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
      Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the admin API key to " + file, e);
    }
  }
}
