package io.gpucloud.workflows;

import io.gpucloud.activities.inventory.InventoryActivities;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.WorkflowReplayer;
import io.temporal.worker.Worker;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Deploy's code must stay replay-compatible: these histories were recorded by DeployWorkflowTest
 * with the Deploy code before the lifecycle operations (commit 3063b73), and today's code must
 * replay them command for command.
 */
class DeployReplayTest {
  @ParameterizedTest
  @ValueSource(strings = {"happyPathReservesSetsUpAndCommits", "failingHookUndoesEverythingInReverseOrderWithoutRetry",
      "deadHostWorkerMovesTheDeployToTheNextHost", "deadHostWorkerAndNoOtherHostFailsNamingTheDeadHost",
      "limitExceededFailsBeforeAnyHostStep", "transientHostFailureIsRetriedAndTheDeployCompletes"})
  void replaysHistoriesOfTheEarlierCode(String history) throws Exception {
    try (TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance()) {
      Worker worker = env.newWorker(InventoryActivities.CONTROL_PLANE_QUEUE);
      worker.registerWorkflowImplementationFactory(DeployWorkflow.class,
          () -> new DeployWorkflowImpl(DeployWorkflowTest.PICKUP));
      WorkflowReplayer.replayWorkflowExecutionFromResource("deploy-histories/" + history + ".json", worker);
    }
  }
}
