package io.gpucloud.agent.discovery;

import io.gpucloud.activities.discovery.DiscoveredGpu;
import io.gpucloud.activities.discovery.DiscoveryProblem;
import io.gpucloud.activities.discovery.DiscoveryReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The host's own console display is never a GPU to hand out: taking the BMC's VGA away breaks the server's
 * console. Our gpudiscovery.sh skips the boot display (boot_vga = 1), devices bound to a console driver and
 * known BMC display ids; this is the same rule for any script's JSON (there is no boot_vga in it), so a
 * custom script that lists the BMC display does not hand it out either. An operator opts a device back in
 * with {@link DiscoveryOptIn}.
 */
public final class ConsoleDisplays {
  /** Kernel drivers of BMC and virtual console displays (as the driver link in sysfs names them). */
  public static final Set<String> CONSOLE_DRIVERS =
      Set.of("ast", "mgag200", "hibmc-drm", "cirrus", "cirrus-qemu", "bochs", "bochs-drm");

  /**
   * vendor:device ids of BMC displays: ASPEED AST VGA; Matrox G200 server variants (SE A/B, EV, eW/WB, eH,
   * eR, eW3, eH3); Huawei iBMC (Hi171x).
   */
  public static final Set<String> BMC_IDS = Set.of("1a03:2000", "102b:0522", "102b:0524", "102b:0530", "102b:0532",
      "102b:0533", "102b:0534", "102b:0536", "102b:0538", "19e5:1711");

  private ConsoleDisplays() {}

  /** Why the GPU is taken for a host console display, or null when it is not one (or is opted in). */
  public static String consoleReason(DiscoveredGpu g, DiscoveryOptIn optIn) {
    if (optIn.includes(g.pciAddress(), g.vendorId(), g.deviceId())) {
      return null;
    }
    if (BMC_IDS.contains(g.vendorId() + ":" + g.deviceId())) {
      return "a BMC display (" + g.vendorId() + ":" + g.deviceId() + ")";
    }
    if (g.driver() != null && CONSOLE_DRIVERS.contains(g.driver())) {
      return "bound to the console driver " + g.driver();
    }
    return null;
  }

  /** The report without host console displays, each listed as a LEFT_OUT problem instead. */
  public static DiscoveryReport leaveOut(DiscoveryReport report, DiscoveryOptIn optIn) {
    List<DiscoveredGpu> kept = new ArrayList<>();
    List<DiscoveryProblem> problems = new ArrayList<>(report.problems());
    for (int i = 0; i < report.gpus().size(); i++) {
      DiscoveredGpu g = report.gpus().get(i);
      String why = consoleReason(g, optIn);
      if (why == null) {
        kept.add(g);
      } else {
        problems.add(new DiscoveryProblem(DiscoveryProblem.Kind.LEFT_OUT, g.pciAddress(), g.pciAddress(),
            g.pciAddress() + ": host console display, " + why + ": left out of allocation (opt it in with"
                + " --discovery-include " + g.pciAddress() + ")"));
        Stream.concat(g.vfInstances().stream(), g.vgpuInstances().stream()).forEach(v -> problems.add(
            new DiscoveryProblem(DiscoveryProblem.Kind.LEFT_OUT, v.address(), v.address(),
                v.address() + ": left out with its GPU " + g.pciAddress() + ", a host console display")));
      }
    }
    return kept.size() == report.gpus().size() ? report : new DiscoveryReport(kept, problems);
  }
}
