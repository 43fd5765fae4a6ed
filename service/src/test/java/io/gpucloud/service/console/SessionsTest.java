package io.gpucloud.service.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SessionsTest {
  @Test
  void tokensAreRandomUrlSafeAndStoredAsTheirHash() {
    String a = Sessions.newToken();
    String b = Sessions.newToken();
    assertThat(a).hasSize(43).isNotEqualTo(b);
    assertThat(Sessions.looksLikeToken(a)).isTrue();
    assertThat(Sessions.hash(a)).hasSize(64).isNotEqualTo(a).isEqualTo(Sessions.hash(a));
    assertThat(Sessions.looksLikeToken(null)).isFalse();
    assertThat(Sessions.looksLikeToken("short")).isFalse();
    assertThat(Sessions.looksLikeToken(a.substring(1) + "=")).isFalse();
  }

  @Test
  void aSessionExpiresAfterItsIdleTime() {
    Instant seen = Instant.parse("2026-01-01T08:00:00Z");
    Duration idle = Duration.ofHours(8);
    assertThat(Sessions.expired(seen, seen.plus(Duration.ofHours(7).plusMinutes(59)), idle)).isFalse();
    assertThat(Sessions.expired(seen, seen.plus(idle), idle)).isTrue();
    assertThat(Sessions.expired(null, seen, idle)).isTrue();
  }

  @Test
  void csrfTokensMustMatchExactly() {
    String t = Sessions.newToken();
    assertThat(Sessions.csrfMatches(t, t)).isTrue();
    assertThat(Sessions.csrfMatches(t, t.toUpperCase())).isEqualTo(t.equals(t.toUpperCase()));
    assertThat(Sessions.csrfMatches(t, null)).isFalse();
    assertThat(Sessions.csrfMatches(t, "")).isFalse();
    assertThat(Sessions.csrfMatches("", "")).isFalse();
    assertThat(Sessions.csrfMatches(null, null)).isFalse();
    assertThat(Sessions.csrfMatches(t, Sessions.newToken())).isFalse();
  }

  @Test
  void theCookieIsHttpOnlyAndSameSiteStrict() {
    assertThat(Sessions.cookie("abc", 28800, false))
        .isEqualTo("gpucloud_console=abc; Path=/console; Max-Age=28800; HttpOnly; SameSite=Strict");
    assertThat(Sessions.cookie("", 0, true)).endsWith("; Secure").contains("Max-Age=0");
  }

  @Test
  void limitLinesReadLikeTheTalk() {
    assertThat(TenancyPages.line("GPUs", 1, 20)).isEqualTo(new TenancyPages.LimitLine("GPUs", 1, "20", "5.00%"));
    assertThat(TenancyPages.line("GPUs", 3, -1).limit()).isEqualTo("Unlimited");
    assertThat(TenancyPages.line("GPUs", 0, 0).percent()).isEqualTo("0.00%");
  }
}
