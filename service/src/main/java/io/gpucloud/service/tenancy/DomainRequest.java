package io.gpucloud.service.tenancy;

/** Body of POST /api/v1/domains {name, parentId} and PUT /api/v1/domains/{id} {name}. */
public record DomainRequest(String name, String parentId) {

  /** name validated; parentId trimmed or null (then the caller's own domain). */
  public record Valid(String name, String parentId) {}

  public Valid validateCreate() {
    return new Valid(TenancyChecks.name("name", name), TenancyChecks.optionalId("parentId", parentId));
  }

  /** The new name, or null when left out (parentId, when given, must be the current parent). */
  public String validateUpdate(String currentParentId) {
    return TenancyChecks.rename(name, "parentId", parentId, currentParentId,
        "parentId is immutable: a domain cannot be moved");
  }
}
