package io.gpucloud.workflows;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpucloud.activities.inventory.InventoryActivities;
import io.gpucloud.activities.usage.UsageActivities;
import io.gpucloud.activities.usage.UsageExportResult;
import io.gpucloud.activities.usage.UsagePeriodResult;
import io.gpucloud.activities.usage.UsagePeriods;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class UsageWorkflowTest {
  static final Duration HOUR = Duration.ofHours(1);
  static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");

  TestWorkflowEnvironment env;
  WorkflowClient client;
  final FakeUsage usage = new FakeUsage();

  void start(Instant initialTime) {
    env = TestWorkflowEnvironment.newInstance(
        TestEnvironmentOptions.newBuilder().setInitialTimeMillis(initialTime.toEpochMilli()).build());
    client = env.getWorkflowClient();
    Worker cp = env.newWorker(InventoryActivities.CONTROL_PLANE_QUEUE);
    cp.registerWorkflowImplementationTypes(UsageWorkflowImpl.class);
    cp.registerWorkflowImplementationFactory(UsageExportWorkflow.class, () -> new UsageExportWorkflowImpl(HOUR));
    cp.registerActivitiesImplementations(usage);
    env.start();
  }

  @AfterEach
  void tearDown() {
    if (env != null) {
      env.close();
    }
  }

  @Test
  void usageWaitsUntilThePeriodClosedThenGeneratesItOnce() {
    start(T0.plusSeconds(600)); // started 10 min into the period
    UsageWorkflow wf = client.newWorkflowStub(UsageWorkflow.class, UsageStarter.usageOptions(T0));
    WorkflowClient.start(wf::generate, T0, T0.plus(HOUR));
    env.sleep(Duration.ofMinutes(49));
    assertThat(usage.generated).isEmpty(); // still inside the period
    UsagePeriodResult r = WorkflowStub.fromTyped(wf).getResult(UsagePeriodResult.class);
    assertThat(usage.generated).containsExactly(T0);
    assertThat(usage.generatedAt.get(0)).isAfterOrEqualTo(T0.plus(HOUR).plus(UsageWorkflowImpl.SETTLE));
    assertThat(usage.workflowIds).containsExactly(UsagePeriods.workflowId(T0));
    assertThat(r).isEqualTo(new UsagePeriodResult(T0, T0.plus(HOUR), 3, 6, 6));
  }

  @Test
  void usageOfAClosedPeriodGeneratesAtOnce() {
    start(T0.plus(Duration.ofHours(5)));
    UsageWorkflow wf = client.newWorkflowStub(UsageWorkflow.class, UsageStarter.usageOptions(T0));
    UsagePeriodResult r = wf.generate(T0, T0.plus(HOUR));
    assertThat(r.start()).isEqualTo(T0);
    assertThat(usage.generated).containsExactly(T0);
    assertThat(usage.generatedAt.get(0)).isBefore(T0.plus(Duration.ofHours(5)).plusSeconds(60)); // no timer: only real time passed
  }

  @Test
  void failingGenerateIsRetriedUntilItSucceeds() {
    usage.failuresLeft.set(3);
    start(T0.plus(Duration.ofHours(2)));
    UsageWorkflow wf = client.newWorkflowStub(UsageWorkflow.class, UsageStarter.usageOptions(T0));
    UsagePeriodResult r = wf.generate(T0, T0.plus(HOUR));
    assertThat(r.start()).isEqualTo(T0);
    assertThat(usage.attempts.get()).isEqualTo(4);
    assertThat(usage.generated).containsExactly(T0);
  }

  @Test
  void exportGeneratesTheMissingPeriodsInOrderThenWritesTheFiles() {
    LocalDate day = LocalDate.parse("2026-12-01");
    Instant dayStart = Instant.parse("2026-12-01T00:00:00Z");
    usage.missing = List.of(dayStart.plus(Duration.ofHours(3)), dayStart.plus(Duration.ofHours(7)),
        dayStart.plus(Duration.ofHours(23)));
    start(Instant.parse("2026-12-02T00:30:00Z"));
    UsageExportWorkflow wf = client.newWorkflowStub(UsageExportWorkflow.class, UsageStarter.exportOptions(day));
    UsageExportResult r = wf.export(day);
    assertThat(usage.generated).containsExactlyElementsOf(usage.missing);
    assertThat(usage.ends).containsExactly(dayStart.plus(Duration.ofHours(4)), dayStart.plus(Duration.ofHours(8)),
        Instant.parse("2026-12-02T00:00:00Z"));
    assertThat(usage.workflowIds).containsOnly(UsagePeriods.exportWorkflowId(day));
    assertThat(usage.calls).containsExactly("missing " + day, "generate", "generate", "generate", "export " + day);
    assertThat(r.day()).isEqualTo(day);
  }

  @Test
  void exportWithNothingMissingOnlyWritesAndRetriesAFailedWrite() {
    LocalDate day = LocalDate.parse("2026-12-01");
    usage.exportFailuresLeft.set(2);
    start(Instant.parse("2026-12-02T00:30:00Z"));
    UsageExportWorkflow wf = client.newWorkflowStub(UsageExportWorkflow.class, UsageStarter.exportOptions(day));
    wf.export(day);
    assertThat(usage.generated).isEmpty();
    assertThat(usage.calls).containsExactly("missing " + day, "export " + day, "export " + day, "export " + day);
  }

  class FakeUsage implements UsageActivities {
    final List<Instant> generated = new CopyOnWriteArrayList<>();
    final List<Instant> ends = new CopyOnWriteArrayList<>();
    final List<Instant> generatedAt = new CopyOnWriteArrayList<>();
    final List<String> workflowIds = new CopyOnWriteArrayList<>();
    final List<String> calls = new CopyOnWriteArrayList<>();
    final AtomicInteger failuresLeft = new AtomicInteger();
    final AtomicInteger exportFailuresLeft = new AtomicInteger();
    final AtomicInteger attempts = new AtomicInteger();
    volatile List<Instant> missing = List.of();

    @Override
    public UsagePeriodResult generatePeriod(Instant start, Instant end, String workflowId) {
      calls.add("generate");
      attempts.incrementAndGet();
      if (failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        throw new IllegalStateException("database unavailable");
      }
      generated.add(start);
      ends.add(end);
      generatedAt.add(Instant.ofEpochMilli(env.currentTimeMillis()));
      workflowIds.add(workflowId);
      return new UsagePeriodResult(start, end, 3, 6, 6);
    }

    @Override
    public List<Instant> missingPeriods(LocalDate day) {
      calls.add("missing " + day);
      return new ArrayList<>(missing);
    }

    @Override
    public UsageExportResult writeExport(LocalDate day) {
      calls.add("export " + day);
      if (exportFailuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        throw new IllegalStateException("disk full");
      }
      return new UsageExportResult(day, 0, List.of());
    }
  }
}
