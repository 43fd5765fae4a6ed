package io.gpucloud.service.console;

import io.swagger.v3.oas.annotations.Hidden;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.Map;

/**
 * Sign-in (an API key, exchanged for a session cookie; the key itself is not kept), sign-out, and the
 * console's static files: its CSS and htmx from its WebJar, both from the jar.
 */
@Hidden
@Path("/console")
public class SignInPages {
  static final String HTMX = "/META-INF/resources/webjars/htmx.org/" + ConsoleModule.HTMX_VERSION + "/dist/htmx.min.js";
  private static final Map<String, String[]> STATIC = Map.of(
      "htmx.min.js", new String[] {HTMX, "text/javascript"},
      "console.css", new String[] {"/io/gpucloud/service/console/console.css", "text/css"});

  private final SessionStore sessions;
  private final boolean secureCookie;

  public SignInPages(SessionStore sessions, boolean secureCookie) {
    this.sessions = sessions;
    this.secureCookie = secureCookie;
  }

  @GET
  public Response root() {
    return Response.seeOther(URI.create("/console/instances")).build();
  }

  @GET
  @Path("/login")
  @Produces(MediaType.TEXT_HTML)
  public Page loginForm(@QueryParam("expired") String expired, @QueryParam("err") String err) {
    return new Page("login", "Sign in", null, expired != null ? "Your session has ended: sign in again." : null, err,
        ConsolePages.data());
  }

  @POST
  @Path("/login")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  public Response login(@FormParam("apiKey") String apiKey) {
    return sessions.open(apiKey == null ? null : apiKey.trim())
        .map(o -> Response.seeOther(URI.create("/console/instances"))
            .header("Set-Cookie", Sessions.cookie(o.token(), sessions.idle().toSeconds(), secureCookie))
            .build())
        .orElseGet(() -> ConsolePages.redirect("/console/login", null, "That API key is not valid."));
  }

  /** Sign-out is a POST with the CSRF token, like every other change. */
  @POST
  @Path("/logout")
  @ConsoleAuth
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  public Response logout(@CookieParam(Sessions.COOKIE) String token) {
    sessions.close(token);
    return Response.seeOther(URI.create("/console/login"))
        .header("Set-Cookie", Sessions.cookie("", 0, secureCookie)).build();
  }

  @GET
  @Path("/static/{file}")
  public Response file(@PathParam("file") String file) throws IOException {
    String[] f = STATIC.get(file);
    InputStream in = f == null ? null : SignInPages.class.getResourceAsStream(f[0]);
    if (in == null) {
      return Html.error(404, "Not found", "no such file");
    }
    try (in) {
      return Response.ok(in.readAllBytes(), f[1] + "; charset=utf-8").header("Cache-Control", "max-age=3600").build();
    }
  }
}
