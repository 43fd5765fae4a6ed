package io.gpucloud.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** Asserts that code fails with an ApiException of a status whose message contains a text. */
public final class ApiAssertions {
  private ApiAssertions() {}

  public static void fails(int status, String messagePart, ThrowingCallable call) {
    assertThatThrownBy(call)
        .isInstanceOf(ApiException.class)
        .hasMessageContaining(messagePart)
        .satisfies(e -> assertThat(((ApiException) e).getStatus()).isEqualTo(status));
  }
}
