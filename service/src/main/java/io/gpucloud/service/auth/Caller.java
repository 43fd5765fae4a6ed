package io.gpucloud.service.auth;

import java.security.Principal;

/** The authenticated user behind an API key. role is one of Role's names. */
public record Caller(String userId, String userName, String accountId, String domainId, Role role)
    implements Principal {

  @Override
  public String getName() {
    return userName;
  }

  public boolean isAdmin() {
    return role == Role.Admin;
  }
}
