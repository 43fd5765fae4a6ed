package io.gpucloud.agent.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CanonicalUuidTest {
  static final String U = "0b9a7c8e-1111-4222-8333-444455556666";

  @Test
  void canonicalFormInAnyCaseWithSurroundingSpaceIsLowerCased() {
    assertThat(CanonicalUuid.normalize(U, "x")).isEqualTo(U);
    assertThat(CanonicalUuid.normalize(U.toUpperCase(), "x")).isEqualTo(U);
    assertThat(CanonicalUuid.normalize("0B9a7C8e-1111-4222-8333-444455556666", "x")).isEqualTo(U);
    assertThat(CanonicalUuid.normalize(" \t" + U + "\n", "x")).isEqualTo(U);
    assertThat(CanonicalUuid.tryNormalize("\u2003" + U.toUpperCase())).contains(U);
  }

  @Test
  void theResultIsWhatJavaAndLibvirtWrite() {
    UUID random = UUID.randomUUID();
    assertThat(CanonicalUuid.normalize(random.toString().toUpperCase(), "x")).isEqualTo(random.toString());
  }

  /** Texts that {@link UUID#fromString} accepts or that name the same uuid differently: all refused. */
  @ParameterizedTest
  @ValueSource(strings = {
      "1-2-3-4-5",                                    // UUID.fromString pads short groups
      "0b9a7c8e-1111-4222-8333-4444555566",            // short last group
      "0b9a7c8e-1111-4222-8333-4444555566667",         // long last group
      "0b9a7c8e111142228333444455556666",              // no dashes
      "{0b9a7c8e-1111-4222-8333-444455556666}",        // braces
      "urn:uuid:0b9a7c8e-1111-4222-8333-444455556666", // URN
      "0b9a7c8e-1111-4222-8333-44445555666g",          // not hex
      "+b9a7c8e-1111-4222-8333-444455556666",          // a sign Long.parseLong would take
      "０b9a7c8e-1111-4222-8333-444455556666",          // a digit that is not ASCII
      "0b9a7c8e_1111_4222_8333_444455556666",          // node device style
      "",
      "   "})
  void everythingElseIsRefused(String text) {
    assertThat(CanonicalUuid.tryNormalize(text)).isEmpty();
    assertThatThrownBy(() -> CanonicalUuid.normalize(text, "mdev uuid of device m-1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("mdev uuid of device m-1 '" + text + "' is not a UUID");
  }

  @Test
  void nullIsRequired() {
    assertThat(CanonicalUuid.tryNormalize(null)).isEmpty();
    assertThatThrownBy(() -> CanonicalUuid.normalize(null, "instance id"))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("instance id is required");
  }
}
