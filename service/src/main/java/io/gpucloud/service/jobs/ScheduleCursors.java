package io.gpucloud.service.jobs;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cursors of the scheduled jobs (table schedule_cursors): per job, the start of the next period
 * it must still start a workflow for. The cursor, not the trigger, says what is due, so a service
 * that was down (or a misfired trigger) catches every missed period up in order at its next fire.
 * next_period is a DATETIME holding UTC, bound as a LocalDateTime so that no time zone of the JVM or
 * the session shifts it.
 */
public class ScheduleCursors {
  private static final Logger LOG = LoggerFactory.getLogger(ScheduleCursors.class);

  public record Cursor(String name, Instant nextPeriod, String lastWorkflowId, Instant lastFiredAt) {}

  /** What one catch-up did: the workflow ids started (or found started) in order, and the cursor after it. */
  public record CatchUp(List<String> workflowIds, Instant nextPeriod, RuntimeException failure) {
    public boolean failed() {
      return failure != null;
    }
  }

  private final Jdbi jdbi;

  public ScheduleCursors(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  public Optional<Cursor> get(String name) {
    return jdbi.withHandle(h -> h.createQuery(
            "SELECT name, next_period, last_workflow_id, last_fired_at FROM schedule_cursors WHERE name = :name")
        .bind("name", name)
        .map((rs, ctx) -> new Cursor(rs.getString(1), utc(rs.getObject(2, LocalDateTime.class)), rs.getString(3),
            instant(rs.getTimestamp(4))))
        .findOne());
  }

  /**
   * Starts, in order, the workflow of every period from the cursor up to {@code lastDue} (inclusive),
   * advancing the cursor after each start. Each step is its own transaction that inserts the row
   * when missing (INSERT IGNORE, at {@code initial}), locks it (SELECT ... FOR UPDATE), starts, and
   * advances: two replicas never both start from the same cursor value, and a crash between a start
   * and its commit only makes the next fire start the same id again, which the deterministic id
   * turns into "already started". The first failed start stops the catch-up (no period is ever
   * skipped); the next fire retries from there.
   *
   * @param initial where a job without a cursor row starts; asked at most once, only when there is no row
   */
  public CatchUp catchUp(String name, Supplier<Instant> initial, Instant lastDue, UnaryOperator<Instant> next,
      PeriodStarter starter, Instant now) {
    List<String> ids = new ArrayList<>();
    Instant[] initialValue = new Instant[1];
    while (true) {
      Step step;
      try {
        step = jdbi.inTransaction(TransactionIsolationLevel.READ_COMMITTED, h -> {
          if (!exists(h, name)) {
            if (initialValue[0] == null) {
              initialValue[0] = initial.get();
            }
            h.createUpdate("INSERT IGNORE INTO schedule_cursors (name, next_period) VALUES (:name, :next)")
                .bind("name", name).bind("next", local(initialValue[0])).execute();
          }
          Instant cursor = h.createQuery("SELECT next_period FROM schedule_cursors WHERE name = :name FOR UPDATE")
              .bind("name", name)
              .map((rs, ctx) -> utc(rs.getObject(1, LocalDateTime.class)))
              .one();
          if (cursor.isAfter(lastDue)) {
            return new Step(cursor, null);
          }
          String id = starter.start(cursor); // throws: rolled back, the cursor stays on this period
          Instant advanced = next.apply(cursor);
          h.createUpdate("UPDATE schedule_cursors SET next_period = :next, last_workflow_id = :id,"
                  + " last_fired_at = :at WHERE name = :name")
              .bind("next", local(advanced)).bind("id", id).bind("at", Timestamp.from(now)).bind("name", name)
              .execute();
          return new Step(advanced, id);
        });
      } catch (RuntimeException e) {
        // the cause says why (Temporal unreachable, ...); never a secret: ids and periods only
        Instant at = cursorAfterFailure(name);
        LOG.warn("schedule {}: start of the period {} failed ({}: {}); it is retried at the next fire",
            name, at, e.getClass().getName(), e.getMessage());
        return new CatchUp(ids, at, e);
      }
      if (step.workflowId() == null) {
        return new CatchUp(ids, step.cursor(), null);
      }
      ids.add(step.workflowId());
    }
  }

  /** Records a job's run without a catch-up (discovery: only the current period counts). */
  public void record(String name, Instant nextPeriod, String lastWorkflowId, Instant now) {
    jdbi.useHandle(h -> h.createUpdate("INSERT INTO schedule_cursors (name, next_period, last_workflow_id, last_fired_at)"
            + " VALUES (:name, :next, :id, :at) ON DUPLICATE KEY UPDATE next_period = VALUES(next_period),"
            + " last_workflow_id = COALESCE(VALUES(last_workflow_id), last_workflow_id),"
            + " last_fired_at = VALUES(last_fired_at)")
        .bind("name", name).bind("next", local(nextPeriod)).bind("id", lastWorkflowId)
        .bind("at", Timestamp.from(now)).execute());
  }

  private record Step(Instant cursor, String workflowId) {}

  /** The cursor the failed step left (unchanged: its transaction rolled back); null when the database fails too. */
  private Instant cursorAfterFailure(String name) {
    try {
      return get(name).map(Cursor::nextPeriod).orElse(null);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static boolean exists(Handle h, String name) {
    return h.createQuery("SELECT COUNT(*) FROM schedule_cursors WHERE name = :name")
        .bind("name", name).mapTo(Integer.class).one() > 0;
  }

  static LocalDateTime local(Instant t) {
    return LocalDateTime.ofInstant(t, ZoneOffset.UTC);
  }

  static Instant utc(LocalDateTime t) {
    return t == null ? null : t.toInstant(ZoneOffset.UTC);
  }

  private static Instant instant(Timestamp t) {
    return t == null ? null : t.toInstant();
  }
}
