package io.gpucloud.service.tenancy;

/** A row of a scoped tenancy object (domain, account, project): what it is called and where it sits. */
public interface ScopedRow {
  String id();

  String name();

  /** The path of the domain the object is in (for a domain, its own path), '/ROOT/child/'. */
  String domainPath();
}
