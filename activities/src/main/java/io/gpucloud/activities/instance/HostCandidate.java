package io.gpucloud.activities.instance;

/** A host that passed the filter for one instance, with how many matching devices it had free. */
public record HostCandidate(String hostId, String hostName, int freeDevices) {}
