-- Web console sessions (io.gpucloud.service.console.SessionStore), shared by every service replica.
-- The browser holds only the session token; the row holds its SHA-256, never the token, and names the
-- API key the session was opened with (its id and hash, never the key). Revoking the key deletes the
-- key's row, and with it (ON DELETE CASCADE) every session opened with it; each request also checks
-- that the key still exists with that hash. Idle sessions expire (console.sessionIdleTimeout).
CREATE TABLE console_sessions (
  token_hash   CHAR(64)     NOT NULL PRIMARY KEY,
  api_key_id   CHAR(36)     NOT NULL,
  key_hash     CHAR(64)     NOT NULL,
  csrf_token   CHAR(43)     NOT NULL,
  created_at   TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  last_seen_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  KEY idx_console_sessions_seen (last_seen_at),
  CONSTRAINT fk_console_session_key FOREIGN KEY (api_key_id) REFERENCES api_keys (id) ON DELETE CASCADE
) ENGINE=InnoDB;
