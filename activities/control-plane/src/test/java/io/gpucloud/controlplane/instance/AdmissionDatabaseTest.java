package io.gpucloud.controlplane.instance;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpucloud.activities.instance.QueueStatus;
import io.gpucloud.controlplane.TestDatabase;
import io.gpucloud.controlplane.limits.Resource;
import io.gpucloud.controlplane.queue.Admission;
import io.gpucloud.controlplane.queue.AdmissionPass;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The admission pass against MariaDB: exact under concurrency (two replicas' passes at once, and passes that
 * skip the named lock altogether, never admit one request twice nor more than the free devices), a gang
 * reserved whole or not at all, and quota: a request that may wait for it waits, any other fails.
 */
class AdmissionDatabaseTest {
  private Jdbi jdbi;
  private Fleet fleet;
  private final List<String> woken = Collections.synchronizedList(new ArrayList<>());

  @BeforeEach
  void setUp() {
    jdbi = TestDatabase.jdbi();
    fleet = new Fleet(jdbi);
    // only this test's pool waits: earlier tests' queued rows would be other pools, but keep the pass small
    jdbi.useHandle(h -> h.execute("UPDATE instances SET state = 'Destroyed' WHERE state = 'Queued'"));
  }

  /** A deploy of {@code gpus} that asked to queue, as the Deploy workflow leaves it after finding no room. */
  private String queued(int gpus, int priority, boolean waitForQuota, String batchId, boolean gang) {
    String id = fleet.instance(gpus);
    jdbi.useHandle(h -> h.execute("INSERT INTO queue_requests (instance_id, pool_key, priority, max_wait_ms,"
        + " wait_for_quota, batch_id, gang, requested_at) VALUES (?, ?, ?, 3600000, ?, ?, ?, CURRENT_TIMESTAMP(6))",
        id, fleet.cardId, priority, waitForQuota, batchId, gang));
    if (batchId != null) {
      jdbi.useHandle(h -> h.execute("UPDATE instances SET batch_id = ? WHERE id = ?", batchId, id));
    }
    QueueStatus s = jdbi.inTransaction(h -> QueueSteps.enqueue(h, id));
    assertThat(s.state()).isEqualTo(QueueStatus.WAITING);
    return id;
  }

  private Admission replica() {
    InstanceActivitiesImpl deploy = new InstanceActivitiesImpl(jdbi);
    return new Admission(jdbi, new AdmissionPass(jdbi, deploy.admitter(), woken::add), Duration.ofHours(1));
  }

  @Test
  void passesOnTwoReplicasAtOnceAdmitEachRequestOnceAndNeverMoreThanIsFree() throws Exception {
    String host = fleet.host("A", 4);
    List<String> waiting = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      waiting.add(queued(1, 0, false, null, false));
    }
    Admission one = replica();
    Admission two = replica();
    // and passes that do not even take the named lock: exactness is the reservation's, the lock only orders
    InstanceActivitiesImpl third = new InstanceActivitiesImpl(jdbi);
    AdmissionPass unlocked = new AdmissionPass(jdbi, third.admitter(), woken::add);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<?>> runs = new ArrayList<>();
    runs.add(pool.submit(() -> { go.await(); one.drain(Duration.ofSeconds(5)); return null; }));
    runs.add(pool.submit(() -> { go.await(); two.drain(Duration.ofSeconds(5)); return null; }));
    runs.add(pool.submit(() -> { go.await(); unlocked.run(); return null; }));
    runs.add(pool.submit(() -> { go.await(); unlocked.run(); return null; }));
    go.countDown();
    for (Future<?> f : runs) {
      f.get(60, TimeUnit.SECONDS);
    }
    pool.shutdown();
    assertThat(fleet.free(host)).isZero();
    List<String> admitted = waiting.stream().filter(id -> fleet.state(id).equals("Creating")).toList();
    assertThat(admitted).hasSize(4);
    assertThat(admitted).allSatisfy(id -> assertThat(fleet.devicesOf(id)).containsExactly(host + ":Reserved"));
    assertThat(woken).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(admitted);
    assertThat(waiting.stream().filter(id -> fleet.state(id).equals("Queued"))).hasSize(6);
    assertThat(fleet.used(Resource.GPU)).isEqualTo(4);
    assertThat(admitted).allSatisfy(id -> assertThat(fleet.events(id)).containsOnlyOnce("VM.ADMITTED Completed"));
    one.close();
    two.close();
  }

  @Test
  void aGangIsReservedWholeOrNotAtAll() {
    String a = fleet.host("A", 3);
    String b = fleet.host("B", 2);
    String batch = java.util.UUID.randomUUID().toString();
    List<String> gang = List.of(queued(2, 0, false, batch, true), queued(2, 0, false, batch, true),
        queued(2, 0, false, batch, true));
    Admission admission = replica();
    admission.drain(Duration.ZERO);
    // A fits one member (2 of its 3), B one: two of three, so none
    assertThat(gang).allSatisfy(id -> assertThat(fleet.state(id)).isEqualTo("Queued"));
    assertThat(fleet.free(a)).isEqualTo(3);
    assertThat(fleet.free(b)).isEqualTo(2);
    String c = fleet.host("C", 2); // its devices' insert wakes the pool
    admission.drain(Duration.ZERO);
    assertThat(gang).allSatisfy(id -> assertThat(fleet.state(id)).isEqualTo("Creating"));
    assertThat(fleet.free(a) + fleet.free(b) + fleet.free(c)).isEqualTo(1);
    assertThat(woken).containsExactlyInAnyOrderElementsOf(gang);
    admission.close();
  }

  @Test
  void quotaWaitersWaitAndOthersFailWithTheLimitsReason() {
    fleet.host("A", 4);
    fleet.limitAccount(Resource.GPU, 1);
    String first = queued(1, 0, false, null, false);
    String patient = queued(1, 0, true, null, false);
    String impatient = queued(1, 0, false, null, false);
    Admission admission = replica();
    admission.drain(Duration.ZERO);
    assertThat(fleet.state(first)).isEqualTo("Creating");
    assertThat(fleet.state(patient)).isEqualTo("Queued");
    String reason = jdbi.withHandle(h -> h.select("SELECT wait_reason FROM queue_requests WHERE instance_id = ?", patient)
        .mapTo(String.class).one());
    assertThat(reason).startsWith("quota:");
    assertThat(fleet.state(impatient)).isEqualTo("Error");
    fleet.limitAccount(Resource.GPU, 2); // a limit raised wakes the pool
    admission.drain(Duration.ZERO);
    assertThat(fleet.state(patient)).isEqualTo("Creating");
    admission.close();
  }
}
