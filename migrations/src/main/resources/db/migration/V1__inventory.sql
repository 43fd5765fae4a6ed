-- Tenancy skeleton: the admin account and API keys live here from the start;
-- issue 3 grows domains/accounts/projects on top of these tables.
CREATE TABLE domains (
  id         CHAR(36)     NOT NULL PRIMARY KEY,
  name       VARCHAR(255) NOT NULL,
  parent_id  CHAR(36)     NULL,
  path       VARCHAR(1024) NOT NULL,  -- '/ROOT/child/' so a subtree is one LIKE prefix
  created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  UNIQUE KEY uq_domain_parent_name (parent_id, name),
  CONSTRAINT fk_domain_parent FOREIGN KEY (parent_id) REFERENCES domains (id)
) ENGINE=InnoDB;

CREATE TABLE accounts (
  id         CHAR(36)     NOT NULL PRIMARY KEY,
  name       VARCHAR(255) NOT NULL,
  domain_id  CHAR(36)     NOT NULL,
  created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  UNIQUE KEY uq_account_domain_name (domain_id, name),
  CONSTRAINT fk_account_domain FOREIGN KEY (domain_id) REFERENCES domains (id)
) ENGINE=InnoDB;

CREATE TABLE users (
  id         CHAR(36)     NOT NULL PRIMARY KEY,
  name       VARCHAR(255) NOT NULL UNIQUE,
  account_id CHAR(36)     NOT NULL,
  role       VARCHAR(16)  NOT NULL,   -- Admin | DomainAdmin | User
  created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  CONSTRAINT fk_user_account FOREIGN KEY (account_id) REFERENCES accounts (id)
) ENGINE=InnoDB;

-- Only a SHA-256 of each key is kept: keys are 256-bit random, so a fast hash is enough.
CREATE TABLE api_keys (
  id         CHAR(36)     NOT NULL PRIMARY KEY,
  user_id    CHAR(36)     NOT NULL,
  key_hash   CHAR(64)     NOT NULL UNIQUE,
  prefix     VARCHAR(12)  NOT NULL,    -- first characters, shown so an operator can tell keys apart
  created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  CONSTRAINT fk_key_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB;

CREATE TABLE hosts (
  id                CHAR(36)     NOT NULL PRIMARY KEY,
  name              VARCHAR(255) NOT NULL UNIQUE,
  hypervisor_uri    VARCHAR(1024) NOT NULL,
  cpu_cores         INT          NOT NULL,
  cpu_mhz           INT          NOT NULL,
  memory_mb         BIGINT       NOT NULL,
  numa_nodes        INT          NOT NULL DEFAULT 1,
  state             VARCHAR(16)  NOT NULL,  -- Up | Down | Disconnected
  resource_state    VARCHAR(16)  NOT NULL,  -- Enabled | Disabled | Maintenance
  last_seen_at      TIMESTAMP(3) NULL,
  last_discovery_at TIMESTAMP(3) NULL,
  created_at        TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
) ENGINE=InnoDB;

CREATE TABLE host_events (
  id         BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
  host_id    CHAR(36)     NOT NULL,
  level      VARCHAR(8)   NOT NULL,    -- INFO | ERROR
  type       VARCHAR(64)  NOT NULL,    -- e.g. DISCOVERY_FAILED, DISCOVERY_OK, DEVICE_ERROR
  message    TEXT         NOT NULL,
  workflow_id VARCHAR(255) NULL,
  created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  KEY ix_host_events_host (host_id, id),
  CONSTRAINT fk_event_host FOREIGN KEY (host_id) REFERENCES hosts (id) ON DELETE CASCADE
) ENGINE=InnoDB;

CREATE TABLE gpu_cards (
  id          CHAR(36)     NOT NULL PRIMARY KEY,
  vendor_id   CHAR(4)      NOT NULL,
  device_id   CHAR(4)      NOT NULL,
  vendor_name VARCHAR(255) NOT NULL,
  device_name VARCHAR(255) NOT NULL,
  name        VARCHAR(255) NOT NULL,
  created_at  TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  UNIQUE KEY uq_card_ids (vendor_id, device_id)
) ENGINE=InnoDB;

CREATE TABLE vgpu_profiles (
  id                 CHAR(36)     NOT NULL PRIMARY KEY,
  card_id            CHAR(36)     NOT NULL,
  name               VARCHAR(255) NOT NULL,
  description        VARCHAR(1024) NULL,
  video_ram_mb       BIGINT       NOT NULL DEFAULT 0,
  max_heads          INT          NOT NULL DEFAULT 1,
  max_resolution_x   INT          NOT NULL DEFAULT 0,
  max_resolution_y   INT          NOT NULL DEFAULT 0,
  max_vgpus_per_gpu  INT          NOT NULL DEFAULT 1,
  created_at         TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  UNIQUE KEY uq_profile_card_name (card_id, name),
  CONSTRAINT fk_profile_card FOREIGN KEY (card_id) REFERENCES gpu_cards (id) ON DELETE CASCADE
) ENGINE=InnoDB;

-- Instances: the minimum discovery needs (a libvirt VM name to match used_by_vm against);
-- the deploy lifecycle adds its columns in a later migration.
CREATE TABLE instances (
  id          CHAR(36)     NOT NULL PRIMARY KEY,
  name        VARCHAR(255) NOT NULL,
  vm_name     VARCHAR(255) NOT NULL UNIQUE,   -- the libvirt domain name, e.g. i-<short uuid>
  account_id  CHAR(36)     NOT NULL,
  state       VARCHAR(16)  NOT NULL,
  host_id     CHAR(36)     NULL,
  created_at  TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  CONSTRAINT fk_instance_account FOREIGN KEY (account_id) REFERENCES accounts (id)
) ENGINE=InnoDB;

CREATE TABLE gpu_devices (
  id               CHAR(36)     NOT NULL PRIMARY KEY,
  host_id          CHAR(36)     NOT NULL,
  bus_address      VARCHAR(64)  NOT NULL,   -- full PCI address 0000:01:00.0, or mdev uuid
  type             VARCHAR(16)  NOT NULL,   -- PCI | MDEV | VGPU_ONLY
  card_id          CHAR(36)     NOT NULL,
  profile_id       CHAR(36)     NULL,       -- NULL only for VGPU_ONLY parents
  parent_device_id CHAR(36)     NULL,
  numa_node        INT          NOT NULL DEFAULT -1,
  pci_root         VARCHAR(64)  NULL,
  iommu_group      VARCHAR(16)  NULL,
  driver           VARCHAR(64)  NULL,
  managed_state    VARCHAR(16)  NOT NULL DEFAULT 'Managed',  -- Managed | Unmanaged
  state            VARCHAR(24)  NOT NULL DEFAULT 'Free',     -- Free | Reserved | Allocated | PartiallyAllocated | Error
  instance_id      CHAR(36)     NULL,
  error_reason     VARCHAR(1024) NULL,
  source           VARCHAR(16)  NOT NULL DEFAULT 'DISCOVERED', -- DISCOVERED | MANUAL
  created_at       TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at       TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  UNIQUE KEY uq_device_host_address (host_id, bus_address),
  KEY ix_device_alloc (host_id, profile_id, state, managed_state),
  KEY ix_device_instance (instance_id),
  CONSTRAINT fk_device_host FOREIGN KEY (host_id) REFERENCES hosts (id),
  CONSTRAINT fk_device_card FOREIGN KEY (card_id) REFERENCES gpu_cards (id),
  CONSTRAINT fk_device_profile FOREIGN KEY (profile_id) REFERENCES vgpu_profiles (id),
  CONSTRAINT fk_device_parent FOREIGN KEY (parent_device_id) REFERENCES gpu_devices (id),
  CONSTRAINT fk_device_instance FOREIGN KEY (instance_id) REFERENCES instances (id)
) ENGINE=InnoDB;

-- Idempotency-Key replies (POST returns the first result for a repeated key).
CREATE TABLE idempotency_keys (
  user_id     CHAR(36)     NOT NULL,
  idem_key    VARCHAR(255) NOT NULL,
  status      INT          NOT NULL,
  body        MEDIUMTEXT   NOT NULL,
  created_at  TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (user_id, idem_key)
) ENGINE=InnoDB;
