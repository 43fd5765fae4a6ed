package io.gpucloud.service.jobs;

import io.gpucloud.workflows.DeployStarter;
import java.util.List;
import org.jdbi.v3.core.Jdbi;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A deploy is recorded (instance Creating) and then started in Temporal; a replica killed between
 * the two leaves an instance that no workflow will ever move on. Every minute this job starts
 * {@code deploy-<id>} for instances Creating for more than {@link #STRANDED_AFTER_SECONDS} s. The
 * start is idempotent (REJECT_DUPLICATE on the instance's own id): for a deploy that exists, running
 * or done, it starts nothing, so the job cannot run a deploy twice.
 */
@DisallowConcurrentExecution
public class StrandedDeployJob implements Job {
  private static final Logger LOG = LoggerFactory.getLogger(StrandedDeployJob.class);
  public static final String NAME = "stranded-deploys";
  public static final int EVERY_SECONDS = 60;
  /** Well past the gap between recording and starting (milliseconds), short of a user's patience. */
  static final int STRANDED_AFTER_SECONDS = 60;
  static final int MAX_PER_FIRE = 200;

  /** Starts the deploy of an instance (idempotent); a fake in tests. */
  public interface DeployStarts {
    void start(Stranded instance);
  }

  public record Stranded(String id, String name, String accountName, String offeringName) {
    String summary() {
      return "Deploy " + name + " (" + offeringName + ") for account " + accountName + " (restarted)";
    }
  }

  private final JobDependencies deps;

  public StrandedDeployJob(JobDependencies deps) {
    this.deps = deps;
  }

  @Override
  public void execute(JobExecutionContext context) {
    run(deps.jdbi(), s -> DeployStarter.start(deps.client(), s.id(), s.name(), s.accountName(), s.summary()));
    runBatches(deps.jdbi(), deps.client());
  }

  /**
   * A batch's members are deployed by its Batch workflow (as children): a batch recorded but never
   * started (a replica killed in between) is started here, idempotently, like a single deploy.
   */
  static List<String> runBatches(Jdbi jdbi, io.temporal.client.WorkflowClient client) {
    record Stranded(String id, String mode, String accountName, String userId, int count) {}
    List<Stranded> batches = jdbi.withHandle(h -> h.createQuery(
            "SELECT b.id, b.mode, a.name AS account_name, b.user_id, b.count FROM instance_batches b"
                + " JOIN accounts a ON a.id = b.account_id WHERE EXISTS (SELECT 1 FROM instances i WHERE i.batch_id = b.id"
                + " AND i.state = 'Creating' AND i.updated_at < NOW(3) - INTERVAL " + STRANDED_AFTER_SECONDS + " SECOND)"
                + " LIMIT " + MAX_PER_FIRE)
        .map((rs, ctx) -> new Stranded(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getInt(5)))
        .list());
    List<String> started = new java.util.ArrayList<>();
    for (Stranded b : batches) {
      List<String> members = jdbi.withHandle(h -> h.createQuery("SELECT id FROM instances WHERE batch_id = :b"
          + " ORDER BY created_at, name").bind("b", b.id()).mapTo(String.class).list());
      try {
        io.gpucloud.workflows.BatchStarter.start(client, new io.gpucloud.activities.instance.BatchRequest(b.id(),
            b.mode(), members, b.accountName(), b.userId()), b.mode() + " batch of " + b.count() + " (restarted)");
        started.add(b.id());
      } catch (RuntimeException e) {
        LOG.warn("stranded batch {}: start failed ({}); next fire retries", b.id(), e.getMessage());
      }
    }
    return started;
  }

  /** Starts the deploy of every stranded instance; returns their ids. One failed start does not stop the rest. */
  static List<String> run(Jdbi jdbi, DeployStarts starts) {
    List<Stranded> stranded = jdbi.withHandle(h -> h.createQuery(
            "SELECT i.id, i.name, a.name account_name, COALESCE(o.name, '') offering_name FROM instances i"
                + " JOIN accounts a ON a.id = i.account_id LEFT JOIN offerings o ON o.id = i.offering_id"
                + " WHERE i.state = 'Creating' AND i.batch_id IS NULL AND i.updated_at < NOW(3) - INTERVAL " + STRANDED_AFTER_SECONDS
                + " SECOND ORDER BY i.updated_at LIMIT " + MAX_PER_FIRE)
        .map((rs, ctx) -> new Stranded(rs.getString("id"), rs.getString("name"), rs.getString("account_name"),
            rs.getString("offering_name")))
        .list());
    List<String> started = new java.util.ArrayList<>();
    for (Stranded s : stranded) {
      try {
        starts.start(s);
        started.add(s.id());
      } catch (RuntimeException e) {
        LOG.warn("stranded deploy of instance {}: start failed ({}: {}); next fire retries",
            s.id(), e.getClass().getSimpleName(), e.getMessage());
      }
    }
    if (!started.isEmpty()) {
      LOG.info("stranded deploys: (re)started deploy-<id> for {} instance(s) Creating for over {} s: {}",
          started.size(), STRANDED_AFTER_SECONDS, started);
    }
    return started;
  }
}
