package io.gpucloud.activities.discovery;

/**
 * Something in a discovery output that concerns one entry and did not fail the whole run.
 *
 * @param kind    what it means for the entry
 * @param entry   JSON path of the entry, e.g. "gpus[2]" or "gpus[0].vf_instances[3]"
 * @param address the entry's full PCI address or mdev uuid when it could be read, else null
 * @param message what is wrong, naming the field, e.g. {@code gpus[2].vendor_id: expected 4 hex digits, got "zz"}
 */
public record DiscoveryProblem(Kind kind, String entry, String address, String message) {

  public enum Kind {
    /** The entry cannot be used: it is left out of the report; a device at its address goes to Error. */
    UNUSABLE,
    /** The entry is fine but is kept from allocation by policy (a host console display); same effect. */
    LEFT_OUT,
    /** A field was unreadable or inconsistent and was taken as unknown or derived; the entry is used. */
    WARNING
  }

  /** True when the entry is kept out of the inventory (UNUSABLE or LEFT_OUT). */
  public boolean keptOut() {
    return kind != Kind.WARNING;
  }
}
