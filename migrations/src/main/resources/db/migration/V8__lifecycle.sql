-- The instance lifecycle: operations on existing instances, their events, the exact time of every
-- state change (usage is computed from it), per-domain settings, and host maintenance states.

-- n in the workflow ids stop-<id>-<n>, start-<id>-<n>, ...: incremented by each operation request.
-- gpus_released: the instance gave its devices back at stop (gpu.detach.on.stop); its GPUs no longer
-- count against its limits until a start reserves again. Its other quota counts while it exists.
ALTER TABLE instances
  ADD COLUMN op_seq        INT        NOT NULL DEFAULT 0,
  ADD COLUMN gpus_released TINYINT(1) NOT NULL DEFAULT 0;

-- Every state an instance enters, with the time it entered it, written by the database itself so
-- that no code path can change a state without leaving its time behind.
CREATE TABLE instance_state_changes (
  id          BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
  instance_id CHAR(36)     NOT NULL,
  state       VARCHAR(16)  NOT NULL,
  host_id     CHAR(36)     NULL,
  changed_at  TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  KEY ix_state_change_instance (instance_id, changed_at),
  KEY ix_state_change_time (changed_at)
) ENGINE=InnoDB;

CREATE TRIGGER instance_state_inserted AFTER INSERT ON instances FOR EACH ROW
  INSERT INTO instance_state_changes (instance_id, state, host_id, changed_at)
  VALUES (NEW.id, NEW.state, NEW.host_id, CURRENT_TIMESTAMP(6));

CREATE TRIGGER instance_state_updated AFTER UPDATE ON instances FOR EACH ROW
  INSERT INTO instance_state_changes (instance_id, state, host_id, changed_at)
  SELECT NEW.id, NEW.state, NEW.host_id, CURRENT_TIMESTAMP(6) FROM DUAL
  WHERE NOT (NEW.state <=> OLD.state) OR NOT (NEW.host_id <=> OLD.host_id);

-- The audit trail: every request (Scheduled) and what became of it (Started, Completed, Failed),
-- with CloudStack's event types (VM.CREATE, VM.STOP, HOST.MAINTENANCE.PREPARE, ...).
CREATE TABLE events (
  id          CHAR(36)      NOT NULL PRIMARY KEY,
  type        VARCHAR(64)   NOT NULL,
  state       VARCHAR(16)   NOT NULL,   -- Scheduled | Started | Completed | Failed
  user_id     CHAR(36)      NULL,
  account_id  CHAR(36)      NULL,
  instance_id CHAR(36)      NULL,
  host_id     CHAR(36)      NULL,
  workflow_id VARCHAR(255)  NULL,
  description VARCHAR(4000) NULL,
  created_at  TIMESTAMP(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  KEY ix_event_account (account_id, created_at),
  KEY ix_event_instance (instance_id, created_at),
  KEY ix_event_time (created_at)
) ENGINE=InnoDB;

-- A setting a domain overrides for its subtree; a domain without its own value inherits its
-- parent's, and ROOT's falls back to the global value in settings.
CREATE TABLE domain_settings (
  domain_id  CHAR(36)      NOT NULL,
  name       VARCHAR(128)  NOT NULL,
  `value`    VARCHAR(1024) NOT NULL,
  updated_at TIMESTAMP(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (domain_id, name),
  CONSTRAINT fk_domain_setting_domain FOREIGN KEY (domain_id) REFERENCES domains (id) ON DELETE CASCADE
) ENGINE=InnoDB;

INSERT INTO settings (name, `value`) VALUES ('gpu.detach.on.stop', 'false');

-- PrepareForMaintenance does not fit the old 16 characters.
ALTER TABLE hosts MODIFY resource_state VARCHAR(32) NOT NULL;
