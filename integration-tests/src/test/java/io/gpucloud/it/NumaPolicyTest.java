package io.gpucloud.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * An offering's numaPolicy decides, end to end, which devices a deploy gets. Host N1 (test-only spec)
 * is the only host with the "ACS Numa Card": 7 GPUs on NUMA node 0, 8 on node 1, each its own PCI
 * root. The steps run in order on one fleet (there is no destroy: each deploy keeps its devices), and
 * each one first checks the free devices per node it starts from. Three of node 0's GPUs are kept
 * Unmanaged until the fourth step, which needs both nodes partly free.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NumaPolicyTest {
  static final String CARD = "ACS Numa Card";
  static final String HOST = "N1";

  static Stack stack;
  static String template;
  static String hostId;
  static Tenants.Tenant tenant;
  static List<String> heldBack;

  @BeforeAll
  static void up() {
    stack = Stack.get();
    stack.awaitHosts(HOST);
    hostId = stack.hostId(HOST);
    template = Tenants.template(stack);
    tenant = Tenants.tenant(stack, "numa", Tenants.unlimited());
  }

  /** Free devices of the card per NUMA node (both nodes always listed). */
  static Map<Integer, Integer> freePerNode() {
    Map<Integer, Integer> free = new TreeMap<>(Map.of(0, 0, 1, 0));
    for (JsonNode d : Stack.list(stack.get("/gpu-devices?hostId=" + hostId + "&state=Free&managedState=Managed"))) {
      if (d.path("cardName").asText().equals(CARD)) {
        free.merge(d.path("numaNode").asInt(), 1, Integer::sum);
      }
    }
    return free;
  }

  static JsonNode deploy(String policy, int gpus) {
    String offering = Tenants.offering(stack, CARD, "passthrough", gpus, 1, 100, 128, policy);
    assertThat(stack.get("/offerings/" + offering).path("numaPolicy").asText()).isEqualTo(policy);
    return Tenants.deployAndWait(stack, tenant.key(), policy + "-" + gpus, offering, template);
  }

  /** The instance is Running on N1 with {@code gpus} devices of the card; their count per NUMA node. */
  static Map<Integer, Long> runningWith(JsonNode instance, int gpus) {
    assertThat(instance.path("state").asText()).as(instance.toString()).isEqualTo("Running");
    assertThat(instance.path("hostName").asText()).isEqualTo(HOST);
    List<JsonNode> devices = Stack.list(instance.path("devices"));
    assertThat(devices).hasSize(gpus).allSatisfy(d -> {
      assertThat(d.path("cardName").asText()).isEqualTo(CARD);
      assertThat(d.path("state").asText()).isEqualTo("Allocated");
      assertThat(d.path("busAddress").asText()).isNotBlank();
    });
    return devices.stream().collect(Collectors.groupingBy(d -> d.path("numaNode").asInt(), TreeMap::new,
        Collectors.counting()));
  }

  @Test
  @Order(1)
  void requiredPutsEveryDeviceOnOneNode() {
    assertThat(freePerNode()).isEqualTo(Map.of(0, 7, 1, 8));
    heldBack = Stack.list(stack.get("/gpu-devices?hostId=" + hostId + "&state=Free")).stream()
        .filter(d -> d.path("cardName").asText().equals(CARD) && d.path("numaNode").asInt() == 0)
        .map(d -> d.path("id").asText()).sorted().limit(3).toList();
    for (String id : heldBack) {
      assertThat(stack.admin("POST", "/gpu-devices/" + id + "/unmanage", null).status()).isEqualTo(200);
    }
    assertThat(freePerNode()).isEqualTo(Map.of(0, 4, 1, 8));
    // both nodes have room: one node, the one with the fewest free that fit (best fit keeps node 1 whole)
    assertThat(runningWith(deploy("required", 3), 3)).isEqualTo(Map.of(0, 3L));
  }

  @Test
  @Order(2)
  void preferredKeepsToOneNodeWhenOneHasRoom() {
    // node 0 has 1 free, node 1 has 8: all three on node 1 ("none" would take node 0's first)
    assertThat(freePerNode()).isEqualTo(Map.of(0, 1, 1, 8));
    assertThat(runningWith(deploy("preferred", 3), 3)).isEqualTo(Map.of(1, 3L));
  }

  @Test
  @Order(3)
  void noneSpreadsOverNodesEvenWhenOneHasRoom() {
    // node 0 has 1 free, node 1 has 5: "none" takes devices in node order, so it spreads (today's
    // behaviour: no NUMA preference at all)
    assertThat(freePerNode()).isEqualTo(Map.of(0, 1, 1, 5));
    assertThat(runningWith(deploy("none", 3), 3)).isEqualTo(Map.of(0, 1L, 1, 2L));
  }

  @Test
  @Order(4)
  void requiredFindsNoPlacementWhenNoSingleNodeHasRoom() {
    for (String id : heldBack) {
      assertThat(stack.admin("POST", "/gpu-devices/" + id + "/manage", null).status()).isEqualTo(200);
    }
    // 6 free in all, 3 per node: 4 GPUs fit the host but no node
    assertThat(freePerNode()).isEqualTo(Map.of(0, 3, 1, 3));
    JsonNode refused = deploy("required", 4);
    assertThat(refused.path("state").asText()).as(refused.toString()).isEqualTo("Error");
    assertThat(refused.path("errorReason").asText()).contains("insufficient capacity");
    assertThat(Stack.list(refused.path("devices"))).isEmpty();
    assertThat(freePerNode()).as("nothing taken").isEqualTo(Map.of(0, 3, 1, 3));
  }

  @Test
  @Order(5)
  void preferredSpreadsWhenNoSingleNodeHasRoom() {
    assertThat(freePerNode()).isEqualTo(Map.of(0, 3, 1, 3));
    assertThat(runningWith(deploy("preferred", 4), 4)).isEqualTo(Map.of(0, 3L, 1, 1L));
    assertThat(freePerNode()).isEqualTo(Map.of(0, 0, 1, 2));
  }
}
