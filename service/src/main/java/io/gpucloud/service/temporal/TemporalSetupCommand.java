package io.gpucloud.service.temporal;

import io.dropwizard.core.cli.ConfiguredCommand;
import io.dropwizard.core.setup.Bootstrap;
import io.gpucloud.service.GpuCloudConfiguration;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.sourceforge.argparse4j.inf.Namespace;

/**
 * {@code temporal-setup config.yml}: on the Temporal cluster of temporal.target, creates the namespace
 * temporal.namespace (if missing, with {@code --retention-days}, default 30) and the Keyword search
 * attributes the service and agents set (HostName, InstanceUuid, Account). Idempotent: a second run
 * changes nothing. The service refuses to start until they exist.
 */
public class TemporalSetupCommand extends ConfiguredCommand<GpuCloudConfiguration> {
  public TemporalSetupCommand() {
    super("temporal-setup", "Create the Temporal namespace and search attributes the service needs (idempotent)");
  }

  @Override
  public void configure(net.sourceforge.argparse4j.inf.Subparser subparser) {
    super.configure(subparser);
    subparser.addArgument("--retention-days").type(Integer.class).setDefault(30)
        .help("retention of closed workflows in a namespace this command creates (default 30)");
    subparser.addArgument("--timeout-seconds").type(Integer.class).setDefault(60)
        .help("how long to wait for Temporal and for a new namespace to be usable (default 60)");
  }

  @Override
  protected void run(Bootstrap<GpuCloudConfiguration> bootstrap, Namespace args, GpuCloudConfiguration config)
      throws Exception {
    String target = config.getTemporal().getTarget();
    String ns = config.getTemporal().getNamespace();
    Duration timeout = Duration.ofSeconds(args.getInt("timeout_seconds"));
    WorkflowServiceStubs stubs = WorkflowServiceStubs.newConnectedServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(target).build(), timeout);
    try {
      List<String> done = TemporalSetup.apply(stubs, ns, Duration.ofDays(args.getInt("retention_days")), timeout);
      if (done.isEmpty()) {
        System.out.println("temporal-setup: namespace '" + ns + "' at " + target
            + " already has everything the service needs; nothing changed");
      } else {
        done.forEach(d -> System.out.println("temporal-setup: " + d));
        System.out.println("temporal-setup: namespace '" + ns + "' at " + target + " is ready");
      }
    } finally {
      stubs.shutdown();
      stubs.awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
