package org.libvirt;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.libvirt.jna.virError;

/**
 * Guests the libvirt test driver cannot play, for the agent's stop and reboot logic: the test driver shuts a domain
 * off the moment it is asked, where a real guest takes its time or ignores the ACPI event, and it always supports
 * reboot. (In package org.libvirt because libvirt-java's Domain and LibvirtException have package-private
 * constructors.)
 */
public final class ScriptedGuest {
  private ScriptedGuest() {}

  /** A connection (to test:///default) whose domainLookupByName answers the scripted domains. */
  public static final class ScriptedConnect extends Connect {
    private final Map<String, Domain> domains = new ConcurrentHashMap<>();

    public ScriptedConnect() throws LibvirtException {
      super("test:///default", false);
    }

    public ScriptedDomain add(String name, String uuid, long offMillisAfterShutdown, boolean rebootSupported) {
      ScriptedDomain d = new ScriptedDomain(this, name, uuid, offMillisAfterShutdown, rebootSupported);
      domains.put(name, d);
      return d;
    }

    @Override
    public Domain domainLookupByName(String name) throws LibvirtException {
      Domain d = domains.get(name);
      if (d == null) {
        throw error(Error.ErrorNumber.VIR_ERR_NO_DOMAIN, "Domain not found: " + name);
      }
      return d;
    }
  }

  /**
   * A running guest that powers off {@code offMillisAfterShutdown} after an ACPI shutdown (negative: never, it
   * ignores the event); every call the agent makes is listed in {@link #calls}.
   */
  public static final class ScriptedDomain extends Domain {
    public final List<String> calls = new CopyOnWriteArrayList<>();
    private final String name;
    private final String uuid;
    private final long offMillisAfterShutdown;
    private final boolean rebootSupported;
    private volatile boolean active = true;
    private volatile long shutdownAt = -1;

    ScriptedDomain(Connect c, String name, String uuid, long offMillisAfterShutdown, boolean rebootSupported) {
      super(c, null);
      this.name = name;
      this.uuid = uuid;
      this.offMillisAfterShutdown = offMillisAfterShutdown;
      this.rebootSupported = rebootSupported;
    }

    @Override
    public int isActive() {
      if (active && shutdownAt >= 0 && offMillisAfterShutdown >= 0
          && System.nanoTime() - shutdownAt >= offMillisAfterShutdown * 1_000_000L) {
        active = false;
      }
      return active ? 1 : 0;
    }

    @Override
    public void shutdown() {
      calls.add("shutdown");
      shutdownAt = System.nanoTime();
    }

    @Override
    public void destroy() throws LibvirtException {
      calls.add("destroy");
      if (isActive() != 1) {
        throw error(Error.ErrorNumber.VIR_ERR_OPERATION_INVALID, "domain is not running");
      }
      active = false;
    }

    @Override
    public int create() {
      calls.add("create");
      active = true;
      shutdownAt = -1;
      return 0;
    }

    @Override
    public void reboot(int flags) throws LibvirtException {
      calls.add("reboot");
      if (!rebootSupported) {
        throw error(Error.ErrorNumber.VIR_ERR_NO_SUPPORT, "this function is not supported by the driver");
      }
    }

    @Override
    public String getUUIDString() {
      return uuid;
    }

    @Override
    public String getName() {
      return name;
    }

    @Override
    public int free() {
      return 0;
    }
  }

  static LibvirtException error(Error.ErrorNumber code, String message) {
    virError v = new virError();
    v.code = code.ordinal();
    v.message = message;
    return new LibvirtException(new Error(v));
  }
}
