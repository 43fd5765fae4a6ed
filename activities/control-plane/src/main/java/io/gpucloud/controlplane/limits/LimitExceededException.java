package io.gpucloud.controlplane.limits;

/** A request does not fit in a limit; the message is {@link LimitExceeded#message()}. */
public class LimitExceededException extends RuntimeException {
  private final LimitExceeded exceeded;

  public LimitExceededException(LimitExceeded exceeded) {
    super(exceeded.message());
    this.exceeded = exceeded;
  }

  public LimitExceeded exceeded() {
    return exceeded;
  }
}
