package io.gpucloud.service.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class ApiKeysTest {

  @Test
  void keyHasPrefixAnd32RandomBytesInBase64Url() {
    String key = ApiKeys.generate();
    assertThat(key).startsWith("gck_");
    byte[] raw = Base64.getUrlDecoder().decode(key.substring(4));
    assertThat(raw).hasSize(32);
    assertThat(key.substring(4)).matches("[A-Za-z0-9_-]+");
    assertThat(ApiKeys.looksLikeKey(key)).isTrue();
  }

  @Test
  void twoKeysDiffer() {
    assertThat(ApiKeys.generate()).isNotEqualTo(ApiKeys.generate());
  }

  @Test
  void hashIsSha256Hex() throws Exception {
    String key = ApiKeys.generate();
    String expected = HexFormat.of().formatHex(
        MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    assertThat(ApiKeys.hash(key)).isEqualTo(expected).hasSize(64).matches("[0-9a-f]{64}");
    assertThat(ApiKeys.hash("abc"))
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }

  @Test
  void prefixFitsTheColumnAndDoesNotRevealTheKey() {
    String key = ApiKeys.generate();
    assertThat(ApiKeys.prefix(key)).hasSize(12).startsWith("gck_");
    assertThat(key).startsWith(ApiKeys.prefix(key));
  }

  @Test
  void shapeCheckRejectsJunk() {
    assertThat(ApiKeys.looksLikeKey(null)).isFalse();
    assertThat(ApiKeys.looksLikeKey("")).isFalse();
    assertThat(ApiKeys.looksLikeKey("gck_")).isFalse();
    assertThat(ApiKeys.looksLikeKey("Bearer gck_abc")).isFalse();
    assertThat(ApiKeys.looksLikeKey("gck_a'b")).isFalse();
  }
}
