package io.gpucloud.agent.sim;

/** A host spec that cannot be used; the message names the file, the field (e.g. "gpus[2].card") and the problem. */
public class InvalidHostSpecException extends RuntimeException {
  private final String field;

  public InvalidHostSpecException(String source, String field, String problem) {
    super((source == null ? "" : source + ": ") + field + ": " + problem);
    this.field = field;
  }

  public InvalidHostSpecException(String source, String field, String problem, Throwable cause) {
    super((source == null ? "" : source + ": ") + field + ": " + problem, cause);
    this.field = field;
  }

  /** The path of the offending field, such as "name", "cards[1].profiles[0].maxPerGpu" or "gpus[3].address". */
  public String field() {
    return field;
  }
}
