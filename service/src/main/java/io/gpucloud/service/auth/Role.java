package io.gpucloud.service.auth;

/** Used as names in @RolesAllowed: "Admin", "DomainAdmin", "User". */
public enum Role {
  Admin,
  DomainAdmin,
  User;

  public static final String ADMIN = "Admin";
  public static final String DOMAIN_ADMIN = "DomainAdmin";
  public static final String USER = "User";
}
