-- Identity: log-in credentials, one-time codes and their outbox, sessions,
-- recovery codes, known devices and notifications.

-- One log-in per principal. Staff and customers share the table so that throttling
-- and locking are one mechanism; `principal_kind` says whose id `principal_id` is.
CREATE TABLE credentials (
    id               INTEGER PRIMARY KEY,
    principal_kind   TEXT    NOT NULL CHECK (principal_kind IN ('customer', 'staff')),
    principal_id     BIGINT  NOT NULL,
    username         TEXT    NOT NULL UNIQUE,
    password_hash    TEXT    NOT NULL,
    -- Base32 TOTP secret; NULL until the second factor is enrolled.
    totp_secret      TEXT,
    -- The last TOTP time step accepted: a code is accepted once only.
    totp_last_step   BIGINT,
    failed_attempts  BIGINT  NOT NULL DEFAULT 0,
    locked_until     BIGINT,
    created_at       BIGINT  NOT NULL,
    updated_at       BIGINT  NOT NULL,
    UNIQUE (principal_kind, principal_id)
);

CREATE TABLE recovery_codes (
    id             INTEGER PRIMARY KEY,
    credential_id  BIGINT  NOT NULL REFERENCES credentials(id),
    code_hash      TEXT    NOT NULL,
    used_at        BIGINT
);
CREATE INDEX recovery_codes_credential ON recovery_codes(credential_id);

-- Codes sent to the phone on file, for enrollment and password reset. Only a hash
-- is kept; the code itself exists only in the outbox message.
CREATE TABLE verification_codes (
    id           INTEGER PRIMARY KEY,
    customer_id  BIGINT  NOT NULL REFERENCES customers(id),
    purpose      TEXT    NOT NULL CHECK (purpose IN ('enroll', 'reset')),
    code_hash    TEXT    NOT NULL,
    attempts     BIGINT  NOT NULL DEFAULT 0,
    created_at   BIGINT  NOT NULL,
    expires_at   BIGINT  NOT NULL,
    consumed_at  BIGINT
);
CREATE INDEX verification_codes_customer ON verification_codes(customer_id, purpose);

-- Messages waiting for (or done with) the pluggable sender.
CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY,
    channel     TEXT    NOT NULL CHECK (channel IN ('sms')),
    recipient   TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL,
    sent_at     BIGINT
);

-- tower-sessions' records: the id, the serialized session and its expiry (UTC µs).
CREATE TABLE sessions (
    id          TEXT    PRIMARY KEY,
    data        TEXT    NOT NULL,
    expires_at  BIGINT  NOT NULL
);
CREATE INDEX sessions_expiry ON sessions(expires_at);

-- What a customer sees of their sessions, and what "end all others" ends.
CREATE TABLE session_index (
    session_id     TEXT    PRIMARY KEY,
    credential_id  BIGINT  NOT NULL REFERENCES credentials(id),
    user_agent     TEXT    NOT NULL,
    origin         TEXT    NOT NULL,
    created_at     BIGINT  NOT NULL,
    last_seen_at   BIGINT  NOT NULL,
    ended_at       BIGINT
);
CREATE INDEX session_index_credential ON session_index(credential_id, ended_at);

-- Devices that have logged in before; a new one raises a notification.
CREATE TABLE known_devices (
    credential_id  BIGINT  NOT NULL REFERENCES credentials(id),
    device_hash    TEXT    NOT NULL,
    first_seen_at  BIGINT  NOT NULL,
    PRIMARY KEY (credential_id, device_hash)
);

CREATE TABLE notifications (
    id           INTEGER PRIMARY KEY,
    customer_id  BIGINT  NOT NULL REFERENCES customers(id),
    kind         TEXT    NOT NULL,
    detail       TEXT    NOT NULL DEFAULT '',
    created_at   BIGINT  NOT NULL,
    read_at      BIGINT
);
CREATE INDEX notifications_customer ON notifications(customer_id, read_at);
