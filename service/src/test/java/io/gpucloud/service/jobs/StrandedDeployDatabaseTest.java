package io.gpucloud.service.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpucloud.service.TestDatabase;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Which instances the stranded-deploy job starts a deploy for, with a fake Temporal side. */
class StrandedDeployDatabaseTest {
  static Jdbi jdbi;
  static String account;

  @BeforeAll
  static void setUp() {
    jdbi = TestDatabase.jdbi();
    account = UUID.randomUUID().toString();
    String domain = UUID.randomUUID().toString();
    jdbi.useHandle(h -> {
      h.execute("INSERT INTO domains (id, name, parent_id, path) VALUES (?, ?, NULL, ?)", domain,
          "stranded-" + domain, "/stranded-" + domain + "/");
      h.execute("INSERT INTO accounts (id, name, domain_id) VALUES (?, ?, ?)",
          account, "stranded-" + account.substring(0, 8), domain);
    });
  }

  /** An instance in the state whose last change was {@code secondsAgo} ago. */
  static String instance(String state, int secondsAgo) {
    String id = UUID.randomUUID().toString();
    jdbi.useHandle(h -> {
      h.execute("INSERT INTO instances (id, name, vm_name, account_id, state) VALUES (?, ?, ?, ?, ?)",
          id, "vm-" + id.substring(0, 8), "i-" + id, account, state);
      h.execute("UPDATE instances SET updated_at = NOW(3) - INTERVAL " + secondsAgo + " SECOND WHERE id = ?", id);
    });
    return id;
  }

  @Test
  void startsTheDeployOfInstancesCreatingForOverAMinuteOnly() {
    String stranded = instance("Creating", 120);
    String fresh = instance("Creating", 5);
    String running = instance("Running", 600);
    String failed = instance("Error", 600);
    List<StrandedDeployJob.Stranded> starts = new ArrayList<>();

    List<String> started = StrandedDeployJob.run(jdbi, starts::add);

    assertThat(started).contains(stranded).doesNotContain(fresh, running, failed);
    StrandedDeployJob.Stranded s = starts.stream().filter(x -> x.id().equals(stranded)).findFirst().orElseThrow();
    assertThat(s.name()).isEqualTo("vm-" + stranded.substring(0, 8));
    assertThat(s.accountName()).startsWith("stranded-");
  }

  @Test
  void aFailedStartDoesNotStopTheOthers() {
    String first = instance("Creating", 300);
    String second = instance("Creating", 200);
    List<String> attempted = new ArrayList<>();

    List<String> started = StrandedDeployJob.run(jdbi, s -> {
      attempted.add(s.id());
      if (s.id().equals(first)) {
        throw new IllegalStateException("Temporal unavailable");
      }
    });

    assertThat(attempted).contains(first, second);
    assertThat(started).contains(second).doesNotContain(first);
  }
}
