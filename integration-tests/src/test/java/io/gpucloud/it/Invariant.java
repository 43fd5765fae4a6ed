package io.gpucloud.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The promise the fault trials check after every trial (issue 13), read from the stack's database, its API and
 * the simulated hosts' saved libvirt state:
 * <ul>
 *   <li>every instance ends in a stable state (Running, Stopped, Error, Destroyed) within a bound, and a failed
 *       one carries a true reason (never "insufficient capacity" while Free, Managed devices of its profile on
 *       Up, Enabled hosts would have taken it);
 *   <li>no device is held by two instances, no instance holds more devices than its gpu_count (a Running one
 *       exactly its gpu_count, on its own host), no device is Allocated or Reserved without an instance;
 *   <li>no device is Reserved once every operation has finished;
 *   <li>each account's limits gpuTotal (GET /accounts/{id}/limits) equals the devices its instances hold;
 *   <li>the libvirt domains on each simulated host are exactly the instances the database has Running there;
 *   <li>no mdev the agents created is left without a Running or Stopped instance on that host.
 * </ul>
 */
final class Invariant {
  /** Where an instance rests; Queued too: it waits (holding nothing, checked below) until admitted or expired. */
  static final Set<String> STABLE = Set.of("Running", "Stopped", "Error", "Destroyed", "Queued");
  /** How long instances get to settle once a trial's faults are over (a loaded 2-core machine). */
  static final Duration SETTLE = Duration.ofMinutes(3);

  private Invariant() {}

  record Instance(String id, String account, String state, String hostId, int gpuCount, String profileId,
      String reason, boolean gpusReleased) {}

  /** Waits until every instance is stable, then asserts the whole invariant; returns the instances. */
  static Map<String, Instance> check(Stack stack) throws Exception {
    Stack.await("every instance in a stable state", SETTLE, () -> unstable(stack).isEmpty(), Duration.ofMillis(500));
    // operations close their workflows after the last state change: give the device rows their last write
    Stack.await("no Reserved device once every operation is over", Duration.ofSeconds(60),
        () -> count(stack, "SELECT COUNT(*) FROM gpu_devices WHERE state = 'Reserved'") == 0, Duration.ofMillis(500));
    Map<String, Instance> instances = instances(stack);
    List<String> problems = new ArrayList<>();
    devices(stack, instances, problems);
    reasons(stack, instances.values(), problems);
    limits(stack, instances, problems);
    hosts(stack, instances, problems);
    assertThat(problems).as("invariant").isEmpty();
    return instances;
  }

  static List<String> unstable(Stack stack) {
    List<String> out = new ArrayList<>();
    try (Connection c = stack.db(); PreparedStatement ps = c.prepareStatement(
        "SELECT id, state FROM instances WHERE state NOT IN ('Running', 'Stopped', 'Error', 'Destroyed', 'Queued')");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(rs.getString(1) + " " + rs.getString(2));
      }
    } catch (SQLException e) {
      out.add("database: " + e.getMessage()); // not yet reachable: not stable either
    }
    return out;
  }

  static long count(Stack stack, String sql) {
    try (Connection c = stack.db(); PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      return -1;
    }
  }

  static Map<String, Instance> instances(Stack stack) throws SQLException {
    Map<String, Instance> out = new HashMap<>();
    try (Connection c = stack.db(); PreparedStatement ps = c.prepareStatement(
        "SELECT id, account_id, state, host_id, gpu_count, vgpu_profile_id, error_reason, gpus_released FROM instances");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.put(rs.getString(1), new Instance(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
            rs.getInt(5), rs.getString(6), rs.getString(7), rs.getBoolean(8)));
      }
    }
    return out;
  }

  /** Who holds what: one holder a device (structural), the right number of devices, on the instance's host. */
  private static void devices(Stack stack, Map<String, Instance> instances, List<String> problems) throws SQLException {
    Map<String, Integer> held = new HashMap<>();
    try (Connection c = stack.db(); PreparedStatement ps = c.prepareStatement(
        "SELECT id, host_id, state, instance_id, type FROM gpu_devices"); ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        String id = rs.getString(1);
        String host = rs.getString(2);
        String state = rs.getString(3);
        String holder = rs.getString(4);
        if (holder == null) {
          if (state.equals("Allocated") || state.equals("Reserved")) {
            problems.add("device " + id + " is " + state + " without an instance");
          }
          continue;
        }
        held.merge(holder, 1, Integer::sum);
        if (!state.equals("Allocated")) {
          problems.add("device " + id + " of instance " + holder + " is " + state + ", not Allocated");
        }
        Instance i = instances.get(holder);
        if (i == null || !(i.state().equals("Running") || i.state().equals("Stopped"))) {
          problems.add("device " + id + " held by " + (i == null ? "a missing instance " + holder : i));
        } else if (!host.equals(i.hostId())) {
          problems.add("device " + id + " on host " + host + " held by " + i + " placed elsewhere");
        }
      }
    }
    for (Instance i : instances.values()) {
      int n = held.getOrDefault(i.id(), 0);
      int expected = switch (i.state()) {
        case "Running" -> i.gpuCount();
        case "Stopped" -> i.gpusReleased() ? 0 : i.gpuCount();
        default -> 0;
      };
      if (n != expected) {
        problems.add(i + " holds " + n + " devices, expected " + expected);
      }
    }
  }

  /** A failed instance says why; a capacity verdict only when no Up, Enabled host had its devices free. */
  private static void reasons(Stack stack, Collection<Instance> instances, List<String> problems) throws SQLException {
    for (Instance i : instances) {
      if (!i.state().equals("Error")) {
        continue;
      }
      if (i.reason() == null || i.reason().isBlank()) {
        problems.add(i + " is Error without a reason");
        continue;
      }
      if (i.reason().toLowerCase().contains("capacity")) {
        long free = freeOnOneHost(stack, i.profileId());
        if (free >= i.gpuCount()) {
          problems.add(i + " failed for capacity while a host has " + free + " Free, Managed devices of its profile");
        }
      }
    }
  }

  /** The most Free, Managed devices of the profile on any one Up, Enabled host. */
  static long freeOnOneHost(Stack stack, String profileId) throws SQLException {
    try (Connection c = stack.db(); PreparedStatement ps = c.prepareStatement(
        "SELECT COALESCE(MAX(n), 0) FROM (SELECT COUNT(*) n FROM gpu_devices d JOIN hosts h ON h.id = d.host_id"
            + " WHERE d.profile_id = ? AND d.state = 'Free' AND d.managed_state = 'Managed' AND d.instance_id IS NULL"
            + " AND h.state = 'Up' AND h.resource_state = 'Enabled' GROUP BY d.host_id) t")) {
      ps.setString(1, profileId);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /** GET /accounts/{id}/limits gpuTotal of each account with instances = the devices its instances hold. */
  private static void limits(Stack stack, Map<String, Instance> instances, List<String> problems) throws SQLException {
    Map<String, Long> heldByAccount = new HashMap<>();
    try (Connection c = stack.db(); PreparedStatement ps = c.prepareStatement(
        "SELECT i.account_id, COUNT(*) FROM gpu_devices d JOIN instances i ON i.id = d.instance_id GROUP BY i.account_id");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        heldByAccount.put(rs.getString(1), rs.getLong(2));
      }
    }
    Set<String> accounts = new TreeSet<>();
    instances.values().forEach(i -> accounts.add(i.account()));
    for (String a : accounts) {
      Stack.Response r = stack.admin("GET", "/accounts/" + a + "/limits", null);
      if (r.status() != 200) {
        problems.add("GET /accounts/" + a + "/limits -> " + r.status() + " " + r.raw());
        continue;
      }
      long total = r.body().path("gpuTotal").asLong();
      long held = heldByAccount.getOrDefault(a, 0L);
      if (total != held) {
        problems.add("account " + a + ": limits gpuTotal " + total + " but its instances hold " + held + " devices");
      }
    }
  }

  /** The simulated hosts' saved domains and created mdevs against the instances placed there. */
  private static void hosts(Stack stack, Map<String, Instance> instances, List<String> problems) throws IOException {
    Map<String, String> hostIds = new HashMap<>();
    for (JsonNode h : Stack.list(stack.get("/hosts"))) {
      hostIds.put(h.path("name").asText(), h.path("id").asText());
    }
    Path root = stack.dataDir.resolve("hosts");
    for (Map.Entry<String, String> h : hostIds.entrySet()) {
      Path dir = root.resolve(h.getKey());
      if (!Files.isDirectory(dir)) {
        continue; // not a simulated host of this stack
      }
      Set<String> running = new TreeSet<>();
      Set<String> placed = new HashSet<>();
      for (Instance i : instances.values()) {
        if (h.getValue().equals(i.hostId())) {
          if (i.state().equals("Running")) {
            running.add(i.id());
          }
          if (i.state().equals("Running") || i.state().equals("Stopped")) {
            placed.add(i.id());
          }
        }
      }
      Set<String> domains = new TreeSet<>(suffixed(dir.resolve("domains"), "", ".xml"));
      if (!domains.equals(running)) {
        Set<String> extra = new TreeSet<>(domains);
        extra.removeAll(running);
        Set<String> missing = new TreeSet<>(running);
        missing.removeAll(domains);
        problems.add("host " + h.getKey() + ": libvirt domains without a Running instance " + extra
            + ", Running instances without a domain " + missing);
      }
      for (String id : suffixed(dir.resolve("instances"), "mdevs-", ".json")) {
        if (!placed.contains(id) && Ops.createdMdevs(stack, h.getKey(), id) > 0) {
          problems.add("host " + h.getKey() + ": " + Ops.createdMdevs(stack, h.getKey(), id) + " mdev(s) of "
              + (instances.containsKey(id) ? instances.get(id) : "unknown instance " + id) + " left behind");
        }
      }
    }
  }

  /** Destroys the trial's instances (all at once), waits for them to be gone and checks the invariant. */
  static void destroyAll(Stack stack, java.util.concurrent.ExecutorService pool, List<String> ids) throws Exception {
    List<java.util.concurrent.Future<Stack.Response>> sent = new ArrayList<>();
    for (String id : ids) {
      sent.add(pool.submit(() -> Ops.destroy(stack, stack.adminKey, id)));
    }
    for (java.util.concurrent.Future<Stack.Response> f : sent) {
      Stack.Response r = f.get(2, java.util.concurrent.TimeUnit.MINUTES);
      assertThat(r.status()).as(r.raw()).isIn(202, 404, 409);
    }
    Stack.await("the trial's instances destroyed", SETTLE, () -> {
      try {
        Map<String, Instance> all = instances(stack);
        return ids.stream().allMatch(id -> all.get(id).state().equals("Destroyed"));
      } catch (SQLException e) {
        return false;
      }
    }, Duration.ofMillis(500));
    check(stack);
  }

  private static List<String> suffixed(Path dir, String prefix, String suffix) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix) && n.endsWith(suffix))
          .map(n -> n.substring(prefix.length(), n.length() - suffix.length())).toList();
    }
  }
}
