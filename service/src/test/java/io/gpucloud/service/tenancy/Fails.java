package io.gpucloud.service.tenancy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpucloud.service.ApiException;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

final class Fails {
  private Fails() {}

  static void fails(int status, String messagePart, ThrowingCallable call) {
    assertThatThrownBy(call)
        .isInstanceOf(ApiException.class)
        .hasMessageContaining(messagePart)
        .satisfies(e -> assertThat(((ApiException) e).getStatus()).isEqualTo(status));
  }
}
