package io.gpucloud.service.events;

import io.gpucloud.service.ApiException;
import io.gpucloud.service.auth.Caller;
import io.gpucloud.service.auth.Scope;
import io.gpucloud.service.common.HookReasons;
import io.gpucloud.service.common.Checks;
import io.gpucloud.service.common.Iso;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import org.jdbi.v3.core.Jdbi;

/**
 * The events the caller sees, scoped like instances ({@link Scope}): an Admin every event, host
 * events included; a DomainAdmin the events of the accounts of its subtree (exact path prefix); a
 * User its own account's. Newest first.
 */
public class EventService {
  public static final int DEFAULT_LIMIT = 100;
  public static final int MAX_LIMIT = 1000;

  private final Jdbi jdbi;

  public EventService(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /** A listing's filters, validated; each null when absent. */
  public record Filter(String instanceId, String accountId, String type, Instant from, Instant to, int limit) {
    public static Filter of(String instanceId, String accountId, String type, String from, String to, String limit) {
      Instant f = time("from", from);
      Instant t = time("to", to);
      if (f != null && t != null && f.isAfter(t)) {
        throw ApiException.badRequest("from must not be after to");
      }
      return new Filter(Checks.optionalId("instanceId", instanceId), Checks.optionalId("accountId", accountId),
          Checks.optionalText("type", type, 64), f, t, parseLimit(limit));
    }
  }

  public List<EventView> list(Caller caller, Filter f) {
    return jdbi.withHandle(h -> {
      Scope scope = Scope.read(h, caller);
      // a LEFT JOIN keeps the events of no account (hosts) for the Admin, whose :prefix is null; for anyone
      // else d.path is null there and the scope condition is not true
      return h.createQuery("SELECT e.id, e.type, e.state, e.user_id, e.account_id, a.name AS account_name,"
              + " e.instance_id, e.host_id, e.workflow_id, e.description, e.created_at FROM events e"
              + " LEFT JOIN accounts a ON a.id = e.account_id LEFT JOIN domains d ON d.id = a.domain_id"
              + " WHERE " + Scope.SQL_IN_LIST_PREFIX
              + " AND (:prefix IS NULL OR e.account_id IS NOT NULL)"
              + " AND (:onlyAccount IS NULL OR e.account_id = :onlyAccount)"
              + " AND (:instanceId IS NULL OR e.instance_id = :instanceId)"
              + " AND (:accountId IS NULL OR e.account_id = :accountId)"
              + " AND (:type IS NULL OR e.type = :type)"
              + " AND (:from IS NULL OR e.created_at >= :from)"
              + " AND (:to IS NULL OR e.created_at <= :to)"
              + " ORDER BY e.created_at DESC, e.id LIMIT :limit")
          .bind("prefix", scope.listPrefix()).bind("onlyAccount", scope.onlyAccount())
          .bind("instanceId", f.instanceId()).bind("accountId", f.accountId()).bind("type", f.type())
          .bind("from", f.from() == null ? null : Timestamp.from(f.from()))
          .bind("to", f.to() == null ? null : Timestamp.from(f.to()))
          .bind("limit", f.limit())
          .map((rs, ctx) -> {
            Timestamp at = rs.getTimestamp("created_at");
            return new EventView(rs.getString("id"), rs.getString("type"), rs.getString("state"),
                rs.getString("user_id"), rs.getString("account_id"), rs.getString("account_name"),
                rs.getString("instance_id"), scope.isAdmin() ? rs.getString("host_id") : null,
                rs.getString("workflow_id"), HookReasons.forCaller(rs.getString("description"), scope.isAdmin()),
                Iso.of(at == null ? null : at.toInstant()));
          })
          .list();
    });
  }

  /** An ISO-8601 time with an offset (2026-01-31T12:00:00Z); 400 naming the field otherwise. */
  static Instant time(String field, String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      return OffsetDateTime.parse(value.trim()).toInstant();
    } catch (DateTimeParseException e) {
      throw ApiException.badRequest(field + " must be an ISO-8601 time with an offset, e.g. 2026-01-31T12:00:00Z");
    }
  }

  static int parseLimit(String value) {
    if (value == null || value.isBlank()) {
      return DEFAULT_LIMIT;
    }
    try {
      int l = Integer.parseInt(value.trim());
      if (l >= 1 && l <= MAX_LIMIT) {
        return l;
      }
    } catch (NumberFormatException e) {
      // the message below
    }
    throw ApiException.badRequest("limit must be an integer between 1 and " + MAX_LIMIT);
  }
}
