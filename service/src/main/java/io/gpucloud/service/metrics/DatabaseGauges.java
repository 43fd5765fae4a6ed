package io.gpucloud.service.metrics;

import io.gpucloud.activities.instance.InstanceState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gauges read from MariaDB: {@code gpucloud_gpu_devices{host,card,profile,state}},
 * {@code gpucloud_instances{state}}, {@code gpucloud_queue_length} and
 * {@code gpucloud_queue_oldest_wait_seconds}. Loaded when a scrape asks ({@link #refresh}), at most once
 * per {@code maxAge} however many scrapers there are; a load that fails keeps the last values and counts
 * {@code gpucloud_metrics_database_failures_total}, so a scrape never fails because the database is away.
 * The figures are the database's, hence the same on every replica: aggregate them with max, not sum.
 */
public final class DatabaseGauges {
  private static final Logger LOG = LoggerFactory.getLogger(DatabaseGauges.class);

  /** Devices of one host, card, vGPU profile ("none": a physical GPU that backs vGPUs) and state. */
  public record DeviceCount(String host, String card, String profile, String state, long count) {}

  /** One look at the database. */
  public record Snapshot(List<DeviceCount> devices, Map<String, Long> instancesByState, long queued,
      double oldestQueuedSeconds) {}

  /** Where the figures come from (the database; a fake in tests). */
  public interface Source {
    Snapshot load();
  }

  /** The states reported even when no instance is in them (0), so that a series does not vanish. */
  static final List<String> KNOWN_STATES;

  static {
    List<String> states = new ArrayList<>();
    for (InstanceState s : InstanceState.values()) {
      states.add(s.name());
    }
    states.add("Queued"); // a deploy waiting for capacity
    KNOWN_STATES = List.copyOf(states);
  }

  private final Source source;
  private final long maxAgeNanos;
  private final LongSupplier nanoClock;
  private final MultiGauge devices;
  private final MultiGauge instances;
  private final Counter failures;
  private volatile Snapshot last = new Snapshot(List.of(), Map.of(), 0, 0);
  private long loadedAt;
  private boolean loaded;

  public DatabaseGauges(MeterRegistry registry, Source source, Duration maxAge) {
    this(registry, source, maxAge, System::nanoTime);
  }

  DatabaseGauges(MeterRegistry registry, Source source, Duration maxAge, LongSupplier nanoClock) {
    this.source = source;
    this.maxAgeNanos = maxAge.toNanos();
    this.nanoClock = nanoClock;
    devices = MultiGauge.builder("gpucloud.gpu.devices")
        .description("GPU devices by host, card, vGPU profile and state (Free, Reserved, Allocated, ...)")
        .register(registry);
    instances = MultiGauge.builder("gpucloud.instances")
        .description("Instances by state")
        .register(registry);
    Gauge.builder("gpucloud.queue.length", this, g -> g.last.queued())
        .description("Deploys waiting in state Queued")
        .strongReference(true)
        .register(registry);
    Gauge.builder("gpucloud.queue.oldest.wait", this, g -> g.last.oldestQueuedSeconds())
        .description("How long the oldest Queued deploy has waited (0 when none waits)")
        .baseUnit("seconds")
        .strongReference(true)
        .register(registry);
    failures = Counter.builder("gpucloud.metrics.database.failures")
        .description("Scrapes whose database figures could not be loaded (the previous ones were shown)")
        .register(registry);
  }

  /** Loads the figures when the last load is older than maxAge (or there was none). */
  public synchronized void refresh() {
    long now = nanoClock.getAsLong();
    if (loaded && now - loadedAt < maxAgeNanos) {
      return;
    }
    Snapshot s;
    try {
      s = source.load();
    } catch (RuntimeException e) {
      failures.increment();
      LOG.warn("metrics: cannot read the database figures, showing the previous ones: {}", e.toString());
      loadedAt = now; // do not hammer a database that is away: next try after maxAge
      loaded = true;
      return;
    }
    apply(s);
    loadedAt = now;
    loaded = true;
  }

  private void apply(Snapshot s) {
    List<MultiGauge.Row<?>> deviceRows = new ArrayList<>();
    for (DeviceCount d : s.devices()) {
      deviceRows.add(MultiGauge.Row.of(
          Tags.of("host", d.host(), "card", d.card(), "profile", d.profile(), "state", d.state()), d.count()));
    }
    devices.register(deviceRows, true);
    Map<String, Long> byState = new LinkedHashMap<>();
    KNOWN_STATES.forEach(st -> byState.put(st, 0L));
    byState.putAll(s.instancesByState());
    List<MultiGauge.Row<?>> instanceRows = new ArrayList<>();
    byState.forEach((state, n) -> instanceRows.add(MultiGauge.Row.of(Tags.of("state", state), n)));
    instances.register(instanceRows, true);
    last = s;
  }

  /** The figures from MariaDB: three small queries (one GROUP BY each for devices and instances). */
  public static Source database(Jdbi jdbi) {
    return () -> jdbi.withHandle(h -> {
      List<DeviceCount> devices = h.createQuery("SELECT h.name, c.name, COALESCE(p.name, 'none'), d.state, COUNT(*)"
              + " FROM gpu_devices d JOIN hosts h ON h.id = d.host_id JOIN gpu_cards c ON c.id = d.card_id"
              + " LEFT JOIN vgpu_profiles p ON p.id = d.profile_id"
              + " GROUP BY h.name, c.name, p.name, d.state ORDER BY h.name, c.name, p.name, d.state")
          .setQueryTimeout(5)
          .map((rs, ctx) -> new DeviceCount(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
              rs.getLong(5)))
          .list();
      Map<String, Long> byState = new LinkedHashMap<>();
      h.createQuery("SELECT state, COUNT(*) FROM instances GROUP BY state ORDER BY state")
          .setQueryTimeout(5)
          .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getLong(2)))
          .forEach(e -> byState.put(e.getKey(), e.getValue()));
      // when each Queued instance last entered Queued (its state history), the oldest of them
      return h.createQuery("SELECT COUNT(*), COALESCE(TIMESTAMPDIFF(MICROSECOND, MIN(q.entered), CURRENT_TIMESTAMP(6)), 0)"
              + " FROM (SELECT (SELECT MAX(c.changed_at) FROM instance_state_changes c WHERE c.instance_id = i.id"
              + " AND c.state = 'Queued') AS entered FROM instances i WHERE i.state = 'Queued') q")
          .setQueryTimeout(5)
          .map((rs, ctx) -> new Snapshot(devices, byState, rs.getLong(1), Math.max(0, rs.getLong(2)) / 1e6))
          .one();
    });
  }
}
