package io.gpucloud.service.metrics;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;

/**
 * {@code GET /metrics} on the admin port: the registry in Prometheus text format (OpenMetrics when the
 * scraper asks for it in Accept), the database gauges refreshed first when they are older than their
 * cache time.
 */
public final class PrometheusServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;
  static final String TEXT = "text/plain; version=0.0.4; charset=utf-8";
  static final String OPEN_METRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";

  private final transient PrometheusMeterRegistry registry;
  private final transient DatabaseGauges gauges;

  public PrometheusServlet(PrometheusMeterRegistry registry, DatabaseGauges gauges) {
    this.registry = registry;
    this.gauges = gauges;
  }

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    gauges.refresh();
    String accept = req.getHeader("Accept");
    String contentType = accept != null && accept.contains("application/openmetrics-text") ? OPEN_METRICS : TEXT;
    resp.setStatus(HttpServletResponse.SC_OK);
    resp.setContentType(contentType);
    resp.setHeader("Cache-Control", "no-store");
    try (OutputStream out = resp.getOutputStream()) {
      registry.scrape(out, contentType);
    }
  }
}
