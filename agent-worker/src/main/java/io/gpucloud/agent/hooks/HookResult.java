package io.gpucloud.agent.hooks;

/** What a hook that exited with status 0 printed (each stream decoded as UTF-8, stderr possibly cut at the cap). */
public record HookResult(int exitCode, String stdout, String stderr) {}
