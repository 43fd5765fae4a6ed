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

  /**
   * CPU, memory and NUMA layout as libvirt reports them, and the root disks' pool, for the host row.
   * {@code sharedPool}: whether other hosts mount the pool (see {@link #sharedPoolType}).
   */
  public HostRegistration registration(String hostName, String pool, boolean sharedPool) throws LibvirtException {
    NodeInfo info = connect.nodeInfo();
    return new HostRegistration(hostName, uri, info.cpus, info.mhz, info.memory / 1024, Math.max(1, info.nodes),
        pool, sharedPool);
  }

  /** Pool types whose volumes other hosts see too (network file systems and block storage). */
  private static final java.util.Set<String> SHARED_POOL_TYPES =
      java.util.Set.of("netfs", "gluster", "rbd", "iscsi", "iscsi-direct", "vstorage");

  /** Whether the named pool on this host is of a type other hosts mount as well; false when it is not there. */
  public boolean sharedPoolType(String pool) {
    try {
      String xml = connect.storagePoolLookupByName(pool).getXMLDesc(0);
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("<pool[^>]*\\stype=['\"]([^'\"]+)['\"]")
          .matcher(xml);
      return m.find() && SHARED_POOL_TYPES.contains(m.group(1));
    } catch (LibvirtException e) {
      return false;
    }
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
