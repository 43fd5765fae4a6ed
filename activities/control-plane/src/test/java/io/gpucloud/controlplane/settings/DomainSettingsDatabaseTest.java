package io.gpucloud.controlplane.settings;

import static org.assertj.core.api.Assertions.assertThat;

import io.gpucloud.controlplane.TestDatabase;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Effective per-domain settings against the real schema: own value, nearest ancestor's, global. */
class DomainSettingsDatabaseTest {
  private static final String NAME = DomainSettings.GPU_DETACH_ON_STOP;
  private Jdbi jdbi;
  private String root;
  private String underscore; // "a_b"
  private String lookAlike; // "aXb", which a LIKE 'a_b%' would take for a_b's subtree
  private String child; // a_b's child
  private String global;
  private String other;

  @BeforeEach
  void setUp() {
    jdbi = TestDatabase.jdbi();
    String tag = UUID.randomUUID().toString().substring(0, 8);
    root = domain("R" + tag, null, "/R" + tag + "/");
    underscore = domain("a_b", root, "/R" + tag + "/a_b/");
    lookAlike = domain("aXb", root, "/R" + tag + "/aXb/");
    child = domain("c", underscore, "/R" + tag + "/a_b/c/");
    global = jdbi.withHandle(h -> h.select("SELECT `value` FROM settings WHERE name = ?", NAME).mapTo(String.class).one());
    other = "true".equals(global) ? "false" : "true";
  }

  private String domain(String name, String parent, String path) {
    String id = UUID.randomUUID().toString();
    jdbi.useHandle(h -> h.execute("INSERT INTO domains (id, name, parent_id, path) VALUES (?, ?, ?, ?)", id, name,
        parent, path));
    return id;
  }

  private String effective(String domainId) {
    return jdbi.withHandle(h -> DomainSettings.effective(h, domainId, NAME));
  }

  private void put(String domainId, String value) {
    jdbi.useHandle(h -> DomainSettings.put(h, domainId, NAME, value));
  }

  @Test
  void withoutOverridesEveryDomainHasTheGlobalValue() {
    assertThat(global).isEqualTo("false"); // the default V8 seeds
    assertThat(effective(root)).isEqualTo(global);
    assertThat(effective(child)).isEqualTo(global);
  }

  @Test
  void aDomainsOwnValueWinsAndItsSubtreeInheritsIt() {
    put(underscore, other);

    assertThat(effective(underscore)).isEqualTo(other);
    assertThat(effective(child)).isEqualTo(other); // the parent's
    assertThat(effective(lookAlike)).isEqualTo(global); // a sibling whose name only looks alike
    assertThat(effective(root)).isEqualTo(global);
    assertThat(jdbi.withHandle(h -> DomainSettings.all(h, child)).get(NAME))
        .isEqualTo(new DomainSettings.Value(other, false));
    assertThat(jdbi.withHandle(h -> DomainSettings.all(h, underscore)).get(NAME))
        .isEqualTo(new DomainSettings.Value(other, true));
  }

  @Test
  void aLookAlikeSiblingsValueIsNotInherited() {
    put(lookAlike, other);

    assertThat(effective(underscore)).isEqualTo(global);
    assertThat(effective(child)).isEqualTo(global);
    assertThat(effective(lookAlike)).isEqualTo(other);
  }

  @Test
  void theNearestAncestorWinsAndRemovingAnOverrideInheritsAgain() {
    put(root, other);
    assertThat(effective(child)).isEqualTo(other); // the grandparent's
    put(underscore, global);
    assertThat(effective(child)).isEqualTo(global); // the parent's, nearer
    put(child, other);
    assertThat(effective(child)).isEqualTo(other); // its own
    put(child, null);
    assertThat(effective(child)).isEqualTo(global);
    java.util.Map<String, String> own = jdbi.withHandle(h -> DomainSettings.own(h, child));
    assertThat(own).isEmpty();
  }
}
