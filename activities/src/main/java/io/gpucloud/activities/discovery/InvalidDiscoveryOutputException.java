package io.gpucloud.activities.discovery;

/** Discovery output that must not reach the inventory; the message names what is wrong and where. */
public class InvalidDiscoveryOutputException extends RuntimeException {
  public InvalidDiscoveryOutputException(String message) {
    super(message);
  }

  public InvalidDiscoveryOutputException(String message, Throwable cause) {
    super(message, cause);
  }
}
