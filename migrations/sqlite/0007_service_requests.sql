-- Service requests (服务申请): typed requests with a status timeline, a public
-- conversation, internal notes kept apart, files, deadlines and ratings.
-- Same rules as before: ids BIGINT, times BIGINT UTC microseconds, days TEXT
-- 'YYYY-MM-DD' in the bank's zone, enums TEXT with CHECK.

-- Where a change of address is sent; a contact change request sets it when approved.
ALTER TABLE customers ADD COLUMN address TEXT NOT NULL DEFAULT '';
-- When the card's status last changed (a loss report's time is kept here too).
ALTER TABLE cards ADD COLUMN status_changed_at BIGINT;

-- Make-up working days (调休): weekend days the bank works. With bank_holidays this
-- is the working calendar that service-level deadlines are counted on.
CREATE TABLE bank_workdays (
    day      TEXT PRIMARY KEY,
    name_zh  TEXT NOT NULL,
    name_en  TEXT NOT NULL
);

-- Per kind: its priority and service-level target in business minutes. A table so
-- the bank can change targets without a release.
CREATE TABLE service_request_types (
    kind                  TEXT    PRIMARY KEY CHECK (kind IN ('card_lost', 'card_freeze', 'card_unfreeze',
                                  'contact_change', 'complaint', 'dispute', 'certificate', 'statement',
                                  'reactivate', 'general')),
    priority              TEXT    NOT NULL CHECK (priority IN ('urgent', 'high', 'normal', 'low')),
    target_minutes        BIGINT  NOT NULL CHECK (target_minutes > 0)
);
INSERT INTO service_request_types (kind, priority, target_minutes) VALUES
    ('card_lost',      'urgent', 240),
    ('card_freeze',    'normal', 480),
    ('card_unfreeze',  'normal', 480),
    ('contact_change', 'normal', 960),
    ('complaint',      'high',   2400),
    ('dispute',        'high',   2400),
    ('certificate',    'normal', 960),
    ('statement',      'low',    1440),
    ('reactivate',     'normal', 960),
    ('general',        'normal', 1440);

-- The running number behind each year's references (SR-2026-000123): one row per
-- year, bumped with UPDATE ... RETURNING so two requests never share a number.
CREATE TABLE service_request_counters (
    year  BIGINT PRIMARY KEY,
    last  BIGINT NOT NULL
);

CREATE TABLE service_requests (
    id                  INTEGER PRIMARY KEY,
    reference           TEXT    NOT NULL UNIQUE,
    customer_id         BIGINT  NOT NULL REFERENCES customers(id),
    kind                TEXT    NOT NULL REFERENCES service_request_types(kind),
    priority            TEXT    NOT NULL CHECK (priority IN ('urgent', 'high', 'normal', 'low')),
    status              TEXT    NOT NULL CHECK (status IN ('submitted', 'in_progress', 'waiting_customer',
                                'resolved', 'closed', 'withdrawn')),
    -- The customer's words: a short title and what happened / what is asked.
    subject             TEXT    NOT NULL CHECK (length(subject) BETWEEN 1 AND 80),
    body                TEXT    NOT NULL DEFAULT '' CHECK (length(body) <= 2000),
    -- The typed form's other fields as JSON (complaint category and wish, new phone
    -- and address, replacement wanted...): validated by the server before storing.
    details             TEXT    NOT NULL DEFAULT '{}',
    -- What the request is about, each owned by the same customer (checked on insert).
    card_id             BIGINT  REFERENCES cards(id),
    account_id          BIGINT  REFERENCES accounts(id),
    posting_id          BIGINT  REFERENCES postings(id),
    -- A reply to a request closed for more than 7 days starts a linked follow-up.
    follow_up_of        BIGINT  REFERENCES service_requests(id),
    -- The customer's branch when the request was made (the queue's branch filter).
    branch_id           BIGINT  NOT NULL REFERENCES branches(id),
    assigned_staff_id   BIGINT  REFERENCES staff(id),
    -- The service-level clock, in business minutes: the target, what was used
    -- before the current running stretch, and when that stretch began (NULL while
    -- paused or stopped). due_at is when the target runs out if nothing pauses it.
    target_minutes      BIGINT  NOT NULL CHECK (target_minutes > 0),
    used_minutes        BIGINT  NOT NULL DEFAULT 0 CHECK (used_minutes >= 0),
    running_since       BIGINT,
    due_at              BIGINT,
    breached_at         BIGINT,
    escalated_at        BIGINT,
    -- Complaints: the regulatory decision deadline (15 days, 30 when complex, 60
    -- with a supervisor's approval) and how far it has been extended (0, 1, 2).
    decision_due_at     BIGINT,
    extension_level     BIGINT  NOT NULL DEFAULT 0 CHECK (extension_level IN (0, 1, 2)),
    created_at          BIGINT  NOT NULL,
    updated_at          BIGINT  NOT NULL,
    resolved_at         BIGINT,
    closed_at           BIGINT
);
CREATE INDEX service_requests_customer ON service_requests(customer_id, created_at);
CREATE INDEX service_requests_queue ON service_requests(status, due_at);
CREATE INDEX service_requests_assignee ON service_requests(assigned_staff_id, status);

-- The timeline: every change of state and every notable step, in order. The
-- customer sees every kind except those listed as staff-only in the code
-- (assignments, escalations); internal notes are not here at all.
CREATE TABLE service_request_events (
    id           INTEGER PRIMARY KEY,
    request_id   BIGINT  NOT NULL REFERENCES service_requests(id),
    kind         TEXT    NOT NULL CHECK (kind IN ('submitted', 'status', 'card_frozen', 'card_unfrozen',
                         'card_replaced', 'contact_changed', 'account_reactivated', 'assigned', 'escalated',
                         'extended', 'rated', 'follow_up')),
    from_status  TEXT,
    to_status    TEXT,
    actor_kind   TEXT    NOT NULL CHECK (actor_kind IN ('customer', 'staff', 'system')),
    actor_id     BIGINT,
    -- A public reason or detail (why withdrawn, why extended): shown to the customer.
    detail       TEXT    NOT NULL DEFAULT '',
    created_at   BIGINT  NOT NULL
);
CREATE INDEX service_request_events_request ON service_request_events(request_id, id);

-- The public conversation: what the customer and the bank write to each other.
CREATE TABLE service_request_messages (
    id           INTEGER PRIMARY KEY,
    request_id   BIGINT  NOT NULL REFERENCES service_requests(id),
    author_kind  TEXT    NOT NULL CHECK (author_kind IN ('customer', 'staff')),
    author_id    BIGINT  NOT NULL,
    body         TEXT    NOT NULL CHECK (length(body) BETWEEN 1 AND 2000),
    created_at   BIGINT  NOT NULL
);
CREATE INDEX service_request_messages_request ON service_request_messages(request_id, id);

-- Staff's internal notes: a table of their own that no customer query reads.
CREATE TABLE service_request_notes (
    id           INTEGER PRIMARY KEY,
    request_id   BIGINT  NOT NULL REFERENCES service_requests(id),
    staff_id     BIGINT  NOT NULL REFERENCES staff(id),
    body         TEXT    NOT NULL CHECK (length(body) BETWEEN 1 AND 2000),
    created_at   BIGINT  NOT NULL
);
CREATE INDEX service_request_notes_request ON service_request_notes(request_id, id);

-- Files: PDF, PNG or JPEG (judged by content), at most 5 MB, with a SHA-256 of the content.
CREATE TABLE service_request_files (
    id            INTEGER PRIMARY KEY,
    request_id    BIGINT  NOT NULL REFERENCES service_requests(id),
    author_kind   TEXT    NOT NULL CHECK (author_kind IN ('customer', 'staff')),
    author_id     BIGINT  NOT NULL,
    file_name     TEXT    NOT NULL CHECK (length(file_name) BETWEEN 1 AND 120),
    content_type  TEXT    NOT NULL CHECK (content_type IN ('application/pdf', 'image/png', 'image/jpeg')),
    size_bytes    BIGINT  NOT NULL CHECK (size_bytes BETWEEN 1 AND 5242880),
    sha256        TEXT    NOT NULL CHECK (length(sha256) = 64),
    content       BLOB    NOT NULL,
    created_at    BIGINT  NOT NULL
);
CREATE INDEX service_request_files_request ON service_request_files(request_id, id);

-- The customer's rating of a resolved request: once (the primary key).
CREATE TABLE service_request_ratings (
    request_id  BIGINT  PRIMARY KEY REFERENCES service_requests(id),
    score       BIGINT  NOT NULL CHECK (score BETWEEN 1 AND 5),
    comment     TEXT    NOT NULL DEFAULT '' CHECK (length(comment) <= 500),
    created_at  BIGINT  NOT NULL
);
