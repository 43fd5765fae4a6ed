package io.gpucloud.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** Asserts that code fails, or an HTTP answer is an error, of a status whose message contains a text. */
public final class ApiAssertions {
  private ApiAssertions() {}

  public static void fails(int status, String messagePart, ThrowingCallable call) {
    assertThatThrownBy(call)
        .isInstanceOf(ApiException.class)
        .hasMessageContaining(messagePart)
        .satisfies(e -> assertThat(((ApiException) e).getStatus()).isEqualTo(status));
  }

  /** An error answer: the status, and the JSON {code, message} with that code and a message containing messagePart. */
  @SuppressWarnings("unchecked")
  public static void assertError(Response r, int status, String messagePart) {
    assertThat(r.getStatus()).isEqualTo(status);
    Map<String, Object> body = r.readEntity(Map.class);
    assertThat(body).containsEntry("code", status);
    assertThat((String) body.get("message")).contains(messagePart);
  }
}
