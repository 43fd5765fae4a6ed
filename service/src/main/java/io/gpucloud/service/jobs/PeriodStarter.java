package io.gpucloud.service.jobs;

import java.time.Instant;

/**
 * Starts the workflow of one period under its deterministic id and answers that id. A workflow
 * already started under that id counts as started (answer its id, do not throw): the id is what
 * makes a period run once, whoever started it first. Throws when the start failed (Temporal
 * unreachable, ...): the period is then still to do.
 */
@FunctionalInterface
public interface PeriodStarter {
  String start(Instant periodStart);
}
