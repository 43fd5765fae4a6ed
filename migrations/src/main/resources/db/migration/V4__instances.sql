-- GPU instances: what a deploy needs to count limits, pick a host and build a domain.
-- Offerings and templates come from V3 (tenancy, offerings, templates, limits).
ALTER TABLE instances
  ADD COLUMN project_id      CHAR(36)      NULL AFTER account_id,
  ADD COLUMN user_id         CHAR(36)      NULL AFTER project_id,
  ADD COLUMN offering_id     CHAR(36)      NULL,
  ADD COLUMN template_id     CHAR(36)      NULL,
  ADD COLUMN vgpu_profile_id CHAR(36)      NULL,     -- copied from the offering at deploy time
  ADD COLUMN gpu_count       INT           NOT NULL DEFAULT 0,
  ADD COLUMN cpu_cores       INT           NOT NULL DEFAULT 0,
  ADD COLUMN cpu_mhz         INT           NOT NULL DEFAULT 0,
  ADD COLUMN memory_mb       BIGINT        NOT NULL DEFAULT 0,
  ADD COLUMN gpu_display     TINYINT(1)    NOT NULL DEFAULT 0,
  ADD COLUMN numa_policy     VARCHAR(16)   NOT NULL DEFAULT 'preferred',
  -- 1 while the instance counts against its account/domain/project limits
  ADD COLUMN quota_counted   TINYINT(1)    NOT NULL DEFAULT 0,
  ADD COLUMN error_reason    VARCHAR(4000) NULL,
  ADD COLUMN workflow_id     VARCHAR(255)  NULL,
  ADD COLUMN updated_at      TIMESTAMP(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  ADD KEY ix_instance_account (account_id, quota_counted),
  ADD KEY ix_instance_project (project_id, quota_counted),
  ADD KEY ix_instance_host (host_id, state);
