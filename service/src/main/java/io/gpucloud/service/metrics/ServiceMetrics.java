package io.gpucloud.service.metrics;

import io.dropwizard.core.setup.Environment;
import io.dropwizard.lifecycle.Managed;
import io.gpucloud.controlplane.metrics.ControlPlaneMetrics;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import org.jdbi.v3.core.Jdbi;

/**
 * Prometheus metrics on the admin port: {@code GET /metrics} (text format) serves one Micrometer
 * registry holding the control plane's metrics ({@link ControlPlaneMetrics}), the database gauges
 * ({@link DatabaseGauges}), the Temporal SDK's worker and client metrics (TemporalManaged reports into
 * the same registry) and the JVM's. Dropwizard's own JSON metrics, which its admin servlet would serve at
 * /metrics, move to {@code /metrics.json}.
 */
public final class ServiceMetrics {
  /** How long the database gauges are reused between scrapes. */
  public static final Duration DATABASE_CACHE = Duration.ofSeconds(5);
  /** Where Dropwizard's JSON metrics (its MetricRegistry: Jetty, Jersey, the pool) are served instead. */
  public static final String DROPWIZARD_JSON_PATH = "/metrics.json";

  private ServiceMetrics() {}

  /** Sets the registry up, makes the control plane record into it, and registers the servlet; before TemporalManaged. */
  public static PrometheusMeterRegistry install(Environment env, Jdbi jdbi) {
    PrometheusMeterRegistry registry = registry();
    DatabaseGauges gauges = new DatabaseGauges(registry, DatabaseGauges.database(jdbi), DATABASE_CACHE);
    JvmGcMetrics gc = new JvmGcMetrics();
    gc.bindTo(registry);
    env.lifecycle().manage(new Managed() {
      @Override
      public void stop() {
        gc.close();
      }
    });
    // metrics' AdminServlet (mapped to /*) reads its paths from the context's init parameters; the exact
    // mapping below would win over /* anyway, this keeps the JSON reachable (and the admin menu right)
    env.admin().setInitParameter("metrics-uri", DROPWIZARD_JSON_PATH);
    env.admin().addServlet("metrics-prometheus", new PrometheusServlet(registry, gauges)).addMapping("/metrics");
    return registry;
  }

  /** A Prometheus registry with the JVM binders (but GC's, which needs closing), used by the control plane. */
  static PrometheusMeterRegistry registry() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    ControlPlaneMetrics.use(registry);
    return registry;
  }
}
