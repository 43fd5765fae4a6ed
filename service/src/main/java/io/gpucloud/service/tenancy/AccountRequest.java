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
    String d = TenancyChecks.optionalId("domainId", domainId);
    if (d != null && !d.equalsIgnoreCase(currentDomainId)) {
      throw io.gpucloud.service.ApiException.badRequest("domainId is immutable: an account cannot be moved");
    }
    return TenancyChecks.optionalName("name", name);
  }
}
