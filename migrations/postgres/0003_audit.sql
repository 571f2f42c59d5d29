-- Security audit trail: an append-only, hash-chained log of security events.
-- Same meaning as migrations/sqlite/0003_audit.sql; see app/src/backend/audit.rs.
--
-- Every row carries the hash of the row before it (prev_hash) and its own hash over
-- prev_hash and its content, so changing, removing or reordering any row breaks the
-- chain that `server verify-audit` walks. The triggers below make the log
-- append-only for the application; the chain catches whoever drops them.

CREATE TABLE audit_log (
    id           BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
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

-- The hash of the last row. Every writer locks it (`SELECT ... FOR UPDATE`) inside
-- its write transaction, which serializes appends: without the lock two concurrent
-- writers would read the same predecessor. It also anchors the tail: if trailing
-- rows are removed, last_hash no longer matches the last row.
CREATE TABLE audit_head (
    id         BIGINT  PRIMARY KEY CHECK (id = 1),
    last_hash  TEXT    NOT NULL
);
INSERT INTO audit_head (id, last_hash) VALUES (1, '0000000000000000000000000000000000000000000000000000000000000000');

-- One function for every refusal; TG_TABLE_NAME and TG_OP say what was refused.
CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%: % refused (the audit trail is append-only)', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$;

CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
-- TRUNCATE fires no row triggers, so it needs its own statement-level one.
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();

-- Without its one row no event could be recorded (writers fail closed); keep it.
-- (Updates of audit_head are how writers advance the chain, so they stay allowed.)
CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
