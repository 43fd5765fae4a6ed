package io.gpucloud.agent;

import io.gpucloud.activities.host.HostRegistration;
import org.libvirt.Connect;
import org.libvirt.LibvirtException;
import org.libvirt.NodeInfo;

/**
 * This agent's one libvirt connection. Real hosts use qemu:///system and simulated hosts the test
 * driver (test:///file.xml): the same libvirt-java calls either way.
 */
public final class LibvirtHost implements AutoCloseable {
  private final String uri;
  private final Connect connect;

  public LibvirtHost(String uri) throws LibvirtException {
    this.uri = uri;
    this.connect = new Connect(uri, false);
  }

  public Connect connect() {
    return connect;
  }

  /** CPU, memory and NUMA layout as libvirt reports them, for the host row. */
  public HostRegistration registration(String hostName) throws LibvirtException {
    NodeInfo info = connect.nodeInfo();
    return new HostRegistration(hostName, uri, info.cpus, info.mhz, info.memory / 1024, Math.max(1, info.nodes));
  }

  @Override
  public void close() {
    try {
      connect.close();
    } catch (LibvirtException e) {
      // closing on shutdown: nothing left to do with the error
    }
  }
}
