-- Security audit trail: an append-only, hash-chained log of security events.
-- Same meaning as migrations/postgres/0003_audit.sql; see app/src/backend/audit.rs.
--
-- Every row carries the hash of the row before it (prev_hash) and its own hash over
-- prev_hash and its content, so changing, removing or reordering any row breaks the
-- chain that `server verify-audit` walks. The triggers below make the log
-- append-only for the application; the chain catches whoever drops them.

CREATE TABLE audit_log (
    id           INTEGER PRIMARY KEY,
    -- UTC microseconds.
    at           BIGINT  NOT NULL,
    actor_kind   TEXT    NOT NULL CHECK (actor_kind IN ('customer', 'staff', 'system', 'anonymous')),
    -- customers.id or staff.id as actor_kind says; NULL for system and anonymous.
    actor_id     BIGINT,
    -- The customer concerned (for a staff action both names are kept). No foreign
    -- keys: an audit write must never fail, nor hold back a customer's deletion, on
    -- referential grounds; the log outlives what it describes.
    customer_id  BIGINT,
    -- A stable snake_case event name (login_succeeded, password_changed, ...).
    event        TEXT    NOT NULL,
    -- JSON text; never a password, code, token or full card number.
    detail       TEXT    NOT NULL DEFAULT '',
    -- Approximate origin of the request (e.g. a truncated IP address).
    origin       TEXT    NOT NULL DEFAULT '',
    -- Lowercase hex SHA-256; 64 zeros for the first row.
    prev_hash    TEXT    NOT NULL,
    hash         TEXT    NOT NULL
);
-- A customer's own security events, newest first.
CREATE INDEX audit_log_customer ON audit_log(customer_id, id);
-- The chain cannot fork: two rows can never follow the same predecessor, even if a
-- writer forgot to take the head lock.
CREATE UNIQUE INDEX audit_log_prev_hash ON audit_log(prev_hash);

-- The hash of the last row, read and replaced by every writer inside its write
-- transaction (on SQLite `BEGIN IMMEDIATE` serializes writers). It also anchors the
-- tail: if trailing rows are removed, last_hash no longer matches the last row.
CREATE TABLE audit_head (
    id         BIGINT  PRIMARY KEY CHECK (id = 1),
    last_hash  TEXT    NOT NULL
);
INSERT INTO audit_head (id, last_hash) VALUES (1, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

-- `INSERT OR REPLACE` deletes the conflicting row without firing delete triggers
-- (unless recursive_triggers is on), so an insert that would replace a row is
-- refused here. For an auto-assigned id NEW.id is -1, which matches no row.
CREATE TRIGGER audit_log_no_replace BEFORE INSERT ON audit_log
WHEN EXISTS (SELECT 1 FROM audit_log WHERE id = NEW.id OR prev_hash = NEW.prev_hash)
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

-- Without its one row no event could be recorded (writers fail closed); keep it.
CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
BEGIN
    SELECT RAISE(ABORT, 'audit_head cannot be deleted: the audit trail is append-only');
END;
