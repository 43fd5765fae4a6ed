package io.gpucloud.activities.model;

/** PCI = passthrough function or SR-IOV VF; MDEV = mediated vGPU (bus address is its uuid); VGPU_ONLY = physical GPU that only hosts vGPUs/VFs and is never assigned itself. */
public enum DeviceType {
  PCI, MDEV, VGPU_ONLY
}
