package io.gpucloud.service.api;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpucloud.service.ApiException;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** Asserts that code fails with an ApiException of a status whose message contains a text. */
final class ApiAssertions {
  private ApiAssertions() {}

  static void fails(int status, String messagePart, ThrowingCallable call) {
    assertThatThrownBy(call)
        .isInstanceOf(ApiException.class)
        .hasMessageContaining(messagePart)
        .satisfies(e -> org.assertj.core.api.Assertions.assertThat(((ApiException) e).getStatus()).isEqualTo(status));
  }
}
