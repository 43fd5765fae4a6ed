package io.gpucloud.service.auth;

import io.dropwizard.auth.Authenticator;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** Looks up the SHA-256 of a Bearer key in api_keys. Never logs the key. */
public class ApiKeyAuthenticator implements Authenticator<String, Caller> {
  private final Jdbi jdbi;

  public ApiKeyAuthenticator(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  @Override
  public Optional<Caller> authenticate(String key) {
    if (!ApiKeys.looksLikeKey(key)) {
      return Optional.empty();
    }
    return authenticateHash(ApiKeys.hash(key));
  }

  /** The caller of the key whose SHA-256 is {@code hash} (the console's sessions keep the hash, never the key). */
  public Optional<Caller> authenticateHash(String hash) {
    return jdbi.withHandle(h -> h.createQuery(
                "SELECT u.id, u.name, u.account_id, a.domain_id, u.role"
                    + " FROM api_keys k JOIN users u ON u.id = k.user_id"
                    + " JOIN accounts a ON a.id = u.account_id"
                    + " WHERE k.key_hash = :hash")
            .bind("hash", hash)
            .map((rs, ctx) -> new Caller(
                rs.getString("id"),
                rs.getString("name"),
                rs.getString("account_id"),
                rs.getString("domain_id"),
                Role.valueOf(rs.getString("role"))))
            .findFirst());
  }
}
