package io.gpucloud.service.errors;

import io.dropwizard.core.setup.Environment;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Errors that Jetty answers itself, before a request reaches Jersey (a path with an encoded control
 * character or backslash, a malformed request line...), are {@code {code, message}} JSON as well,
 * not Jetty's HTML page or an empty body.
 */
public final class JsonErrorHandlers {
  private JsonErrorHandlers() {}

  /** Installs the handlers on the server and on the application's servlet context. */
  public static void install(Environment env) {
    env.getApplicationContext().setErrorHandler(new ForContext());
    env.lifecycle().addServerLifecycleListener(server -> server.setErrorHandler(new ForServer()));
  }

  static void writeJson(Response response, Callback callback, int code, String message) {
    String text = message == null || message.isBlank() ? HttpStatus.getMessage(code) : message;
    StringBuilder json = new StringBuilder("{\"code\":").append(code).append(",\"message\":\"");
    for (char c : text.toCharArray()) {
      switch (c) {
        case '"' -> json.append("\\\"");
        case '\\' -> json.append("\\\\");
        default -> {
          if (c < 0x20) {
            json.append(String.format("\\u%04x", (int) c));
          } else {
            json.append(c);
          }
        }
      }
    }
    json.append("\"}");
    byte[] bytes = json.toString().getBytes(StandardCharsets.UTF_8);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
    response.write(true, ByteBuffer.wrap(bytes), callback);
  }

  /**
   * Jetty's handlers write a body for GET, POST and HEAD only (ERROR_METHODS), whatever the Accept
   * header; this answers every method, always in JSON.
   */
  static boolean handleAny(Request request, Response response, Callback callback) {
    int code = request.getAttribute(org.eclipse.jetty.server.handler.ErrorHandler.ERROR_STATUS) instanceof Integer i
        ? i : response.getStatus();
    Object message = request.getAttribute(org.eclipse.jetty.server.handler.ErrorHandler.ERROR_MESSAGE);
    Object cause = request.getAttribute(org.eclipse.jetty.server.handler.ErrorHandler.ERROR_EXCEPTION);
    String text = message instanceof String m ? m : cause instanceof Throwable t ? t.getMessage() : null;
    response.setStatus(code);
    response.getHeaders().put(org.eclipse.jetty.server.handler.ErrorHandler.ERROR_CACHE_CONTROL);
    writeJson(response, callback, code, text);
    return true;
  }

  /** For what the server refuses outside any context (e.g. an encoded control character in a path). */
  static final class ForServer extends org.eclipse.jetty.server.handler.ErrorHandler {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      return handleAny(request, response, callback);
    }
  }

  /** For what the servlet context refuses (e.g. an encoded backslash in a path) before Jersey sees it. */
  static final class ForContext extends org.eclipse.jetty.ee10.servlet.ErrorHandler {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      return handleAny(request, response, callback);
    }
  }
}
