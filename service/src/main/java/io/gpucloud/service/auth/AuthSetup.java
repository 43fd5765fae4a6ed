package io.gpucloud.service.auth;

import io.dropwizard.auth.AuthDynamicFeature;
import io.dropwizard.auth.AuthValueFactoryProvider;
import io.dropwizard.auth.Authenticator;
import io.dropwizard.auth.oauth.OAuthCredentialAuthFilter;
import java.util.List;
import org.glassfish.jersey.server.filter.RolesAllowedDynamicFeature;

/** The Jersey components of Bearer API-key auth; the same list serves the app and the tests. */
public final class AuthSetup {
  public static final String REALM = "gpucloud";

  private AuthSetup() {}

  public static List<Object> components(Authenticator<String, Caller> authenticator) {
    OAuthCredentialAuthFilter<Caller> filter = new OAuthCredentialAuthFilter.Builder<Caller>()
        .setAuthenticator(authenticator)
        .setAuthorizer(new RoleAuthorizer())
        .setPrefix("Bearer")
        .setRealm(REALM)
        .setUnauthorizedHandler(new JsonUnauthorizedHandler())
        .buildAuthFilter();
    return List.of(
        new AuthDynamicFeature(filter),
        RolesAllowedDynamicFeature.class,
        new AuthValueFactoryProvider.Binder<>(Caller.class));
  }
}
