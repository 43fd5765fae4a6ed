package io.gpucloud.service.console;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** Plain HTML answers that need no template (the filter's refusals). */
final class Html {
  private Html() {}

  static Response error(int status, String title, String message) {
    String body = "<!doctype html><html><head><meta charset=\"utf-8\"><meta name=\"viewport\""
        + " content=\"width=device-width, initial-scale=1\"><title>" + escape(title) + "</title>"
        + "<link rel=\"stylesheet\" href=\"/console/static/console.css\"></head><body><main>"
        + "<h1>" + status + " " + escape(title) + "</h1><p class=\"flash err\">" + escape(message) + "</p>"
        + "<p><a href=\"/console/\">Back to the console</a></p></main></body></html>";
    return Response.status(status).type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8")).entity(body).build();
  }

  static String escape(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }
}
