-- Tenancy (projects), global limit defaults, per-scope limit overrides, compute offerings and templates.
-- Domains and accounts come from V1; instances (counted against limits) from V4.

CREATE TABLE projects (
  id         CHAR(36)     NOT NULL PRIMARY KEY,
  name       VARCHAR(255) NOT NULL,
  account_id CHAR(36)     NOT NULL,            -- the owner
  domain_id  CHAR(36)     NOT NULL,            -- the owner's domain
  created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  UNIQUE KEY uq_project_domain_name (domain_id, name),
  KEY ix_project_account (account_id),
  CONSTRAINT fk_project_account FOREIGN KEY (account_id) REFERENCES accounts (id),
  CONSTRAINT fk_project_domain FOREIGN KEY (domain_id) REFERENCES domains (id)
) ENGINE=InnoDB;

-- Global settings. The max.<scope>.<resource> entries are the default limits of every account,
-- domain and project without an override (-1 = unlimited). Values are text; limits are integers.
CREATE TABLE settings (
  name       VARCHAR(128)  NOT NULL PRIMARY KEY,
  `value`    VARCHAR(1024) NOT NULL,
  updated_at TIMESTAMP(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)
) ENGINE=InnoDB;

INSERT INTO settings (name, `value`) VALUES
  ('max.account.gpus', '20'),
  ('max.account.instances', '20'),
  ('max.account.cpus', '40'),
  ('max.account.memory', '40960'),
  ('max.domain.gpus', '20'),
  ('max.domain.instances', '20'),
  ('max.domain.cpus', '40'),
  ('max.domain.memory', '40960'),
  ('max.project.gpus', '20'),
  ('max.project.instances', '20'),
  ('max.project.cpus', '40'),
  ('max.project.memory', '40960');

-- Per-scope overrides of the defaults above; no row = the default applies.
CREATE TABLE resource_limits (
  scope_type VARCHAR(16)  NOT NULL,   -- ACCOUNT | DOMAIN | PROJECT
  scope_id   CHAR(36)     NOT NULL,
  resource   VARCHAR(16)  NOT NULL,   -- GPU | INSTANCE | CPU | MEMORY (MEMORY in MiB)
  `max`      BIGINT       NOT NULL,   -- -1 = unlimited
  updated_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (scope_type, scope_id, resource),
  CONSTRAINT ck_limit_scope_type CHECK (scope_type IN ('ACCOUNT', 'DOMAIN', 'PROJECT')),
  CONSTRAINT ck_limit_resource CHECK (resource IN ('GPU', 'INSTANCE', 'CPU', 'MEMORY')),
  CONSTRAINT ck_limit_max CHECK (`max` >= -1)
) ENGINE=InnoDB;

-- Compute offerings; one with a vGPU profile is a GPU offering (the profile names its card).
CREATE TABLE offerings (
  id              CHAR(36)      NOT NULL PRIMARY KEY,
  name            VARCHAR(255)  NOT NULL,
  description     VARCHAR(1024) NULL,
  cpu_cores       INT           NOT NULL,
  cpu_mhz         INT           NOT NULL,
  memory_mb       BIGINT        NOT NULL,
  vgpu_profile_id CHAR(36)      NULL,
  gpu_count       INT           NOT NULL DEFAULT 0,
  gpu_display     TINYINT(1)    NOT NULL DEFAULT 0,
  numa_policy     VARCHAR(16)   NOT NULL DEFAULT 'preferred',  -- required | preferred | none
  created_at      TIMESTAMP(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  UNIQUE KEY uq_offering_name (name),
  KEY ix_offering_profile (vgpu_profile_id),
  CONSTRAINT fk_offering_profile FOREIGN KEY (vgpu_profile_id) REFERENCES vgpu_profiles (id),
  CONSTRAINT ck_offering_cpu CHECK (cpu_cores >= 1),
  CONSTRAINT ck_offering_mhz CHECK (cpu_mhz >= 1),
  CONSTRAINT ck_offering_memory CHECK (memory_mb >= 1),
  CONSTRAINT ck_offering_gpus CHECK (gpu_count >= 0 AND (vgpu_profile_id IS NULL OR gpu_count >= 1)),
  CONSTRAINT ck_offering_numa CHECK (numa_policy IN ('required', 'preferred', 'none'))
) ENGINE=InnoDB;

-- Templates: the image an instance boots from.
CREATE TABLE templates (
  id           CHAR(36)      NOT NULL PRIMARY KEY,
  name         VARCHAR(255)  NOT NULL,
  os_type      VARCHAR(255)  NOT NULL,
  root_disk_gb BIGINT        NOT NULL,
  image_path   VARCHAR(1024) NOT NULL,
  created_at   TIMESTAMP(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  UNIQUE KEY uq_template_name (name),
  CONSTRAINT ck_template_disk CHECK (root_disk_gb >= 1)
) ENGINE=InnoDB;
