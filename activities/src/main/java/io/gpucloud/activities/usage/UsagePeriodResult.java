package io.gpucloud.activities.usage;

import java.time.Instant;

/**
 * What generating one period did: the instances that existed in it, the records it wrote now (0 on
 * a re-run) and the records the period holds in all.
 */
public record UsagePeriodResult(Instant start, Instant end, int instances, int written, int records) {}
