package io.gpucloud.service.console;

import jakarta.annotation.Priority;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.Form;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.Optional;
import org.glassfish.jersey.server.ContainerRequest;

/**
 * Every console page but the sign-in: the session cookie must name a live session (else the browser
 * goes to the sign-in page; htmx requests get HX-Redirect), and every state-changing request must carry
 * the session's CSRF token, as the form field {@code csrf} or the header X-CSRF-Token (else 403).
 */
@ConsoleAuth
@Priority(Priorities.AUTHENTICATION)
public class ConsoleAuthFilter implements ContainerRequestFilter {
  static final String SESSION = ConsoleAuthFilter.class.getName() + ".session";

  private final SessionStore sessions;

  public ConsoleAuthFilter(SessionStore sessions) {
    this.sessions = sessions;
  }

  @Override
  public void filter(ContainerRequestContext ctx) {
    Cookie cookie = ctx.getCookies().get(Sessions.COOKIE);
    Optional<SessionStore.ConsoleSession> session =
        cookie == null ? Optional.empty() : sessions.find(cookie.getValue());
    if (session.isEmpty()) {
      if (ctx.getHeaderString("HX-Request") != null) {
        ctx.abortWith(Response.ok().header("HX-Redirect", "/console/login?expired=1").build());
      } else {
        ctx.abortWith(Response.seeOther(URI.create("/console/login" + (cookie == null ? "" : "?expired=1")))
            .header("Set-Cookie", Sessions.cookie("", 0, false)).build());
      }
      return;
    }
    if (!HttpMethod.GET.equals(ctx.getMethod()) && !HttpMethod.HEAD.equals(ctx.getMethod())) {
      String given = ctx.getHeaderString(Sessions.CSRF_HEADER);
      if (given == null && ctx.getMediaType() != null
          && ctx.getMediaType().isCompatible(MediaType.APPLICATION_FORM_URLENCODED_TYPE)
          && ctx instanceof ContainerRequest req) {
        req.bufferEntity(); // the resource reads the form again
        given = req.readEntity(Form.class).asMap().getFirst(Sessions.CSRF_FIELD);
      }
      if (!Sessions.csrfMatches(session.get().csrf(), given)) {
        ctx.abortWith(Html.error(403, "Forbidden", "The form had no valid CSRF token. Reload the page and try again."));
        return;
      }
    }
    ctx.setProperty(SESSION, session.get());
  }
}
