-- The staff console: support actions, call notes, and "view as customer"
-- (impersonation) with its safeguards. Same rules as before: ids BIGINT, times
-- BIGINT UTC microseconds, enums TEXT with CHECK. Mirrored in migrations/sqlite.

-- The customer's own choice: may support staff view the portal as them to help?
-- On by default (the bank's terms); the customer turns it off in security settings.
ALTER TABLE customers ADD COLUMN allow_staff_view INTEGER NOT NULL DEFAULT 1 CHECK (allow_staff_view IN (0, 1));
-- Set when the customer is also an employee: staff accounts are never impersonated,
-- whichever side they are reached from.
ALTER TABLE customers ADD COLUMN staff_id BIGINT REFERENCES staff(id);

-- Writes a staff member made for the customer in assist mode are theirs, on the
-- customer's behalf: the booking and the request keep who really made them.
ALTER TABLE bookings ADD COLUMN booked_by_staff_id BIGINT REFERENCES staff(id);
ALTER TABLE service_requests ADD COLUMN created_by_staff_id BIGINT REFERENCES staff(id);

-- One row per "view as customer" session. It ends at the first of: stop, staff
-- log-out, the staff session's end, expires_at (60 minutes at most, never past the
-- staff session's own end), the staff member losing the role. `ended_at` NULL means
-- it has not been seen to end yet: whether it still runs is also a matter of
-- expires_at, so a row a crashed server never closed cannot outlive its hour.
CREATE TABLE impersonations (
    id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    staff_id           BIGINT  NOT NULL REFERENCES staff(id),
    customer_id        BIGINT  NOT NULL REFERENCES customers(id),
    staff_session_id   TEXT    NOT NULL,
    reason             TEXT    NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
    reference          TEXT    NOT NULL CHECK (length(reference) BETWEEN 1 AND 40),
    mode               TEXT    NOT NULL DEFAULT 'read_only' CHECK (mode IN ('read_only', 'assist')),
    assist_granted_by  BIGINT  REFERENCES staff(id),
    assist_granted_at  BIGINT,
    started_at         BIGINT  NOT NULL,
    expires_at         BIGINT  NOT NULL,
    ended_at           BIGINT,
    end_reason         TEXT    CHECK (end_reason IN ('stopped', 'logged_out', 'session_ended', 'time_limit',
                                                     'role_removed', 'customer_unavailable', 'customer_opted_out')),
    requests           BIGINT  NOT NULL DEFAULT 0,
    refused            BIGINT  NOT NULL DEFAULT 0
);
CREATE INDEX impersonations_staff ON impersonations(staff_id, ended_at);
CREATE INDEX impersonations_customer ON impersonations(customer_id, started_at);
CREATE INDEX impersonations_started ON impersonations(started_at);

-- A note of a phone call (or a visit) with the customer, written by staff.
CREATE TABLE customer_call_notes (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id  BIGINT  NOT NULL REFERENCES customers(id),
    staff_id     BIGINT  NOT NULL REFERENCES staff(id),
    body         TEXT    NOT NULL CHECK (length(body) BETWEEN 1 AND 2000),
    created_at   BIGINT  NOT NULL
);
CREATE INDEX customer_call_notes_customer ON customer_call_notes(customer_id, created_at);

-- The audit trail is read by customer and by staff member over a date range (the
-- supervisor's export and the impersonation's actions).
CREATE INDEX audit_log_actor_at ON audit_log(actor_kind, actor_id, at);
