package io.gpucloud.controlplane.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The limit arithmetic through a small domain tree, the way {@link Limits} feeds it:
 * ROOT -> acme -> dev and ROOT -> other; accounts alice (acme), bob (dev), carol (other);
 * bob's project "ml". Domain usage is the sum over the accounts of the subtree.
 */
class LimitCheckTest {
  private record Domain(String id, String name, String path, boolean root) {}

  private record Account(String id, String name, Domain domain) {}

  private static final Domain ROOT = new Domain("d-root", "ROOT", "/ROOT/", true);
  private static final Domain ACME = new Domain("d-acme", "acme", "/ROOT/acme/", false);
  private static final Domain DEV = new Domain("d-dev", "dev", "/ROOT/acme/dev/", false);
  private static final Domain OTHER = new Domain("d-other", "other", "/ROOT/other/", false);
  private static final List<Domain> DOMAINS = List.of(ROOT, ACME, DEV, OTHER);
  private static final Account ALICE = new Account("a-alice", "alice", ACME);
  private static final Account BOB = new Account("a-bob", "bob", DEV);
  private static final Account CAROL = new Account("a-carol", "carol", OTHER);
  private static final List<Account> ACCOUNTS = List.of(ALICE, BOB, CAROL);

  private Map<String, Long> settings;
  private final Map<String, Map<Resource, Long>> overrides = new HashMap<>();
  private final Map<String, Map<Resource, Long>> accountUsage = new HashMap<>();
  private Map<Resource, Long> projectUsage = Map.of();

  @BeforeEach
  void defaults() {
    settings = new LinkedHashMap<>();
    for (ScopeType t : ScopeType.values()) {
      settings.put(Resource.GPU.settingKey(t), 20L);
      settings.put(Resource.INSTANCE.settingKey(t), 20L);
      settings.put(Resource.CPU.settingKey(t), 40L);
      settings.put(Resource.MEMORY.settingKey(t), 40960L);
    }
  }

  private void override(String scopeId, Resource r, long max) {
    overrides.computeIfAbsent(scopeId, k -> new EnumMap<>(Resource.class)).put(r, max);
  }

  private void running(Account a, int gpus, int cpus, long memory) {
    accountUsage.merge(a.id(), LimitCheck.asUsage(ResourceRequest.instance(gpus, cpus, memory)), LimitCheck::plus);
  }

  private ScopeLimits scope(ScopeType type, String id, String name, boolean root, Map<Resource, Long> used) {
    return new ScopeLimits(type, id, name,
        LimitCheck.effectiveLimits(type, root, overrides.getOrDefault(id, Map.of()), settings), used);
  }

  private Map<Resource, Long> domainUsage(Domain d) {
    Map<Resource, Long> sum = Map.of();
    for (Account a : ACCOUNTS) {
      if (LimitCheck.inSubtree(d.path(), a.domain().path())) {
        sum = LimitCheck.plus(sum, accountUsage.getOrDefault(a.id(), Map.of()));
      }
    }
    return sum;
  }

  /** project (optional), account, its domain and each ancestor up to ROOT. */
  private List<ScopeLimits> chain(Account a, boolean inProject) {
    List<ScopeLimits> chain = new ArrayList<>();
    if (inProject) {
      chain.add(scope(ScopeType.PROJECT, "p-ml", "ml", false, projectUsage));
    }
    chain.add(scope(ScopeType.ACCOUNT, a.id(), a.name(), false, accountUsage.getOrDefault(a.id(), Map.of())));
    DOMAINS.stream()
        .filter(d -> LimitCheck.inSubtree(d.path(), a.domain().path()))
        .sorted((x, y) -> y.path().length() - x.path().length())
        .forEach(d -> chain.add(scope(ScopeType.DOMAIN, d.id(), d.name(), d.root(), domainUsage(d))));
    return chain;
  }

  private Optional<LimitExceeded> deploy(Account a, int gpus) {
    return LimitCheck.check(chain(a, false), ResourceRequest.instance(gpus, 1, 1024));
  }

  @Test
  void accountLimitCountsTheAccountOnly() {
    override(ALICE.id(), Resource.GPU, 5);
    running(ALICE, 4, 1, 1024);
    assertThat(deploy(ALICE, 1)).isEmpty();
    running(ALICE, 1, 1, 1024);
    Optional<LimitExceeded> e = deploy(ALICE, 1);
    assertThat(e).contains(new LimitExceeded(ScopeType.ACCOUNT, "alice", Resource.GPU, 5, 5, 1));
    assertThat(e.get().message()).isEqualTo("GPU limit of account 'alice' exceeded: limit 5, in use 5, requested 1");
    // bob is in a sub-domain of acme but has his own account limit (default 20)
    assertThat(deploy(BOB, 2)).isEmpty();
  }

  @Test
  void aGpuLessDeployIsNotStoppedByAFullGpuLimit() {
    override(ALICE.id(), Resource.GPU, 0);
    assertThat(deploy(ALICE, 0)).isEmpty();
    assertThat(deploy(ALICE, 1)).contains(new LimitExceeded(ScopeType.ACCOUNT, "alice", Resource.GPU, 0, 0, 1));
  }

  @Test
  void domainLimitCoversSubDomainsAndTheirAccounts() {
    override(ACME.id(), Resource.GPU, 6);
    running(ALICE, 2, 1, 1024);
    running(BOB, 3, 1, 1024);
    running(CAROL, 8, 1, 1024); // another subtree: not counted against acme
    assertThat(domainUsage(ACME)).containsEntry(Resource.GPU, 5L).containsEntry(Resource.INSTANCE, 2L);
    assertThat(deploy(BOB, 1)).isEmpty();
    assertThat(deploy(ALICE, 2))
        .contains(new LimitExceeded(ScopeType.DOMAIN, "acme", Resource.GPU, 6, 5, 2));
    assertThat(deploy(BOB, 2).map(LimitExceeded::message))
        .contains("GPU limit of domain 'acme' exceeded: limit 6, in use 5, requested 2");
    assertThat(deploy(CAROL, 2)).isEmpty();
  }

  @Test
  void theMostSpecificScopeIsReportedFirst() {
    override(DEV.id(), Resource.GPU, 3);
    override(ACME.id(), Resource.GPU, 3);
    running(BOB, 3, 1, 1024);
    assertThat(deploy(BOB, 1)).contains(new LimitExceeded(ScopeType.DOMAIN, "dev", Resource.GPU, 3, 3, 1));
  }

  @Test
  void defaultDomainLimitAppliesToEveryDomainButRoot() {
    // 20 GPUs by default per domain: acme's subtree holds 20 already
    running(ALICE, 10, 1, 1024);
    running(BOB, 10, 1, 1024);
    override(ALICE.id(), Resource.GPU, -1);
    assertThat(deploy(ALICE, 1)).contains(new LimitExceeded(ScopeType.DOMAIN, "acme", Resource.GPU, 20, 20, 1));
    // ROOT holds 20 + carol's GPUs but is unlimited: a default of 20 does not cap the cloud
    running(CAROL, 15, 1, 1024);
    assertThat(domainUsage(ROOT)).containsEntry(Resource.GPU, 35L);
    assertThat(deploy(CAROL, 5)).isEmpty();
    assertThat(LimitCheck.effectiveLimit(ScopeType.DOMAIN, true, null, 20L)).isEqualTo(-1);
  }

  @Test
  void rootCanBeLimitedByAnExplicitOverride() {
    override(ROOT.id(), Resource.GPU, 10);
    running(CAROL, 6, 1, 1024);
    running(ALICE, 4, 1, 1024);
    assertThat(deploy(CAROL, 1)).contains(new LimitExceeded(ScopeType.DOMAIN, "ROOT", Resource.GPU, 10, 10, 1));
  }

  @Test
  void minusOneIsUnlimitedAsOverrideAndAsDefault() {
    override(ALICE.id(), Resource.GPU, -1);
    override(ACME.id(), Resource.GPU, -1);
    running(ALICE, 100, 1, 1024);
    assertThat(deploy(ALICE, 50)).isEmpty();
    settings.put("max.account.gpus", -1L);
    settings.put("max.domain.gpus", -1L);
    running(CAROL, 100, 1, 1024);
    assertThat(deploy(CAROL, 50)).isEmpty();
    assertThat(LimitCheck.available(-1, 100)).isEqualTo(-1);
  }

  @Test
  void overrideBeatsDefault() {
    override(ALICE.id(), Resource.GPU, 30);
    override(ACME.id(), Resource.GPU, 100);
    running(ALICE, 19, 1, 1024);
    assertThat(deploy(ALICE, 5)).isEmpty();
    assertThat(deploy(ALICE, 12)).contains(new LimitExceeded(ScopeType.ACCOUNT, "alice", Resource.GPU, 30, 19, 12));
    override(BOB.id(), Resource.GPU, 2);
    assertThat(deploy(BOB, 3)).contains(new LimitExceeded(ScopeType.ACCOUNT, "bob", Resource.GPU, 2, 0, 3));
    assertThat(LimitCheck.effectiveLimit(ScopeType.ACCOUNT, false, 0L, 20L)).isZero();
    assertThat(LimitCheck.effectiveLimit(ScopeType.ACCOUNT, false, null, 20L)).isEqualTo(20);
    assertThat(LimitCheck.effectiveLimit(ScopeType.ACCOUNT, false, null, null)).isEqualTo(-1);
  }

  @Test
  void projectLimitIsCheckedBeforeTheAccount() {
    override("p-ml", Resource.GPU, 2);
    projectUsage = LimitCheck.asUsage(ResourceRequest.instance(2, 1, 1024));
    running(BOB, 2, 1, 1024);
    assertThat(LimitCheck.check(chain(BOB, true), ResourceRequest.instance(1, 1, 1024)))
        .contains(new LimitExceeded(ScopeType.PROJECT, "ml", Resource.GPU, 2, 2, 1));
    assertThat(LimitCheck.check(chain(BOB, false), ResourceRequest.instance(1, 1, 1024))).isEmpty();
  }

  @Test
  void instancesCpusAndMemoryAreLimitedToo() {
    override(ALICE.id(), Resource.INSTANCE, 2);
    running(ALICE, 0, 2, 2048);
    running(ALICE, 0, 2, 2048);
    assertThat(deploy(ALICE, 0)).contains(new LimitExceeded(ScopeType.ACCOUNT, "alice", Resource.INSTANCE, 2, 2, 1));
    override(ALICE.id(), Resource.INSTANCE, -1);
    override(ALICE.id(), Resource.CPU, 5);
    assertThat(LimitCheck.check(chain(ALICE, false), ResourceRequest.instance(0, 2, 1024)))
        .contains(new LimitExceeded(ScopeType.ACCOUNT, "alice", Resource.CPU, 5, 4, 2));
    override(ALICE.id(), Resource.CPU, -1);
    override(ALICE.id(), Resource.MEMORY, 4096);
    LimitExceeded mem = LimitCheck.check(chain(ALICE, false), ResourceRequest.instance(0, 2, 1)).orElseThrow();
    assertThat(mem.message()).isEqualTo("Memory limit of account 'alice' exceeded: limit 4096, in use 4096, requested 1");
  }

  @Test
  void exactFitIsAllowed() {
    override(ALICE.id(), Resource.GPU, 4);
    running(ALICE, 2, 1, 1024);
    assertThat(deploy(ALICE, 2)).isEmpty();
    assertThat(deploy(ALICE, 3)).isPresent();
  }

  @Test
  void availableNeverGoesBelowZero() {
    assertThat(ResourceUsage.of(20, 2)).isEqualTo(new ResourceUsage(20, 2, 18));
    assertThat(ResourceUsage.of(5, 7)).isEqualTo(new ResourceUsage(5, 7, 0));
    assertThat(ResourceUsage.of(-1, 7)).isEqualTo(new ResourceUsage(-1, 7, -1));
  }

  @Test
  void onlyScopesWithAFiniteLimitForARequestedResourceNeedALock() {
    ScopeLimits root = scope(ScopeType.DOMAIN, ROOT.id(), "ROOT", true, Map.of());
    assertThat(LimitCheck.limits(root, ResourceRequest.instance(1, 1, 1024))).isFalse();
    ScopeLimits alice = scope(ScopeType.ACCOUNT, ALICE.id(), "alice", false, Map.of());
    assertThat(LimitCheck.limits(alice, ResourceRequest.instance(1, 1, 1024))).isTrue();
    settings.put("max.account.instances", -1L);
    settings.put("max.account.cpus", -1L);
    settings.put("max.account.memory", -1L);
    ScopeLimits gpuOnly = scope(ScopeType.ACCOUNT, ALICE.id(), "alice", false, Map.of());
    assertThat(LimitCheck.limits(gpuOnly, ResourceRequest.instance(0, 1, 1024))).isFalse();
    assertThat(LimitCheck.limits(gpuOnly, ResourceRequest.instance(1, 1, 1024))).isTrue();
  }

  @Test
  void subtreeMatchUsesWholePathSegments() {
    assertThat(LimitCheck.inSubtree("/ROOT/a/", "/ROOT/a/")).isTrue();
    assertThat(LimitCheck.inSubtree("/ROOT/a/", "/ROOT/a/b/")).isTrue();
    assertThat(LimitCheck.inSubtree("/ROOT/a/", "/ROOT/ab/")).isFalse();
    assertThat(LimitCheck.inSubtree("/ROOT/a/b/", "/ROOT/a/")).isFalse();
    assertThat(LimitCheck.inSubtree("/ROOT/", "/ROOT/x/y/")).isTrue();
  }

  @Test
  void requireThrowsWithTheMessage() {
    override(ALICE.id(), Resource.GPU, 1);
    running(ALICE, 1, 1, 1024);
    assertThatThrownBy(() -> LimitCheck.require(chain(ALICE, false), ResourceRequest.instance(1, 1, 1)))
        .isInstanceOf(LimitExceededException.class)
        .hasMessage("GPU limit of account 'alice' exceeded: limit 1, in use 1, requested 1")
        .satisfies(e -> assertThat(((LimitExceededException) e).exceeded().resource()).isEqualTo(Resource.GPU));
    assertThatThrownBy(() -> new ResourceRequest(-1, 1, 1, 1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void settingKeysFollowCloudStack() {
    assertThat(Resource.GPU.settingKey(ScopeType.ACCOUNT)).isEqualTo("max.account.gpus");
    assertThat(Resource.MEMORY.settingKey(ScopeType.PROJECT)).isEqualTo("max.project.memory");
    assertThat(Limits.settingNames()).hasSize(12).contains("max.domain.instances", "max.domain.cpus");
  }
}
