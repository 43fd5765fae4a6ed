package io.gpucloud.service.tenancy;

/** The JSON of a scoped tenancy object; its id names it in a Location header. */
public interface ScopedView {
  String id();
}
