-- Usage: per instance and period, RUNNING_VM (type 1) and ALLOCATED_VM (type 2) records computed
-- from instance_state_changes; the periods generated so far; the nightly export files; and the
-- cursors of the scheduled jobs (the next period each must still start), so a service that was
-- down catches every missed period up in order. All times are UTC (the sessions' time zone).

CREATE TABLE usage_records (
  id                BIGINT         NOT NULL AUTO_INCREMENT PRIMARY KEY,
  instance_id       CHAR(36)       NOT NULL,
  usage_type        TINYINT        NOT NULL,      -- 1 RUNNING_VM | 2 ALLOCATED_VM
  period_start      DATETIME       NOT NULL,
  period_end        DATETIME       NOT NULL,
  -- hours, from the state times to the microsecond, rounded to 6 places (1 s = 0.000278 h)
  raw_usage         DECIMAL(12,6)  NOT NULL,
  usage_seconds     DECIMAL(12,3)  NOT NULL,
  -- a snapshot at generation time: a later rename or deletion does not change billed records
  instance_name     VARCHAR(255)   NOT NULL,
  account_id        CHAR(36)       NOT NULL,
  account_name      VARCHAR(255)   NOT NULL,
  domain_id         CHAR(36)       NOT NULL,
  domain_path       VARCHAR(1024)  NOT NULL,
  project_id        CHAR(36)       NULL,
  offering_id       CHAR(36)       NULL,
  offering_name     VARCHAR(255)   NULL,
  template_id       CHAR(36)       NULL,
  template_name     VARCHAR(255)   NULL,
  host_id           CHAR(36)       NULL,
  host_name         VARCHAR(255)   NULL,
  gpu_card_id       CHAR(36)       NULL,
  gpu_card_name     VARCHAR(255)   NULL,
  vgpu_profile_id   CHAR(36)       NULL,
  vgpu_profile_name VARCHAR(255)   NULL,
  gpu_count         INT            NOT NULL DEFAULT 0,
  created_at        TIMESTAMP(3)   NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  UNIQUE KEY uq_usage (instance_id, usage_type, period_start),
  -- the export reads a day in (period, instance, type) order: this index gives it without a sort
  KEY ix_usage_period (period_start, instance_id, usage_type),
  KEY ix_usage_account (account_id, period_start),
  CONSTRAINT ck_usage_type CHECK (usage_type IN (1, 2))
) ENGINE=InnoDB;

-- One row per generated period: its presence means every record of the period is written.
CREATE TABLE usage_periods (
  period_start DATETIME     NOT NULL PRIMARY KEY,
  period_end   DATETIME     NOT NULL,
  instances    INT          NOT NULL,
  records      INT          NOT NULL,
  workflow_id  VARCHAR(255) NULL,
  generated_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
) ENGINE=InnoDB;

-- The files of each exported day (csv, jsonl, sha256), as last written.
CREATE TABLE usage_exports (
  file       VARCHAR(64)  NOT NULL PRIMARY KEY,
  day        DATE         NOT NULL,
  `rows`     BIGINT       NOT NULL,
  bytes      BIGINT       NOT NULL,
  sha256     CHAR(64)     NOT NULL,
  written_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  KEY ix_usage_export_day (day)
) ENGINE=InnoDB;

-- Per scheduled job: the start of the next period it must still start a workflow for, and its last run.
CREATE TABLE schedule_cursors (
  name             VARCHAR(64)  NOT NULL PRIMARY KEY,
  next_period      DATETIME     NOT NULL,
  last_workflow_id VARCHAR(255) NULL,
  last_fired_at    TIMESTAMP(3) NULL
) ENGINE=InnoDB;
