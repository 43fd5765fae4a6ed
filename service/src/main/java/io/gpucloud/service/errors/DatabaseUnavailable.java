package io.gpucloud.service.errors;

import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The database cannot be reached (down, restarting, the pool out of connections): the API answers
 * 503 {@code {code: 503, message: "database unavailable, retry later"}} with {@code Retry-After: 2},
 * not 500, so clients retry. Any other database error keeps its mapping (a 500 with an error id).
 */
public final class DatabaseUnavailable {
  public static final String MESSAGE = "database unavailable, retry later";
  public static final int RETRY_AFTER_SECONDS = 2;

  /** MariaDB: ER_SERVER_SHUTDOWN, ER_CONNECTION_KILLED, ER_CON_COUNT_ERROR, ER_TOO_MANY_USER_CONNECTIONS. */
  private static final java.util.Set<Integer> UNAVAILABLE_CODES = java.util.Set.of(1053, 1927, 1040, 1203);

  private DatabaseUnavailable() {}

  /** Whether {@code e} (through its causes and chained SQL exceptions) is a failure to reach the database. */
  public static boolean is(Throwable e) {
    Map<Throwable, Boolean> seen = new IdentityHashMap<>();
    for (Throwable c = e; c != null && seen.put(c, true) == null; c = c.getCause()) {
      if (connectionFailure(c)) {
        return true;
      }
      if (c instanceof SQLException sql) {
        for (SQLException s = sql.getNextException(); s != null && seen.put(s, true) == null; s = s.getNextException()) {
          if (connectionFailure(s)) {
            return true;
          }
        }
      }
    }
    return false;
  }

  private static boolean connectionFailure(Throwable t) {
    if (t instanceof SQLTransientConnectionException || t instanceof SQLNonTransientConnectionException
        || t instanceof ConnectException || t instanceof NoRouteToHostException
        || t instanceof SocketTimeoutException) {
      return true;
    }
    // the pool waited maxWaitForConnection for a connection (tomcat-jdbc; named, not linked)
    if (t.getClass().getName().equals("org.apache.tomcat.jdbc.pool.PoolExhaustedException")) {
      return true;
    }
    if (t instanceof SQLException sql) {
      String state = sql.getSQLState();
      // SQLSTATE class 08: connection exception
      return state != null && state.startsWith("08") || UNAVAILABLE_CODES.contains(sql.getErrorCode());
    }
    return false;
  }

  /** The 503 answer. */
  public static Response response() {
    return Response.fromResponse(ErrorBody.response(503, MESSAGE))
        .header(HttpHeaders.RETRY_AFTER, String.valueOf(RETRY_AFTER_SECONDS))
        .build();
  }
}
