package io.gpucloud.service.db;

import com.codahale.metrics.health.HealthCheck;
import org.jdbi.v3.core.Jdbi;

/** SELECT 1 through the pool. */
public class DatabaseHealthCheck extends HealthCheck {
  private final Jdbi jdbi;

  public DatabaseHealthCheck(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  @Override
  protected Result check() {
    try {
      int one = jdbi.withHandle(h -> h.createQuery("SELECT 1").mapTo(Integer.class).one());
      return one == 1 ? Result.healthy() : Result.unhealthy("SELECT 1 returned " + one);
    } catch (RuntimeException e) {
      return Result.unhealthy("database unreachable: " + e.getMessage());
    }
  }
}
