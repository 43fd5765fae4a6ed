package io.gpucloud.service.tenancy;

import static io.gpucloud.service.ApiAssertions.fails;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gpucloud.controlplane.limits.Limits;
import io.gpucloud.controlplane.limits.ScopeType;
import io.gpucloud.service.TestDatabase;
import io.gpucloud.service.auth.Caller;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A child's limit (sub-domain, account, project) may not be set above the limit of a scope above it. */
class LimitBoundsDatabaseTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static Caller admin;
  private static DomainService domains;
  private static AccountService accounts;
  private static ProjectService projects;
  private static LimitService limits;

  @BeforeAll
  static void setUp() {
    Jdbi jdbi = TestDatabase.jdbi();
    admin = TestDatabase.admin();
    Limits l = new Limits();
    domains = new DomainService(jdbi, l);
    accounts = new AccountService(jdbi, l);
    projects = new ProjectService(jdbi, l);
    limits = new LimitService(jdbi, l, domains, accounts, projects);
  }

  private static JsonNode json(String s) throws Exception {
    return JSON.readTree(s);
  }

  private static String uniq(String p) {
    return p + UUID.randomUUID().toString().substring(0, 8);
  }

  @Test
  void aChildLimitAboveItsParentsIsRefusedNamingTheResourceAndTheParentsValue() throws Exception {
    DomainView acme = domains.create(admin, new DomainRequest(uniq("acme"), null));
    DomainView dev = domains.create(admin, new DomainRequest("dev", acme.id()));
    DomainView team = domains.create(admin, new DomainRequest("team", dev.id()));
    AccountView acc = accounts.create(admin, new AccountRequest("acc", team.id()));
    ProjectView ml = projects.create(admin, new ProjectRequest(uniq("ml-"), acc.id()));
    limits.put(admin, ScopeType.DOMAIN, acme.id(), json("{\"gpuLimit\": 10}"));

    // ROOT is unlimited: no bound there
    assertThat(limits.put(admin, ScopeType.DOMAIN, acme.id(), json("{\"gpuLimit\": 1000}")).gpuLimit()).isEqualTo(1000);
    limits.put(admin, ScopeType.DOMAIN, acme.id(), json("{\"gpuLimit\": 10}"));
    // a sub-domain, and one further down (its grandparent binds too), an account, a project
    fails(400, "gpuLimit 11 is above the GPU limit of domain " + acme.path() + " (10)",
        () -> limits.put(admin, ScopeType.DOMAIN, dev.id(), json("{\"gpuLimit\": 11}")));
    fails(400, "gpuLimit 15 is above the GPU limit of domain " + acme.path() + " (10)",
        () -> limits.put(admin, ScopeType.DOMAIN, team.id(), json("{\"gpuLimit\": 15}")));
    // a domain without an override has the default domain limit (max.domain.gpus, 20) as its own
    fails(400, "gpuLimit 50 is above the GPU limit of domain " + dev.path() + " (20)",
        () -> limits.put(admin, ScopeType.DOMAIN, team.id(), json("{\"gpuLimit\": 50}")));
    fails(400, "gpuLimit 12 is above the GPU limit of domain " + acme.path() + " (10)",
        () -> limits.put(admin, ScopeType.ACCOUNT, acc.id(), json("{\"gpuLimit\": 12}")));
    assertThat(limits.put(admin, ScopeType.DOMAIN, dev.id(), json("{\"gpuLimit\": 6}")).gpuLimit()).isEqualTo(6);
    fails(400, "gpuLimit 7 is above the GPU limit of domain " + dev.path() + " (6)", // the nearest first
        () -> limits.put(admin, ScopeType.ACCOUNT, acc.id(), json("{\"gpuLimit\": 7}")));
    assertThat(limits.put(admin, ScopeType.ACCOUNT, acc.id(), json("{\"gpuLimit\": 4}")).gpuLimit()).isEqualTo(4);
    fails(400, "gpuLimit 5 is above the GPU limit of account acc (4)",
        () -> limits.put(admin, ScopeType.PROJECT, ml.id(), json("{\"gpuLimit\": 5}")));
    assertThat(limits.put(admin, ScopeType.PROJECT, ml.id(), json("{\"gpuLimit\": 4}")).gpuLimit()).isEqualTo(4);
    // the default of a scope above counts as its limit (max.domain.memory etc.); -1 on a child sets no limit
    // of its own (the ones above still apply) and is allowed; so is removing an override
    assertThat(limits.put(admin, ScopeType.ACCOUNT, acc.id(), json("{\"gpuLimit\": -1}")).gpuLimit()).isEqualTo(-1);
    assertThat(limits.put(admin, ScopeType.DOMAIN, team.id(), json("{\"gpuLimit\": null}")).gpuLimit()).isNotNull();
    // other resources are bounded each by their own limit above
    limits.put(admin, ScopeType.DOMAIN, acme.id(), json("{\"memoryLimit\": 4096}"));
    fails(400, "memoryLimit 8192 is above the Memory limit of domain " + acme.path() + " (4096)",
        () -> limits.put(admin, ScopeType.ACCOUNT, acc.id(), json("{\"memoryLimit\": 8192}")));
  }
}
