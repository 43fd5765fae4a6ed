package io.gpucloud.activities.model;

/** Reserved = held by a deploy in progress; PartiallyAllocated only for VGPU_ONLY parents with a child in use. */
public enum DeviceState {
  Free, Reserved, Allocated, PartiallyAllocated, Error
}
