package io.gpucloud.service.console;

import io.gpucloud.service.auth.ApiKeyAuthenticator;
import io.gpucloud.service.auth.ApiKeys;
import io.gpucloud.service.auth.Caller;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * Console sessions in MariaDB (console_sessions, V14), so every replica sees them. A row holds the
 * session token's hash, the id and hash of the API key it was opened with, and the CSRF token; never
 * the token or the key. Each request re-reads the key's user through {@link ApiKeyAuthenticator}: a
 * revoked key (its row gone, and the session's with it) or a deleted user ends the session.
 */
public class SessionStore {
  /** A signed-in request: who, and the CSRF token its forms carry. */
  public record ConsoleSession(String tokenHash, Caller caller, String csrf) {}

  /** A new session: the token for the cookie (shown to the browser only). */
  public record Opened(String token, ConsoleSession session) {}

  private final Jdbi jdbi;
  private final ApiKeyAuthenticator keys;
  private final Duration idle;
  private final Clock clock;

  public SessionStore(Jdbi jdbi, ApiKeyAuthenticator keys, Duration idle, Clock clock) {
    this.jdbi = jdbi;
    this.keys = keys;
    this.idle = idle;
    this.clock = clock;
  }

  public Duration idle() {
    return idle;
  }

  /** Signs in with an API key: empty when the key is not (or no longer) valid. */
  public Optional<Opened> open(String apiKey) {
    if (!ApiKeys.looksLikeKey(apiKey)) {
      return Optional.empty();
    }
    String keyHash = ApiKeys.hash(apiKey);
    Optional<Caller> caller = keys.authenticateHash(keyHash);
    if (caller.isEmpty()) {
      return Optional.empty();
    }
    String token = Sessions.newToken();
    String csrf = Sessions.newToken();
    String tokenHash = Sessions.hash(token);
    int n = jdbi.withHandle(h -> h.createUpdate(
            "INSERT INTO console_sessions (token_hash, api_key_id, key_hash, csrf_token, created_at, last_seen_at)"
                + " SELECT :token, id, key_hash, :csrf, :now, :now FROM api_keys WHERE key_hash = :key")
        .bind("token", tokenHash).bind("csrf", csrf).bind("key", keyHash).bind("now", clock.instant())
        .execute());
    if (n != 1) {
      return Optional.empty(); // revoked between the two statements
    }
    purgeExpired();
    return Optional.of(new Opened(token, new ConsoleSession(tokenHash, caller.get(), csrf)));
  }

  /** The session of a cookie's token, touched; empty when unknown, idle too long, or its key is gone. */
  public Optional<ConsoleSession> find(String token) {
    if (!Sessions.looksLikeToken(token)) {
      return Optional.empty();
    }
    String tokenHash = Sessions.hash(token);
    record Row(String keyHash, String csrf, Instant lastSeen) {}
    Optional<Row> row = jdbi.withHandle(h -> h.createQuery(
            "SELECT s.key_hash, s.csrf_token, s.last_seen_at FROM console_sessions s"
                + " JOIN api_keys k ON k.id = s.api_key_id AND k.key_hash = s.key_hash WHERE s.token_hash = :t")
        .bind("t", tokenHash)
        .map((rs, ctx) -> new Row(rs.getString(1), rs.getString(2), rs.getTimestamp(3).toInstant()))
        .findFirst());
    Instant now = clock.instant();
    if (row.isEmpty() || Sessions.expired(row.get().lastSeen(), now, idle)) {
      row.ifPresent(r -> close(token));
      return Optional.empty();
    }
    Optional<Caller> caller = keys.authenticateHash(row.get().keyHash());
    if (caller.isEmpty()) {
      close(token);
      return Optional.empty();
    }
    jdbi.useHandle(h -> h.createUpdate("UPDATE console_sessions SET last_seen_at = :now WHERE token_hash = :t")
        .bind("now", now).bind("t", tokenHash).execute());
    return Optional.of(new ConsoleSession(tokenHash, caller.get(), row.get().csrf()));
  }

  /** Signs out. */
  public void close(String token) {
    if (token == null) {
      return;
    }
    jdbi.useHandle(h -> h.createUpdate("DELETE FROM console_sessions WHERE token_hash = :t")
        .bind("t", Sessions.hash(token)).execute());
  }

  private void purgeExpired() {
    jdbi.useHandle(h -> h.createUpdate("DELETE FROM console_sessions WHERE last_seen_at < :before")
        .bind("before", clock.instant().minus(idle)).execute());
  }
}
