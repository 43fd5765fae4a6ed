package io.gpucloud.controlplane.inventory;

import io.gpucloud.activities.model.GpuDevice;
import java.util.List;

/**
 * Device rows to insert (parents before children) and to rewrite, as decided by InventoryReconciler.
 * Counters feed the host event and the workflow result.
 */
public record ReconcilePlan(
    List<GpuDevice> inserts,
    List<GpuDevice> updates,
    List<String> errors,
    int markedError,
    int recovered,
    int reported) {}
