package io.gpucloud.service.console;

import io.gpucloud.service.ApiException;
import io.gpucloud.service.auth.Caller;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What the console's resources share: the session the filter found, pages, and actions that answer
 * with a redirect (POST, redirect, GET) carrying either a message or the API's refusal
 * ({@link ApiException}: its text, shown in the page instead of the API's JSON).
 */
abstract class ConsolePages {
  static SessionStore.ConsoleSession session(ContainerRequestContext ctx) {
    return (SessionStore.ConsoleSession) ctx.getProperty(ConsoleAuthFilter.SESSION);
  }

  static Caller caller(ContainerRequestContext ctx) {
    return session(ctx).caller();
  }

  static Map<String, Object> data(Object... keyValues) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i + 1 < keyValues.length; i += 2) {
      m.put((String) keyValues[i], keyValues[i + 1]);
    }
    return m;
  }

  static Response page(ContainerRequestContext ctx, String template, String title, String msg, String err,
      Map<String, Object> data) {
    return Response.ok(new Page(template, title, session(ctx), msg, err, data))
        .header("Cache-Control", "no-store").build();
  }

  /** A page whose data may throw an ApiException (a 404 of an object not seen, a 400): shown as an error page. */
  static Response page(ContainerRequestContext ctx, String template, String title, String msg, String err,
      Supplier<Map<String, Object>> data) {
    try {
      return page(ctx, template, title, msg, err, data.get());
    } catch (ApiException e) {
      return errorPage(ctx, e.getStatus(), e.getMessage());
    }
  }

  static Response errorPage(ContainerRequestContext ctx, int status, String message) {
    return Response.status(status).entity(new Page("error", "Error " + status, session(ctx), null, message, data()))
        .header("Cache-Control", "no-store").build();
  }

  static Response forbidden(ContainerRequestContext ctx) {
    return errorPage(ctx, 403, "forbidden: this page is for an Admin");
  }

  /** 303 to {@code path} with ?msg= or ?err=. */
  static Response redirect(String path, String msg, String err) {
    StringBuilder b = new StringBuilder(path);
    String sep = path.contains("?") ? "&" : "?";
    if (msg != null) {
      b.append(sep).append("msg=").append(URLEncoder.encode(msg, StandardCharsets.UTF_8));
      sep = "&";
    }
    if (err != null) {
      b.append(sep).append("err=").append(URLEncoder.encode(err, StandardCharsets.UTF_8));
    }
    return Response.seeOther(URI.create(b.toString())).build();
  }

  /** Runs an action; back to {@code path} with its message, or with the API's refusal. */
  static Response act(String path, Supplier<String> action) {
    try {
      return redirect(path, action.get(), null);
    } catch (ApiException e) {
      return redirect(path, null, e.getMessage());
    }
  }

  static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }

  static Integer intOrNull(String s) {
    String v = blankToNull(s);
    if (v == null) {
      return null;
    }
    try {
      return Integer.valueOf(v);
    } catch (NumberFormatException e) {
      throw ApiException.badRequest("'" + v + "' is not a whole number");
    }
  }

  static Long longOrNull(String s) {
    String v = blankToNull(s);
    if (v == null) {
      return null;
    }
    try {
      return Long.valueOf(v);
    } catch (NumberFormatException e) {
      throw ApiException.badRequest("'" + v + "' is not a whole number");
    }
  }
}
