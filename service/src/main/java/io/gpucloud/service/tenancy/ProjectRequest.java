package io.gpucloud.service.tenancy;

/** Body of POST /api/v1/projects {name, accountId} and PUT /api/v1/projects/{id} {name}. */
public record ProjectRequest(String name, String accountId) {

  /** accountId null means the caller's own account. */
  public record Valid(String name, String accountId) {}

  public Valid validateCreate() {
    return new Valid(TenancyChecks.name("name", name), TenancyChecks.optionalId("accountId", accountId));
  }

  /** The new name, or null when left out; accountId, when given, must be the current owner. */
  public String validateUpdate(String currentAccountId) {
    return TenancyChecks.rename(name, "accountId", accountId, currentAccountId,
        "accountId is immutable: a project keeps its owner");
  }
}
