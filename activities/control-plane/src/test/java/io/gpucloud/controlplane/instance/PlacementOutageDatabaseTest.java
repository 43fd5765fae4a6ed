package io.gpucloud.controlplane.instance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpucloud.activities.instance.Reservation;
import io.gpucloud.controlplane.TestDatabase;
import io.gpucloud.controlplane.instance.Placement.Purpose;
import io.temporal.failure.ApplicationFailure;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLNonTransientConnectionException;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A database that fails in the middle of a placement: the placement throws (a retryable failure, so
 * the local activity tries again), it never answers "no room", and what it learnt before the failure
 * does not make the retry believe there is none.
 */
class PlacementOutageDatabaseTest {
  /** What fails next: a call on a connection ("commit", "prepareStatement: <sql>") matching it; null: nothing. */
  private final AtomicReference<Predicate<String>> failing = new AtomicReference<>();
  private Fleet fleet;
  private Jdbi flaky;

  @BeforeEach
  void setUp() {
    fleet = new Fleet(TestDatabase.jdbi());
    var ds = TestDatabase.dataSource();
    flaky = Jdbi.create(() -> {
      if (matches("getConnection")) {
        throw new SQLNonTransientConnectionException("Could not connect to 127.0.0.1:3307: Connection refused",
            "08000");
      }
      Connection real = ds.getConnection();
      return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
          (proxy, method, args) -> {
            String call = method.getName() + (args != null && args.length > 0 && args[0] instanceof String sql
                ? ": " + sql : "");
            if (matches(call)) {
              throw new SQLNonTransientConnectionException("(conn=1) Connection reset", "08000");
            }
            try {
              return method.invoke(real, args);
            } catch (InvocationTargetException e) {
              throw e.getCause();
            }
          });
    }).installPlugin(new SqlObjectPlugin());
  }

  private boolean matches(String call) {
    Predicate<String> p = failing.get();
    return p != null && p.test(call);
  }

  private void failOn(Predicate<String> calls) {
    failing.set(calls);
  }

  private void heal() {
    failing.set(null);
  }

  private static void assertRetryableDatabaseFailure(Throwable t) {
    assertThat(t).isInstanceOf(JdbiException.class).isNotInstanceOf(ApplicationFailure.class);
    assertThat(t).hasRootCauseInstanceOf(SQLNonTransientConnectionException.class);
  }

  @Test
  void aCommitLostWithTheConnectionThrowsAndLeavesThePlanViewAsItWas() {
    String a = fleet.host("A", 1);
    String id = fleet.instance(1);
    Placement placement = new InstanceActivitiesImpl(flaky).placement();
    failOn(call -> call.equals("commit"));

    assertThatThrownBy(() -> placement.place(Purpose.DEPLOY, id, i -> List.of(), List.of()))
        .satisfies(PlacementOutageDatabaseTest::assertRetryableDatabaseFailure);

    // the transaction was lost: the device is still free, and the plan view still says so
    assertThat(fleet.free(a)).isEqualTo(1);
    assertThat(placement.plans().cachedFree(fleet.profileId, 2 * 1000, 1024, a)).isEqualTo(1);
    heal();
    Reservation r = placement.place(Purpose.DEPLOY, id, i -> List.of(), List.of());
    assertThat(r.reserved()).isTrue();
    assertThat(r.hostId()).isEqualTo(a);
  }

  @Test
  void aPlanReloadThatFailsThrowsInsteadOfAnsweringNoRoom() {
    String a = fleet.host("A", 2);
    String id = fleet.instance(1);
    InstanceActivitiesImpl deploy = new InstanceActivitiesImpl(flaky);
    failOn(call -> call.contains("free_devices")); // the planning query, and nothing before it

    assertThatThrownBy(() -> deploy.reserve(id, List.of()))
        .satisfies(PlacementOutageDatabaseTest::assertRetryableDatabaseFailure);

    heal();
    assertThat(deploy.reserve(id, List.of()).hostId()).isEqualTo(a);
  }

  @Test
  void aDatabaseGoneBetweenThePlanAndTheHostLockThrowsInsteadOfAnsweringNoRoom() {
    fleet.host("A", 1);
    fleet.host("B", 1);
    String id = fleet.instance(1);
    InstanceActivitiesImpl deploy = new InstanceActivitiesImpl(flaky);
    // the plan is made; then the connection dies at the host lock
    failOn(call -> call.contains("FROM hosts WHERE id = ? FOR UPDATE"));

    assertThatThrownBy(() -> deploy.reserve(id, List.of()))
        .satisfies(PlacementOutageDatabaseTest::assertRetryableDatabaseFailure);
    assertThat(fleet.devicesOf(id)).isEmpty();
  }

  @Test
  void aRepeatOfAPlacementThatAnEarlierRunMadeGetsThatPlacementNotASecondOne() {
    String a = fleet.host("A", 1);
    String b = fleet.host("B", 1);
    String id = fleet.instance(1);
    InstanceActivitiesImpl deploy = new InstanceActivitiesImpl(fleet.jdbi);
    assertThat(deploy.reserveOn(id, a).reserved()).isTrue(); // the earlier run (timed out, still ran on)

    Reservation r = deploy.placement().attempt(Purpose.DEPLOY, id, b); // its retry, planned before that commit

    assertThat(r.hostId()).isEqualTo(a);
    assertThat(r.spec().devices()).hasSize(1);
    assertThat(fleet.free(b)).isEqualTo(1);
    assertThat(fleet.devicesOf(id)).containsExactly(a + ":Reserved");
  }

  @Test
  void aRepeatWhoseHostFilledUpWithItsOwnEarlierPlacementIsNotNoRoom() {
    String a = fleet.host("A", 1);
    String id = fleet.instance(1);
    InstanceActivitiesImpl deploy = new InstanceActivitiesImpl(fleet.jdbi);

    // read the instance (not placed), then an earlier run places it on the only host: no device is free now
    Reservation r = deploy.placement().place(Purpose.DEPLOY, id, i -> {
      assertThat(deploy.reserveOn(id, a).reserved()).isTrue();
      return List.of();
    }, List.of());

    assertThat(r.reserved()).isTrue();
    assertThat(r.hostId()).isEqualTo(a);
    assertThat(fleet.devicesOf(id)).containsExactly(a + ":Reserved");
  }
}
