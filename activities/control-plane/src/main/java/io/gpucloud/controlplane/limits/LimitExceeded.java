package io.gpucloud.controlplane.limits;

/** The first limit a request does not fit in. */
public record LimitExceeded(
    ScopeType scopeType, String scopeName, Resource resource, long limit, long used, long requested) {

  /** e.g. {@code GPU limit of account 'acme' exceeded: limit 5, in use 5, requested 1}. */
  public String message() {
    return resource.label() + " limit of " + scopeType.key() + " '" + scopeName + "' exceeded: limit " + limit
        + ", in use " + used + ", requested " + requested;
  }

  @Override
  public String toString() {
    return message();
  }
}
