package io.gpucloud.service.console;

import io.dropwizard.views.common.View;
import io.gpucloud.service.auth.Caller;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * One rendered console page or fragment: the template (under resources io/gpucloud/service/console/),
 * the signed-in user and CSRF token every form carries, a message or an error (an ApiException's text),
 * and the page's own data.
 */
public class Page extends View {
  private final String title;
  private final SessionStore.ConsoleSession session;
  private final String msg;
  private final String err;
  private final Map<String, Object> data;

  Page(String template, String title, SessionStore.ConsoleSession session, String msg, String err,
      Map<String, Object> data) {
    super("/io/gpucloud/service/console/" + template + ".ftlh", StandardCharsets.UTF_8);
    this.title = title;
    this.session = session;
    this.msg = msg;
    this.err = err;
    this.data = data;
  }

  public String getTitle() { return title; }
  public Caller getUser() { return session == null ? null : session.caller(); }
  public boolean isAdmin() { return session != null && session.caller().isAdmin(); }
  public boolean isDomainAdmin() { return session != null && session.caller().role().name().equals("DomainAdmin"); }
  public String getCsrf() { return session == null ? "" : session.csrf(); }
  public String getMsg() { return msg; }
  public String getErr() { return err; }
  public Map<String, Object> getData() { return data; }
}
