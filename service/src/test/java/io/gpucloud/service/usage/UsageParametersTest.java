package io.gpucloud.service.usage;

import static io.gpucloud.service.ApiAssertions.fails;
import static org.assertj.core.api.Assertions.assertThat;

import io.gpucloud.activities.usage.UsageType;
import java.time.Instant;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

/** The query parameters and body of the usage API, without a database. */
class UsageParametersTest {
  @Test
  void typesByNameOrCode() {
    assertThat(UsageService.usageType("RUNNING_VM")).isEqualTo(UsageType.RUNNING_VM);
    assertThat(UsageService.usageType(" running_vm ")).isEqualTo(UsageType.RUNNING_VM);
    assertThat(UsageService.usageType("1")).isEqualTo(UsageType.RUNNING_VM);
    assertThat(UsageService.usageType("ALLOCATED_VM")).isEqualTo(UsageType.ALLOCATED_VM);
    assertThat(UsageService.usageType("2")).isEqualTo(UsageType.ALLOCATED_VM);
    assertThat(UsageService.usageType(null)).isNull();
    assertThat(UsageService.usageType(" ")).isNull();
    fails(400, "type must be RUNNING_VM (1) or ALLOCATED_VM (2), got '0'", () -> UsageService.usageType("0"));
    fails(400, "type must be", () -> UsageService.usageType("01"));
  }

  @Test
  void timesAreInstantsOrDays() {
    assertThat(UsageService.time("from", "2026-12-02")).isEqualTo(Instant.parse("2026-12-02T00:00:00Z"));
    assertThat(UsageService.time("from", "2026-12-02T10:00:00Z")).isEqualTo(Instant.parse("2026-12-02T10:00:00Z"));
    assertThat(UsageService.time("from", "2026-12-02T10:00:00+02:00")).isEqualTo(Instant.parse("2026-12-02T08:00:00Z"));
    assertThat(UsageService.time("from", null)).isNull();
    fails(400, "to must be an ISO-8601 time", () -> UsageService.time("to", "2026-12-32"));
    fails(400, "from must be an ISO-8601 time", () -> UsageService.time("from", "2026-12-02T10:00:00"));
    fails(400, "from must be", () -> UsageService.time("from", "1733130000"));
    fails(400, "to must lie between 1000-01-01T00:00:00Z and 9999-12-31T23:59:59Z",
        () -> UsageService.time("to", "+999999999-12-31T23:59:59Z"));
    fails(400, "from must lie between", () -> UsageService.time("from", "0999-12-31"));
    fails(400, "from must be", () -> UsageService.time("from", "-2026-12-02"));
    fails(400, "from (2026-12-03T00:00:00Z) must not be after to (2026-12-02T00:00:00Z)",
        () -> UsageService.Filter.of(null, null, null, "2026-12-03", "2026-12-02"));
    assertThat(UsageService.Filter.of(null, null, "2", "2026-12-02", "2026-12-02").type()).isEqualTo(UsageType.ALLOCATED_VM);
  }

  @Test
  void pagesAndGroups() {
    assertThat(UsageService.intParam("pageSize", null, 1, 1000, 100)).isEqualTo(100);
    assertThat(UsageService.intParam("pageSize", "1000", 1, 1000, 100)).isEqualTo(1000);
    fails(400, "pageSize must be an integer between 1 and 1000, got '1001'",
        () -> UsageService.intParam("pageSize", "1001", 1, 1000, 100));
    fails(400, "page must be an integer >= 1", () -> UsageService.intParam("page", "-1", 1, Integer.MAX_VALUE, 1));
    fails(400, "page must be an integer", () -> UsageService.intParam("page", "99999999999", 1, Integer.MAX_VALUE, 1));
    assertThat(UsageService.groupBy(null)).isEqualTo(UsageService.GroupBy.account);
    assertThat(UsageService.groupBy("Card")).isEqualTo(UsageService.GroupBy.card);
    fails(400, "groupBy must be one of account, card, profile, got 'host'", () -> UsageService.groupBy("host"));
  }

  @Test
  void exportDates() {
    assertThat(UsageService.date("date", "2026-12-02")).isEqualTo(LocalDate.of(2026, 12, 2));
    fails(400, "date is required", () -> UsageService.date("date", null));
    fails(400, "date must be a date YYYY-MM-DD, got '2026-2-1'", () -> UsageService.date("date", "2026-2-1"));
    fails(400, "date must be a date YYYY-MM-DD from the year 1000 on", () -> UsageService.date("date", "0999-01-01"));
  }

  @Test
  void theScopeConditionIsScopesOwnOnTheEffectivePath() {
    assertThat(UsageQueries.IN_SCOPE_PATH)
        .isEqualTo("(:prefix IS NULL OR LEFT(COALESCE(d.path, r.domain_path), CHAR_LENGTH(:prefix)) = :prefix)");
  }
}
