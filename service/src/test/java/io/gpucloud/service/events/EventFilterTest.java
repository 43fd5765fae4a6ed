package io.gpucloud.service.events;

import static io.gpucloud.service.ApiAssertions.fails;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** GET /events' query parameters, without a database. */
class EventFilterTest {
  @Test
  void filtersAreValidatedAndNamed() {
    EventService.Filter f = EventService.Filter.of(null, null, "VM.STOP", "2026-01-31T12:00:00Z",
        "2026-01-31T13:00:00+01:00", null);
    assertThat(f.type()).isEqualTo("VM.STOP");
    assertThat(f.from()).isEqualTo(Instant.parse("2026-01-31T12:00:00Z"));
    assertThat(f.to()).isEqualTo(Instant.parse("2026-01-31T12:00:00Z"));
    assertThat(f.limit()).isEqualTo(EventService.DEFAULT_LIMIT);
    assertThat(EventService.Filter.of(null, null, null, null, null, "1000").limit()).isEqualTo(1000);
    fails(400, "limit must be an integer between 1 and 1000", () -> EventService.Filter.of(null, null, null, null, null, "1001"));
    fails(400, "limit must be an integer between 1 and 1000", () -> EventService.Filter.of(null, null, null, null, null, "ten"));
    fails(400, "from must be an ISO-8601 time", () -> EventService.Filter.of(null, null, null, "2026-01-31", null, null));
    fails(400, "to must be an ISO-8601 time", () -> EventService.Filter.of(null, null, null, null, "noon", null));
    fails(400, "from must not be after to",
        () -> EventService.Filter.of(null, null, null, "2026-02-01T00:00:00Z", "2026-01-01T00:00:00Z", null));
    fails(400, "accountId must be a UUID", () -> EventService.Filter.of(null, "acme", null, null, null, null));
  }
}
