package io.gpucloud.service.tenancy;

import io.gpucloud.service.auth.Scope;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * domains, accounts, projects. A listing's subtree filter is {@link Scope#SQL_IN_LIST_PREFIX} on the
 * domain (alias {@code d}) with {@code :prefix} = {@link Scope#listPrefix()} (null = all).
 */
@RegisterConstructorMapper(DomainRow.class)
@RegisterConstructorMapper(AccountRow.class)
@RegisterConstructorMapper(ProjectRow.class)
public interface TenancyDao {
  // ---- domains ----

  String DOMAIN = "SELECT d.id, d.name, d.parent_id, d.path, d.created_at FROM domains d";

  @SqlQuery(DOMAIN + " WHERE d.id = :id")
  Optional<DomainRow> domain(@Bind("id") String id);

  @SqlQuery(DOMAIN + " WHERE d.id = :id FOR UPDATE")
  Optional<DomainRow> lockDomain(@Bind("id") String id);

  @SqlQuery(DOMAIN + " WHERE " + Scope.SQL_IN_LIST_PREFIX
      + " AND (:exact IS NULL OR d.path = :exact)"
      + " AND (:parentId IS NULL OR d.parent_id = :parentId)"
      + " AND (:name IS NULL OR d.name = :name)"
      + " ORDER BY d.path, d.id")
  List<DomainRow> domains(@Bind("prefix") String prefix, @Bind("exact") String exactPath,
      @Bind("parentId") String parentId, @Bind("name") String name);

  @SqlUpdate("INSERT INTO domains (id, name, parent_id, path) VALUES (:id, :name, :parentId, :path)")
  void insertDomain(@Bind("id") String id, @Bind("name") String name, @Bind("parentId") String parentId,
      @Bind("path") String path);

  @SqlUpdate("UPDATE domains SET name = :name WHERE id = :id")
  int renameDomain(@Bind("id") String id, @Bind("name") String name);

  /** Rewrites the paths of a subtree (the domain itself included) after a rename. */
  @SqlUpdate("UPDATE domains SET path = CONCAT(:newPath, SUBSTRING(path, CHAR_LENGTH(:oldPath) + 1))"
      + " WHERE LEFT(path, CHAR_LENGTH(:oldPath)) = :oldPath")
  int movePaths(@Bind("oldPath") String oldPath, @Bind("newPath") String newPath);

  @SqlQuery("SELECT COUNT(*) FROM domains WHERE parent_id = :id")
  long countSubdomains(@Bind("id") String id);

  @SqlQuery("SELECT COUNT(*) FROM accounts WHERE domain_id = :id")
  long countAccountsIn(@Bind("id") String domainId);

  @SqlUpdate("DELETE FROM domains WHERE id = :id")
  int deleteDomain(@Bind("id") String id);

  // ---- accounts ----

  String ACCOUNT = "SELECT a.id, a.name, a.domain_id, d.path AS domain_path, a.created_at"
      + " FROM accounts a JOIN domains d ON d.id = a.domain_id";

  @SqlQuery(ACCOUNT + " WHERE a.id = :id")
  Optional<AccountRow> account(@Bind("id") String id);

  @SqlQuery("SELECT id FROM accounts WHERE id = :id FOR UPDATE")
  Optional<String> lockAccount(@Bind("id") String id);

  @SqlQuery(ACCOUNT + " WHERE " + Scope.SQL_IN_LIST_PREFIX
      + " AND (:onlyAccount IS NULL OR a.id = :onlyAccount)"
      + " AND (:domainId IS NULL OR a.domain_id = :domainId)"
      + " AND (:name IS NULL OR a.name = :name)"
      + " ORDER BY d.path, a.name, a.id")
  List<AccountRow> accounts(@Bind("prefix") String prefix, @Bind("onlyAccount") String onlyAccount,
      @Bind("domainId") String domainId, @Bind("name") String name);

  @SqlUpdate("INSERT INTO accounts (id, name, domain_id) VALUES (:id, :name, :domainId)")
  void insertAccount(@Bind("id") String id, @Bind("name") String name, @Bind("domainId") String domainId);

  @SqlUpdate("UPDATE accounts SET name = :name WHERE id = :id")
  int renameAccount(@Bind("id") String id, @Bind("name") String name);

  @SqlQuery("SELECT COUNT(*) FROM users WHERE account_id = :id")
  long countUsers(@Bind("id") String accountId);

  @SqlQuery("SELECT COUNT(*) FROM instances WHERE account_id = :id")
  long countInstances(@Bind("id") String accountId);

  @SqlQuery("SELECT COUNT(*) FROM projects WHERE account_id = :id")
  long countProjects(@Bind("id") String accountId);

  @SqlUpdate("DELETE FROM accounts WHERE id = :id")
  int deleteAccount(@Bind("id") String id);

  // ---- projects ----

  String PROJECT = "SELECT p.id, p.name, p.account_id, a.name AS account_name, p.domain_id, d.path AS domain_path,"
      + " p.created_at FROM projects p JOIN accounts a ON a.id = p.account_id JOIN domains d ON d.id = p.domain_id";

  @SqlQuery(PROJECT + " WHERE p.id = :id")
  Optional<ProjectRow> project(@Bind("id") String id);

  @SqlQuery("SELECT id FROM projects WHERE id = :id FOR UPDATE")
  Optional<String> lockProject(@Bind("id") String id);

  @SqlQuery(PROJECT + " WHERE " + Scope.SQL_IN_LIST_PREFIX
      + " AND (:onlyAccount IS NULL OR p.account_id = :onlyAccount)"
      + " AND (:accountId IS NULL OR p.account_id = :accountId)"
      + " AND (:name IS NULL OR p.name = :name)"
      + " ORDER BY d.path, p.name, p.id")
  List<ProjectRow> projects(@Bind("prefix") String prefix, @Bind("onlyAccount") String onlyAccount,
      @Bind("accountId") String accountId, @Bind("name") String name);

  @SqlUpdate("INSERT INTO projects (id, name, account_id, domain_id) VALUES (:id, :name, :accountId, :domainId)")
  void insertProject(@Bind("id") String id, @Bind("name") String name, @Bind("accountId") String accountId,
      @Bind("domainId") String domainId);

  @SqlUpdate("UPDATE projects SET name = :name WHERE id = :id")
  int renameProject(@Bind("id") String id, @Bind("name") String name);

  /** Instances of a project that still exist (anything not Destroyed). */
  @SqlQuery("SELECT COUNT(*) FROM instances WHERE project_id = :id AND state NOT IN ('Destroyed', 'Expunged')")
  long countLiveProjectInstances(@Bind("id") String projectId);

  @SqlUpdate("DELETE FROM projects WHERE id = :id")
  int deleteProject(@Bind("id") String id);
}
