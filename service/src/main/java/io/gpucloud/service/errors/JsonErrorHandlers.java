package io.gpucloud.service.errors;

import io.dropwizard.core.setup.Environment;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
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

  /** For what the server refuses outside any context. */
  static final class ForServer extends org.eclipse.jetty.server.handler.ErrorHandler {
    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
        Callback callback) throws IOException {
      writeJson(response, callback, code, message);
    }
  }

  /** For what the servlet context refuses (e.g. an ambiguous path) before Jersey sees it. */
  static final class ForContext extends org.eclipse.jetty.ee10.servlet.ErrorHandler {
    @Override
    protected boolean generateAcceptableResponse(Request request, Response response, Callback callback,
        String contentType, List<Charset> charsets, int code, String message, Throwable cause) {
      writeJson(response, callback, code, message);
      return true;
    }
  }
}
