package io.gpucloud.service.usage;

/** The answer of POST /api/v1/usage/exports: the workflow id, and false when that export was already running. */
public record ExportStarted(String workflowId, boolean started) {}
