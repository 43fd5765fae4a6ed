package io.gpucloud.agent.instance;

import static io.gpucloud.agent.instance.HostStepException.Kind.LIBVIRT;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.util.EnumSet;
import java.util.Set;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** How a libvirt error, a sysfs error or a failed write of the agent's state becomes a {@link HostStepException}. */
final class LibvirtFailures {
  private static final Logger LOG = LoggerFactory.getLogger(LibvirtFailures.class);

  /** libvirt errors that a retry cannot fix. */
  private static final Set<ErrorNumber> PERMANENT = EnumSet.of(
      ErrorNumber.VIR_ERR_NO_NODE_DEVICE,
      ErrorNumber.VIR_ERR_NO_DEVICE,
      ErrorNumber.VIR_ERR_NO_DOMAIN,
      ErrorNumber.VIR_ERR_XML_ERROR,
      ErrorNumber.VIR_ERR_XML_DETAIL,
      ErrorNumber.VIR_ERR_XML_INVALID_SCHEMA,
      ErrorNumber.VIR_ERR_CONFIG_UNSUPPORTED,
      ErrorNumber.VIR_ERR_INVALID_ARG,
      ErrorNumber.VIR_ERR_NO_SUPPORT,
      ErrorNumber.VIR_ERR_OPERATION_UNSUPPORTED,
      ErrorNumber.VIR_ERR_DOM_EXIST);

  private LibvirtFailures() {}

  static ErrorNumber code(LibvirtException e) {
    return e.getError() == null ? null : e.getError().getCode();
  }

  /** LIBVIRT, retryable unless the libvirt error is one a retry cannot fix; the message ends with the code. */
  static HostStepException failure(String what, LibvirtException e) {
    ErrorNumber c = code(e);
    String message = what + ": " + e.getMessage() + (c == null ? "" : " (" + c + ")");
    LOG.warn(message);
    return PERMANENT.contains(c)
        ? HostStepException.permanent(LIBVIRT, message, e)
        : HostStepException.retryable(LIBVIRT, message, e);
  }

  /**
   * LIBVIRT for a sysfs file that could not be read or written: retryable, except a file that does not exist (an
   * mdev type or attribute the kernel does not offer does not appear on a retry).
   */
  static HostStepException failure(String what, IOException e) {
    if (e instanceof NoSuchFileException) {
      String message = what + ": " + e.getMessage() + " does not exist";
      LOG.warn(message);
      return HostStepException.permanent(LIBVIRT, message, e);
    }
    String message = what + ": " + (e.getMessage() == null ? e.toString() : e.getMessage());
    LOG.warn(message);
    return HostStepException.retryable(LIBVIRT, message, e);
  }

  /** LIBVIRT, retryable: the agent's own state file (created mdevs) could not be read or written. */
  static HostStepException stateFile(UncheckedIOException e) {
    return HostStepException.retryable(LIBVIRT, e.getMessage(), e);
  }
}
