package io.gpucloud.service.instances;

import static io.gpucloud.service.ApiAssertions.fails;
import static org.assertj.core.api.Assertions.assertThat;

import io.gpucloud.service.batches.BatchRequestBody;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The queue options of a deploy and a batch body: 400 naming the field, defaults as documented. */
class QueueRequestValidationTest {
  static final String ID = "00000000-0000-0000-0000-0000000000aa";

  @Test
  void queueOptionsDefaultToAnHourAtPriorityZeroNotWaitingForQuota() {
    QueueOptions.Valid v = new QueueOptions(null, null, null).validated();
    assertThat(v.maxWait()).isEqualTo(Duration.ofHours(1));
    assertThat(v.priority()).isZero();
    assertThat(v.waitForQuota()).isFalse();
    assertThat(new QueueOptions("PT2H", 9, true).validated()).isEqualTo(new QueueOptions.Valid(Duration.ofHours(2), 9, true));
  }

  @Test
  void badQueueOptionsNameTheField() {
    fails(400, "queue.maxWait must be an ISO-8601 duration", () -> new QueueOptions("2 hours", 0, false).validated());
    fails(400, "queue.maxWait must be between PT0S and P7D", () -> new QueueOptions("P8D", 0, false).validated());
    fails(400, "queue.maxWait must be between PT0S and P7D", () -> new QueueOptions("-PT1S", 0, false).validated());
    fails(400, "queue.priority must be between 0 and 9", () -> new QueueOptions("PT1H", 10, false).validated());
    fails(400, "queue.priority must be between 0 and 9", () -> new QueueOptions("PT1H", -1, false).validated());
    fails(400, "queue.priority", () -> new InstanceRequest("vm", ID, ID, null, new QueueOptions(null, 12, null)).validated());
  }

  @Test
  void batchBodiesAreCheckedFieldByField() {
    fails(400, "count must be between 1 and 64", () -> new BatchRequestBody("b", ID, ID, 0, "gang", null, null).validated());
    fails(400, "count must be between 1 and 64", () -> new BatchRequestBody("b", ID, ID, 65, "each", null, null).validated());
    fails(400, "count must be between 1 and 64", () -> new BatchRequestBody("b", ID, ID, null, "each", null, null).validated());
    fails(400, "mode must be gang or each", () -> new BatchRequestBody("b", ID, ID, 2, "all", null, null).validated());
    fails(400, "namePrefix", () -> new BatchRequestBody("-b", ID, ID, 2, "gang", null, null).validated());
    fails(400, "offeringId", () -> new BatchRequestBody("b", null, ID, 2, "gang", null, null).validated());
    fails(400, "queue.maxWait", () -> new BatchRequestBody("b", ID, ID, 2, "gang", null,
        new QueueOptions("soon", null, null)).validated());
    assertThat(new BatchRequestBody("train", ID, ID, 4, "gang", null, null).validated().count()).isEqualTo(4);
  }
}
