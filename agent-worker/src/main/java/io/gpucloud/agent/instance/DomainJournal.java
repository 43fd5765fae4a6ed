package io.gpucloud.agent.instance;

import org.libvirt.Domain;

/**
 * Told about every change the agent makes to a libvirt domain. A real host needs none ({@link #NONE}): its libvirt
 * keeps the domains, running or not, across an agent restart. A simulated host's test driver keeps them only in
 * the agent's memory, so the simulated host saves them through a journal and puts them back into its test-driver
 * document when the agent starts again ({@code io.gpucloud.agent.sim.SavedDomains}).
 *
 * <p>Called right after the libvirt call, under the instance's lock. A journal must not throw: what it fails to save
 * is lost at the next restart of a simulated host only, which is no reason to fail the step.
 */
public interface DomainJournal {
  /** Nothing to keep: a real host. */
  DomainJournal NONE = new DomainJournal() {
    @Override
    public void changed(Domain domain) {}

    @Override
    public void undefined(Domain domain) {}
  };

  /** The domain was defined, started or stopped: keep its definition and its state now. */
  void changed(Domain domain);

  /** The domain was undefined (the handle still tells its uuid): forget it. */
  void undefined(Domain domain);
}
