package io.gpucloud.controlplane.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gpucloud.activities.usage.UsagePeriods;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

/** UTC period arithmetic: whole periods per day, aligned to midnight. */
class UsagePeriodsTest {
  @Test
  void aDayHoldsAWholeNumberOfPeriodsFromMidnightUtc() {
    LocalDate day = LocalDate.of(2026, 3, 29); // a daylight-saving change in Europe: no effect in UTC
    assertThat(new UsagePeriods(Duration.ofHours(1)).ofDay(day)).hasSize(24)
        .startsWith(Instant.parse("2026-03-29T00:00:00Z")).endsWith(Instant.parse("2026-03-29T23:00:00Z"));
    assertThat(new UsagePeriods(Duration.ofMinutes(1)).ofDay(day)).hasSize(1440)
        .endsWith(Instant.parse("2026-03-29T23:59:00Z"));
  }

  @Test
  void onlyLengthsThatDivideADayAreAccepted() {
    for (String ok : new String[] {"PT1M", "PT15M", "PT1H"}) {
      UsagePeriods.validate(Duration.parse(ok));
    }
    assertThatThrownBy(() -> UsagePeriods.validate(Duration.parse("PT7M"))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must divide a day");
    assertThatThrownBy(() -> UsagePeriods.validate(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must be positive");
  }

  @Test
  void floorAndLastClosedAreInUtc() {
    UsagePeriods hourly = new UsagePeriods(Duration.ofHours(1));
    assertThat(hourly.floor(Instant.parse("2026-12-02T10:59:59.999Z"))).isEqualTo(Instant.parse("2026-12-02T10:00:00Z"));
    assertThat(hourly.lastClosed(Instant.parse("2026-12-03T00:00:01Z"))).isEqualTo(Instant.parse("2026-12-02T23:00:00Z"));
    assertThat(UsagePeriods.workflowId(Instant.parse("2026-12-02T23:00:00Z"))).isEqualTo("usage-2026-12-02T23:00:00Z");
  }

  @Test
  void csvFieldsAreQuotedOnlyWhenTheyMustBe() {
    assertThat(UsageExportWriter.csvField("plain")).isEqualTo("plain");
    assertThat(UsageExportWriter.csvField(null)).isEmpty();
    assertThat(UsageExportWriter.csvField("a,b")).isEqualTo("\"a,b\"");
    assertThat(UsageExportWriter.csvField("say \"hi\"")).isEqualTo("\"say \"\"hi\"\"\"");
    assertThat(UsageExportWriter.csvField("two\r\nlines")).isEqualTo("\"two\r\nlines\"");
  }
}
