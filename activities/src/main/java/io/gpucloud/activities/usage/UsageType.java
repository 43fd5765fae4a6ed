package io.gpucloud.activities.usage;

/** CloudStack's usage types for a VM: the code is what usage_records.usage_type stores. */
public enum UsageType {
  /** Time the instance was Running or Rebooting (its guest up on its GPUs). */
  RUNNING_VM(1),
  /** Time from the instance's creation to its destruction, whatever its state. */
  ALLOCATED_VM(2);

  private final int code;

  UsageType(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  public static UsageType ofCode(int code) {
    for (UsageType t : values()) {
      if (t.code == code) {
        return t;
      }
    }
    throw new IllegalArgumentException("unknown usage type " + code);
  }
}
