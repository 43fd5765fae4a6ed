package io.gpucloud.agent.instance;

import java.util.List;

/** One mdev type a parent GPU offers: its id ("nvidia-592", "sim-8q") and its name ("NVIDIA L40S-12Q", or ""). */
public record MdevType(String id, String name) {

  /**
   * The id of the type for {@code profile}: a type whose id is the profile ("sim-8q", "nvidia-592"), else whose name
   * is the profile, else whose name ends with " " + profile (NVIDIA names its types "NVIDIA L40S-12Q"); the profile
   * itself when the parent lists no matching type (the create call then reports the error).
   */
  public static String pick(List<MdevType> types, String profile) {
    String byName = null;
    String bySuffix = null;
    for (MdevType t : types) {
      if (t.id().equals(profile)) {
        return t.id();
      }
      if (byName == null && t.name().equals(profile)) {
        byName = t.id();
      } else if (bySuffix == null && t.name().endsWith(" " + profile)) {
        bySuffix = t.id();
      }
    }
    return byName != null ? byName : bySuffix != null ? bySuffix : profile;
  }
}
