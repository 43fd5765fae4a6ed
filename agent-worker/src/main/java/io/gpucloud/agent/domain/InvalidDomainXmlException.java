package io.gpucloud.agent.domain;

/** XML that is not the libvirt domain it should be (not well-formed, a DOCTYPE, wrong root, renamed, new uuid). */
public class InvalidDomainXmlException extends RuntimeException {
  public InvalidDomainXmlException(String message) {
    super(message);
  }

  public InvalidDomainXmlException(String message, Throwable cause) {
    super(message, cause);
  }
}
