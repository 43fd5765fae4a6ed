package io.gpucloud.controlplane.limits;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;

/**
 * Limits against the database. Every method takes the caller's {@link Handle}, so it runs inside the
 * caller's transaction: the deploy's reservation calls {@link #checkAndLock} and then marks its
 * instance {@code quota_counted = 1} in the same transaction.
 *
 * <p>Tables: {@code settings} (global defaults {@code max.<account|domain|project>.<gpus|instances|cpus|memory>}),
 * {@code resource_limits} (per-scope overrides), usage summed from {@code instances WHERE quota_counted = 1}
 * (not Destroyed; the GPUs of an instance with {@code gpus_released = 1} do not count).
 */
public class Limits {

  /** The names of every limit setting, e.g. max.account.gpus, in a stable order. */
  public static List<String> settingNames() {
    List<String> names = new ArrayList<>();
    for (ScopeType t : ScopeType.values()) {
      for (Resource r : Resource.values()) {
        names.add(r.settingKey(t));
      }
    }
    return Collections.unmodifiableList(names);
  }

  /**
   * Checks that {@code request} fits the limits of the project (when not null), the account, the
   * account's domain and each of its ancestors, and locks what it counted so that concurrent checks
   * against the same limit serialize until the caller's transaction ends.
   *
   * <p>(a) reads the chain; (b) locks, with SELECT ... FOR UPDATE and in a fixed order (domains root to
   * leaf, then the account, then the project), each scope row that has a finite effective limit for a
   * resource the request asks for, so unlimited scopes (ROOT, by default) never become a global lock;
   * (c) sums the usage of those scopes after the locks (plain reads: the caller runs READ COMMITTED, so the sums are the latest committed ones
   * whatever the transaction's isolation level); (d) throws {@link LimitExceededException} for the
   * first limit the request does not fit in. Call it while the caller's instance does not count yet
   * (quota_counted = 0); deadlocks are possible in rare interleavings and are safe to retry.
   *
   * @throws NoSuchElementException when the account or project does not exist
   * @throws IllegalArgumentException when the project is not owned by the account
   */
  public void checkAndLock(Handle h, String accountId, String projectId, ResourceRequest request) {
    requireReadCommitted(h);
    Chain chain = readChain(h, accountId, projectId);
    LimitValues values = limitValues(h, chain.ids());
    Map<String, Long> settings = values.settings();
    Map<String, Map<Resource, Long>> overrides = values.overrides();

    // effective limits per scope, leaf-first order for the check
    List<ScopeLimits> unlockedOrder = new ArrayList<>();
    if (chain.project != null) {
      unlockedOrder.add(scope(ScopeType.PROJECT, chain.project.id, chain.project.name, false, overrides, settings));
    }
    unlockedOrder.add(scope(ScopeType.ACCOUNT, chain.account.id, chain.account.name, false, overrides, settings));
    for (int i = chain.domains.size() - 1; i >= 0; i--) {
      DomainRef d = chain.domains.get(i);
      unlockedOrder.add(scope(ScopeType.DOMAIN, d.id, d.name, d.root, overrides, settings));
    }

    // lock in the fixed order: domains root -> leaf, account, project
    Map<String, Boolean> needed = new LinkedHashMap<>();
    for (ScopeLimits s : unlockedOrder) {
      needed.put(s.type() + ":" + s.id(), LimitCheck.limits(s, request));
    }
    for (DomainRef d : chain.domains) {
      if (needed.get(ScopeType.DOMAIN + ":" + d.id)) {
        lockRow(h, "domains", d.id);
      }
    }
    if (needed.get(ScopeType.ACCOUNT + ":" + chain.account.id)) {
      lockRow(h, "accounts", chain.account.id);
    }
    if (chain.project != null && needed.get(ScopeType.PROJECT + ":" + chain.project.id)) {
      lockRow(h, "projects", chain.project.id);
    }

    // usage of the limited scopes, read after the locks
    List<ScopeLimits> checked = new ArrayList<>();
    for (ScopeLimits s : unlockedOrder) {
      if (!needed.get(s.type() + ":" + s.id())) {
        continue;
      }
      String path = s.type() == ScopeType.DOMAIN ? chain.pathOf(s.id()) : null;
      checked.add(new ScopeLimits(s.type(), s.id(), s.name(), s.limits(), used(h, s.type(), s.id(), path, true)));
    }
    LimitCheck.require(checked, request);
  }

  /** Limits and usage of one scope (plain reads, no locks). */
  public Usage usage(Handle h, ScopeType type, String id) {
    String name;
    String path = null;
    boolean root = false;
    switch (type) {
      case ACCOUNT -> name = h.createQuery("SELECT name FROM accounts WHERE id = :id").bind("id", id)
          .mapTo(String.class).findFirst().orElseThrow(() -> missing(type, id));
      case PROJECT -> name = h.createQuery("SELECT name FROM projects WHERE id = :id").bind("id", id)
          .mapTo(String.class).findFirst().orElseThrow(() -> missing(type, id));
      default -> {
        DomainRef d = h.createQuery("SELECT id, name, path, parent_id FROM domains WHERE id = :id").bind("id", id)
            .map((rs, ctx) -> new DomainRef(rs.getString("id"), rs.getString("name"), rs.getString("path"),
                rs.getString("parent_id") == null))
            .findFirst().orElseThrow(() -> missing(type, id));
        name = d.name;
        path = d.path;
        root = d.root;
      }
    }
    LimitValues values = limitValues(h, List.of(id));
    Map<Resource, Long> limits = LimitCheck.effectiveLimits(type, root,
        values.overrides().getOrDefault(type + ":" + id, Map.of()), values.settings());
    Map<Resource, Long> used = used(h, type, id, path, false);
    Map<Resource, ResourceUsage> out = new EnumMap<>(Resource.class);
    for (Resource r : Resource.values()) {
      out.put(r, ResourceUsage.of(limits.get(r), used.getOrDefault(r, 0L)));
    }
    return new Usage(type, id, name, out);
  }

  /** The limit settings (name -> value); a value that is not an integer is left out (= unlimited). */
  public Map<String, Long> settings(Handle h) {
    return limitValues(h, List.of()).settings();
  }

  /** Sets a global default (name must be one of {@link #settingNames()}). */
  public void setSetting(Handle h, String name, long value) {
    if (!settingNames().contains(name)) {
      throw new IllegalArgumentException("unknown limit setting " + name);
    }
    h.createUpdate("INSERT INTO settings (name, `value`) VALUES (:n, :v) ON DUPLICATE KEY UPDATE `value` = VALUES(`value`)")
        .bind("n", name).bind("v", Long.toString(value)).execute();
  }

  /** The overrides of one scope (resource -> max); resources without an override are absent. */
  public Map<Resource, Long> overrides(Handle h, ScopeType type, String id) {
    return limitValues(h, List.of(id)).overrides().getOrDefault(type + ":" + id, Map.of());
  }

  /** Sets ({@code max} not null) or removes ({@code max} null: back to the default) one override. */
  public void setOverride(Handle h, ScopeType type, String id, Resource resource, Long max) {
    if (max == null) {
      h.createUpdate("DELETE FROM resource_limits WHERE scope_type = :t AND scope_id = :id AND resource = :r")
          .bind("t", type.name()).bind("id", id).bind("r", resource.name()).execute();
      return;
    }
    if (max < -1) {
      throw new IllegalArgumentException("a limit must be >= -1");
    }
    h.createUpdate("INSERT INTO resource_limits (scope_type, scope_id, resource, `max`) VALUES (:t, :id, :r, :m)"
            + " ON DUPLICATE KEY UPDATE `max` = VALUES(`max`)")
        .bind("t", type.name()).bind("id", id).bind("r", resource.name()).bind("m", max).execute();
  }

  /** Removes every override of a scope (when the scope is deleted). */
  public void deleteOverrides(Handle h, ScopeType type, String id) {
    h.createUpdate("DELETE FROM resource_limits WHERE scope_type = :t AND scope_id = :id")
        .bind("t", type.name()).bind("id", id).execute();
  }

  // ---------------------------------------------------------------------------------------------

  private record DomainRef(String id, String name, String path, boolean root) {}

  private record Named(String id, String name) {}

  private record Chain(Named project, Named account, List<DomainRef> domains) {
    List<String> ids() {
      List<String> ids = new ArrayList<>();
      if (project != null) {
        ids.add(project.id);
      }
      ids.add(account.id);
      domains.forEach(d -> ids.add(d.id));
      return ids;
    }

    String pathOf(String domainId) {
      return domains.stream().filter(d -> d.id.equals(domainId)).map(DomainRef::path).findFirst().orElseThrow();
    }
  }

  /** The account with its domain and the domain's ancestors (root first) in one query, then the project. */
  private static Chain readChain(Handle h, String accountId, String projectId) {
    record Row(String accountName, DomainRef domain) {}
    // every domain whose path prefixes the path of the account's domain
    List<Row> rows = h.createQuery("SELECT a.name AS account_name, d.id, d.name, d.path, d.parent_id"
            + " FROM accounts a JOIN domains ad ON ad.id = a.domain_id"
            + " JOIN domains d ON LEFT(ad.path, CHAR_LENGTH(d.path)) = d.path"
            + " WHERE a.id = :id ORDER BY CHAR_LENGTH(d.path), d.id")
        .bind("id", accountId)
        .map((rs, ctx) -> new Row(rs.getString("account_name"), new DomainRef(rs.getString("id"),
            rs.getString("name"), rs.getString("path"), rs.getString("parent_id") == null)))
        .list();
    if (rows.isEmpty()) {
      throw missing(ScopeType.ACCOUNT, accountId);
    }
    Named project = null;
    if (projectId != null) {
      record ProjectRow(String id, String name, String accountId) {}
      ProjectRow p = h.createQuery("SELECT id, name, account_id FROM projects WHERE id = :id")
          .bind("id", projectId)
          .map((rs, ctx) -> new ProjectRow(rs.getString(1), rs.getString(2), rs.getString(3)))
          .findFirst().orElseThrow(() -> missing(ScopeType.PROJECT, projectId));
      if (!p.accountId().equals(accountId)) {
        throw new IllegalArgumentException("project " + projectId + " does not belong to account " + accountId);
      }
      project = new Named(p.id(), p.name());
    }
    return new Chain(project, new Named(accountId, rows.get(0).accountName()),
        rows.stream().map(Row::domain).toList());
  }

  private static ScopeLimits scope(ScopeType type, String id, String name, boolean root,
      Map<String, Map<Resource, Long>> overrides, Map<String, Long> settings) {
    Map<Resource, Long> own = overrides.getOrDefault(type + ":" + id, Map.of());
    return new ScopeLimits(type, id, name, LimitCheck.effectiveLimits(type, root, own, settings), Map.of());
  }

  /** Limit settings by name, and per-scope overrides keyed "TYPE:id" (resource -> max). */
  private record LimitValues(Map<String, Long> settings, Map<String, Map<Resource, Long>> overrides) {}

  /**
   * The limit settings and the overrides of the given scopes, in one round trip (the deploy's
   * reservation reads them on every attempt). A value that is not an integer is left out
   * (= no limit from it), as is an override of a resource this version does not know.
   */
  private static LimitValues limitValues(Handle h, List<String> scopeIds) {
    Map<String, Long> settings = new LinkedHashMap<>();
    Map<String, Map<Resource, Long>> overrides = new LinkedHashMap<>();
    // "IN ()" is not SQL: an id no scope has stands in for "no scope"
    List<String> ids = scopeIds.isEmpty() ? List.of("-") : scopeIds;
    h.createQuery("SELECT 'setting', name, NULL, `value` FROM settings WHERE name LIKE 'max.%'"
            + " UNION ALL SELECT 'override', CONCAT(scope_type, ':', scope_id), resource, `max`"
            + " FROM resource_limits WHERE scope_id IN (<ids>)")
        .bindList("ids", ids)
        .map((rs, ctx) -> new String[] {rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)})
        .forEach(row -> {
          long value;
          try {
            value = Long.parseLong(row[3] == null ? "" : row[3].trim());
          } catch (NumberFormatException notALimit) {
            return;
          }
          if (row[0].equals("setting")) {
            settings.put(row[1], value);
            return;
          }
          try {
            overrides.computeIfAbsent(row[1], k -> new EnumMap<>(Resource.class)).put(Resource.valueOf(row[2]), value);
          } catch (IllegalArgumentException unknownResource) {
            // left out
          }
        });
    return new LimitValues(settings, overrides);
  }

  /**
   * Under REPEATABLE READ the usage sums would come from a snapshot taken before the scope locks,
   * and two deploys could both see room for the last GPU.
   */
  private static void requireReadCommitted(Handle h) {
    TransactionIsolationLevel level = h.getTransactionIsolationLevel();
    if (level != TransactionIsolationLevel.READ_COMMITTED) {
      throw new IllegalStateException("limits must be checked in a READ COMMITTED transaction, not " + level);
    }
  }

  private static void lockRow(Handle h, String table, String id) {
    h.createQuery("SELECT id FROM " + table + " WHERE id = :id FOR UPDATE").bind("id", id)
        .mapTo(String.class).findFirst();
  }

  /**
   * What counted instances use. An instance that gave its devices back at stop (gpus_released = 1)
   * counts no GPUs until a start reserves again; its instance, CPU and memory count while it exists.
   */
  private static final String SUMS = "SELECT COUNT(*), COALESCE(SUM(IF(i.gpus_released = 1, 0, i.gpu_count)), 0),"
      + " COALESCE(SUM(i.cpu_cores), 0), COALESCE(SUM(i.memory_mb), 0)";

  /**
   * Which instances count: quota_counted = 1, and never a Destroyed one (destroy clears quota_counted
   * too; the state check keeps a Destroyed instance from ever counting again).
   */
  private static final String COUNTED = " AND i.quota_counted = 1 AND i.state <> 'Destroyed'";

  /** Usage of one scope: the counted instances (domain: every account in its subtree). */
  private static Map<Resource, Long> used(Handle h, ScopeType type, String id, String domainPath, boolean locking) {
    String sql = switch (type) {
      case ACCOUNT -> SUMS + " FROM instances i WHERE i.account_id = :id" + COUNTED;
      case PROJECT -> SUMS + " FROM instances i WHERE i.project_id = :id" + COUNTED;
      case DOMAIN -> SUMS + " FROM instances i JOIN accounts a ON a.id = i.account_id"
          + " JOIN domains d ON d.id = a.domain_id"
          + " WHERE LEFT(d.path, CHAR_LENGTH(:path)) = :path" + COUNTED;
    };
    // No LOCK IN SHARE MODE: share-locking every counted instance row deadlocks against deploys that
    // hold their own instance row and wait for the scope lock. The scope row lock taken before this
    // read is what serialises quota changes; under READ COMMITTED this plain read then sees every
    // committed change (checkAndLock insists on that isolation level).
    var q = h.createQuery(sql);
    if (type == ScopeType.DOMAIN) {
      q.bind("path", domainPath);
    } else {
      q.bind("id", id);
    }
    return q.map((rs, ctx) -> {
      Map<Resource, Long> m = new EnumMap<>(Resource.class);
      m.put(Resource.INSTANCE, rs.getLong(1));
      m.put(Resource.GPU, rs.getLong(2));
      m.put(Resource.CPU, rs.getLong(3));
      m.put(Resource.MEMORY, rs.getLong(4));
      return m;
    }).one();
  }

  private static NoSuchElementException missing(ScopeType type, String id) {
    return new NoSuchElementException("no " + type.key() + " with id " + id);
  }
}
