package io.gpucloud.service.common;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gpucloud.service.ApiException;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The Idempotency-Key of a POST (table idempotency_keys, per user and key): the request's transaction
 * stores its reply, and the same key again answers with that reply and changes nothing. Two requests
 * racing with one key: the second one's insert of the reply fails on the primary key, its transaction
 * rolls back, and it answers with the winner's reply; so does one whose own work failed because the
 * winner's change came first (e.g. 409 for the state the winner left). A key used before for a different request
 * (another operation, another instance) is 409, never the other request's reply.
 *
 * @param <T> the stored reply, written as JSON
 */
public final class Idempotency<T> {
  public static final int MAX_KEY = 255;
  private static final ObjectMapper JSON = new ObjectMapper()
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private final Jdbi jdbi;
  private final Class<T> type;

  public Idempotency(Jdbi jdbi, Class<T> type) {
    this.jdbi = jdbi;
    this.type = type;
  }

  /** The header's value, validated (400 naming it); null when the request has none. */
  public static String key(String header) {
    return header == null ? null : Checks.required("Idempotency-Key", header, MAX_KEY);
  }

  /** A reply, and whether it is the stored reply of an earlier request with the same key. */
  public record Reply<T>(T value, boolean replayed) {}

  /**
   * Runs {@code work} in one transaction and stores its reply under {@code key} in that transaction;
   * with a key that has a stored reply, answers with it instead (409 when {@code sameRequest} says
   * the stored reply is of another request). A null key: just the transaction.
   */
  public Reply<T> once(String userId, String key, Predicate<T> sameRequest, Function<Handle, T> work) {
    try {
      return jdbi.inTransaction(h -> {
        if (key != null) {
          Optional<T> earlier = stored(h, userId, key);
          if (earlier.isPresent()) {
            return new Reply<>(checked(earlier.get(), sameRequest, key), true);
          }
        }
        T reply = work.apply(h);
        if (key != null) {
          h.createUpdate("INSERT INTO idempotency_keys (user_id, idem_key, status, body)"
                  + " VALUES (:userId, :key, 202, :body)")
              .bind("userId", userId).bind("key", key).bind("body", write(reply)).execute();
        }
        return new Reply<>(reply, false);
      });
    } catch (RuntimeException e) {
      if (key == null) {
        throw e;
      }
      // a concurrent request with the same key won (our insert of the reply failed on the key, or the
      // change it made refused ours, e.g. 409 for the state it left): answer with its reply
      Optional<T> earlier = jdbi.withHandle(h -> stored(h, userId, key));
      if (earlier.isEmpty()) {
        throw e;
      }
      return new Reply<>(checked(earlier.get(), sameRequest, key), true);
    }
  }

  private Optional<T> stored(Handle h, String userId, String key) {
    return h.createQuery("SELECT body FROM idempotency_keys WHERE user_id = :userId AND idem_key = :key")
        .bind("userId", userId).bind("key", key).mapTo(String.class).findOne().map(this::read);
  }

  private static <T> T checked(T reply, Predicate<T> sameRequest, String key) {
    if (!sameRequest.test(reply)) {
      throw ApiException.conflict("Idempotency-Key " + key + " was already used for another request");
    }
    return reply;
  }

  private String write(T reply) {
    try {
      return JSON.writeValueAsString(reply);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private T read(String body) {
    try {
      return JSON.readValue(body, type);
    } catch (JsonProcessingException e) {
      throw new ApiException(409, "the stored reply of this Idempotency-Key is of another kind of request");
    }
  }
}
