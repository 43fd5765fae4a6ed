-- Queued and batch deploys. The queue lives here, in MariaDB: an instance waiting for capacity is in
-- state Queued (holding no device and no quota) with a queue_requests row; admission moves it to
-- Creating, with its devices Reserved and its quota counted, in the same transaction as every other
-- reservation. The Deploy workflow only waits (durably, with its maxWait timer) for that to happen.

-- The members of a batch (POST /instance-batches) point at it.
ALTER TABLE instances
  ADD COLUMN batch_id CHAR(36) NULL,
  ADD KEY ix_instance_batch (batch_id),
  ADD KEY ix_instance_state (state);   -- the admission pass reads the Queued ones

-- One row per deploy that asked to queue ("queue": {...}); kept after admission (audit, wait times).
CREATE TABLE queue_requests (
  instance_id    CHAR(36)     NOT NULL PRIMARY KEY,
  -- what the request competes for: the GPU card of its offering's profile, or 'none' without GPUs
  pool_key       VARCHAR(64)  NOT NULL,
  priority       TINYINT      NOT NULL DEFAULT 0,          -- 0..9, higher first
  max_wait_ms    BIGINT       NOT NULL,
  wait_for_quota TINYINT(1)   NOT NULL DEFAULT 0,
  batch_id       CHAR(36)     NULL,
  gang           TINYINT(1)   NOT NULL DEFAULT 0,          -- admitted only with every member of its batch
  requested_at   TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),  -- FIFO order, and maxWait counts from here
  queued_at      TIMESTAMP(6) NULL,                        -- when it entered Queued
  admitted_at    TIMESTAMP(6) NULL,
  wait_reason    VARCHAR(512) NULL,                        -- why the last admission pass left it waiting
  KEY ix_queue_pool (pool_key, requested_at),
  KEY ix_queue_batch (batch_id),
  CONSTRAINT ck_queue_priority CHECK (priority BETWEEN 0 AND 9)
) ENGINE=InnoDB;

-- A wake-up for the admission passes: a row is written, by the triggers below, in the very
-- transaction that frees capacity (a device back to Free or added, an instance leaving its host or its
-- quota, a host state change, a limit change) or adds a waiter. A pass reads the rows, admits what
-- now fits, and deletes the rows it read (by id: a row that commits later is seen by the next pass).
-- So no wake-up is lost: a replica that dies before its pass leaves the rows for the next one.
-- Appending rows takes no lock that two releases could wait for (a shared counter row would).
CREATE TABLE admission_wakeups (
  id         BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
  cause      VARCHAR(16)  NOT NULL,   -- device | host | instance | limit | queued
  pool_key   VARCHAR(64)  NULL,       -- the card whose capacity changed; NULL: any pool
  created_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
) ENGINE=InnoDB;

-- Per pool: the head that no host can take now, and the hosts whose free devices are kept for it
-- (smaller requests behind it may not backfill there). Written by the admission pass only.
CREATE TABLE admission_claims (
  pool_key          VARCHAR(64)   NOT NULL PRIMARY KEY,
  claim_instance_id CHAR(36)      NOT NULL,
  claim_hosts       VARCHAR(4000) NOT NULL,   -- comma-separated host ids
  updated_at        TIMESTAMP(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)
) ENGINE=InnoDB;

-- POST /instance-batches: N instances deployed together (gang: all or none reserved) or each on its own.
CREATE TABLE instance_batches (
  id           CHAR(36)     NOT NULL PRIMARY KEY,
  name_prefix  VARCHAR(63)  NOT NULL,
  account_id   CHAR(36)     NOT NULL,
  user_id      CHAR(36)     NULL,
  offering_id  CHAR(36)     NOT NULL,
  template_id  CHAR(36)     NOT NULL,
  count        INT          NOT NULL,
  mode         VARCHAR(8)   NOT NULL,   -- gang | each
  state        VARCHAR(16)  NOT NULL DEFAULT 'Active',  -- Active | Cancelled
  workflow_id  VARCHAR(255) NOT NULL,
  created_at   TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  KEY ix_batch_account (account_id, created_at),
  CONSTRAINT fk_batch_account FOREIGN KEY (account_id) REFERENCES accounts (id),
  CONSTRAINT ck_batch_mode CHECK (mode IN ('gang', 'each'))
) ENGINE=InnoDB;

-- Capacity freed (the conditions are in the SELECT, so a row that changes nothing writes nothing).
CREATE TRIGGER queue_device_freed AFTER UPDATE ON gpu_devices FOR EACH ROW
  INSERT INTO admission_wakeups (cause, pool_key) SELECT 'device', NEW.card_id FROM DUAL
  WHERE NEW.state = 'Free' AND NEW.managed_state = 'Managed'
    AND (OLD.state <> 'Free' OR NOT (OLD.managed_state <=> NEW.managed_state));

CREATE TRIGGER queue_device_added AFTER INSERT ON gpu_devices FOR EACH ROW
  INSERT INTO admission_wakeups (cause, pool_key) SELECT 'device', NEW.card_id FROM DUAL
  WHERE NEW.state = 'Free' AND NEW.managed_state = 'Managed';

-- A host Up / Enabled again, leaving maintenance, or with more CPU/RAM: every pool may fit now.
CREATE TRIGGER queue_host_changed AFTER UPDATE ON hosts FOR EACH ROW
  INSERT INTO admission_wakeups (cause) SELECT 'host' FROM DUAL
  WHERE NOT (OLD.state <=> NEW.state) OR NOT (OLD.resource_state <=> NEW.resource_state)
     OR NOT (OLD.cpu_cores <=> NEW.cpu_cores) OR NOT (OLD.memory_mb <=> NEW.memory_mb);

-- An instance leaves its host (CPU/RAM) or stops counting against its limits (quota, GPUs given back).
CREATE TRIGGER queue_instance_freed AFTER UPDATE ON instances FOR EACH ROW
  INSERT INTO admission_wakeups (cause) SELECT 'instance' FROM DUAL
  WHERE (OLD.host_id IS NOT NULL AND NOT (OLD.host_id <=> NEW.host_id))
     OR (OLD.quota_counted = 1 AND NEW.quota_counted = 0)
     OR (OLD.gpus_released = 0 AND NEW.gpus_released = 1);

-- A limit raised or removed, a default changed: quota waiters may fit now.
CREATE TRIGGER queue_limit_added AFTER INSERT ON resource_limits FOR EACH ROW
  INSERT INTO admission_wakeups (cause) VALUES ('limit');
CREATE TRIGGER queue_limit_changed AFTER UPDATE ON resource_limits FOR EACH ROW
  INSERT INTO admission_wakeups (cause) VALUES ('limit');
CREATE TRIGGER queue_limit_removed AFTER DELETE ON resource_limits FOR EACH ROW
  INSERT INTO admission_wakeups (cause) VALUES ('limit');
CREATE TRIGGER queue_setting_changed AFTER UPDATE ON settings FOR EACH ROW
  INSERT INTO admission_wakeups (cause) VALUES ('limit');
