package io.gpucloud.controlplane.usage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import org.jdbi.v3.core.Handle;

/**
 * Streams a day's usage records in export order (period, instance, type). With a fetch size MariaDB
 * Connector/J reads the result in batches, so memory stays bounded however many records the day has.
 */
final class UsageRecordReader {
  static final int FETCH_SIZE = 4096;

  /** What receives each record's values, in order. */
  interface Sink {
    void accept(String[] values) throws IOException;
  }

  private UsageRecordReader() {}

  /** Feeds every record with period_start in [from, to) to the sink; returns how many. */
  static long stream(Handle h, Instant from, Instant to, Sink sink) throws IOException {
    long[] n = new long[1];
    try {
      h.createQuery("SELECT " + UsageRecordColumns.selectList() + " FROM usage_records"
              + " WHERE period_start >= :from AND period_start < :to ORDER BY period_start, instance_id, usage_type")
          .bind("from", UsageGenerator.sqlTime(from)).bind("to", UsageGenerator.sqlTime(to))
          .setFetchSize(FETCH_SIZE)
          .map((rs, ctx) -> UsageRecordColumns.read(rs))
          .forEach(values -> {
            try {
              sink.accept(values);
              n[0]++;
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    return n[0];
  }
}
