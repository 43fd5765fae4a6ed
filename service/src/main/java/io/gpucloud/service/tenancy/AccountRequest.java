package io.gpucloud.service.tenancy;

/** Body of POST /api/v1/accounts {name, domainId} and PUT /api/v1/accounts/{id} {name}. */
public record AccountRequest(String name, String domainId) {

  /** domainId null means the caller's own domain. */
  public record Valid(String name, String domainId) {}

  public Valid validateCreate() {
    return new Valid(TenancyChecks.name("name", name), TenancyChecks.optionalId("domainId", domainId));
  }

  /** The new name, or null when left out; domainId, when given, must be the current one. */
  public String validateUpdate(String currentDomainId) {
    return TenancyChecks.rename(name, "domainId", domainId, currentDomainId,
        "domainId is immutable: an account cannot be moved");
  }
}
