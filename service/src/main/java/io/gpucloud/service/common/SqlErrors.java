package io.gpucloud.service.common;

import java.sql.SQLException;

/** Recognises MariaDB constraint violations under Jdbi's wrapping exceptions. */
public final class SqlErrors {
  /** ER_DUP_ENTRY: a unique key would be duplicated. */
  public static final int DUPLICATE_KEY = 1062;
  /** ER_ROW_IS_REFERENCED_2: a parent row still has children (delete refused by a foreign key). */
  public static final int ROW_REFERENCED = 1451;
  /** ER_NO_REFERENCED_ROW_2: a child row names a parent that does not exist. */
  public static final int NO_REFERENCED_ROW = 1452;

  private SqlErrors() {}

  public static boolean is(Throwable t, int errorCode) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof SQLException sql) {
        for (SQLException s = sql; s != null; s = s.getNextException()) {
          if (s.getErrorCode() == errorCode) {
            return true;
          }
        }
      }
      if (c.getCause() == c) {
        break;
      }
    }
    return false;
  }

  public static boolean duplicateKey(Throwable t) {
    return is(t, DUPLICATE_KEY);
  }

  public static boolean referenced(Throwable t) {
    return is(t, ROW_REFERENCED) || is(t, 1217 /* ER_ROW_IS_REFERENCED */);
  }

  public static boolean missingParent(Throwable t) {
    return is(t, NO_REFERENCED_ROW) || is(t, 1216 /* ER_NO_REFERENCED_ROW */);
  }
}
