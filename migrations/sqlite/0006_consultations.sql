-- Consultations: question threads with the bank (inquiries), advisors with their
-- working hours, and bookings that the database keeps from ever overlapping.
-- Same rules as before: ids BIGINT, times BIGINT UTC microseconds, days TEXT
-- 'YYYY-MM-DD' in the bank's zone, enums TEXT with CHECK.

-- ---------------------------------------------------------------------------------
-- Inquiries (咨询): a customer's question thread and its messages, plain text.
-- ---------------------------------------------------------------------------------
CREATE TABLE inquiry_threads (
    id                  INTEGER PRIMARY KEY,
    customer_id         BIGINT  NOT NULL REFERENCES customers(id),
    topic               TEXT    NOT NULL CHECK (topic IN ('deposits', 'loans', 'cards', 'wealth', 'insurance', 'other')),
    subject             TEXT    NOT NULL,
    status              TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    -- The staff member who holds the thread; NULL while it waits in the shared inbox.
    assigned_staff_id   BIGINT  REFERENCES staff(id),
    -- When the customer's oldest unanswered message arrived; NULL when the bank spoke last.
    waiting_since       BIGINT,
    -- The last message id each side has read (0: none), for unread counts.
    customer_read_upto  BIGINT  NOT NULL DEFAULT 0,
    staff_read_upto     BIGINT  NOT NULL DEFAULT 0,
    last_message_at     BIGINT  NOT NULL,
    created_at          BIGINT  NOT NULL
);
CREATE INDEX inquiry_threads_customer ON inquiry_threads(customer_id, last_message_at);
CREATE INDEX inquiry_threads_inbox ON inquiry_threads(status, waiting_since);

CREATE TABLE inquiry_messages (
    id          INTEGER PRIMARY KEY,
    thread_id   BIGINT  NOT NULL REFERENCES inquiry_threads(id),
    author_kind TEXT    NOT NULL CHECK (author_kind IN ('customer', 'staff')),
    -- customers.id or staff.id as author_kind says.
    author_id   BIGINT  NOT NULL,
    body        TEXT    NOT NULL CHECK (length(body) BETWEEN 1 AND 2000),
    created_at  BIGINT  NOT NULL
);
CREATE INDEX inquiry_messages_thread ON inquiry_messages(thread_id, id);

-- Hand-overs of a thread from one staff member to another, with the reason.
CREATE TABLE inquiry_handovers (
    id              INTEGER PRIMARY KEY,
    thread_id       BIGINT  NOT NULL REFERENCES inquiry_threads(id),
    from_staff_id   BIGINT  REFERENCES staff(id),
    to_staff_id     BIGINT  NOT NULL REFERENCES staff(id),
    note            TEXT    NOT NULL,
    created_at      BIGINT  NOT NULL
);

-- ---------------------------------------------------------------------------------
-- Advisors and their availability.
-- ---------------------------------------------------------------------------------
-- Days the whole bank is closed (public holidays); no advisor works them.
CREATE TABLE bank_holidays (
    day      TEXT PRIMARY KEY,
    name_zh  TEXT NOT NULL,
    name_en  TEXT NOT NULL
);

-- A staff member who takes bookings, and how long a consultation lasts.
CREATE TABLE advisor_profiles (
    staff_id        BIGINT  PRIMARY KEY REFERENCES staff(id),
    slot_minutes    BIGINT  NOT NULL DEFAULT 45 CHECK (slot_minutes BETWEEN 15 AND 240),
    -- Kept free after each consultation (notes, the next customer).
    buffer_minutes  BIGINT  NOT NULL DEFAULT 15 CHECK (buffer_minutes BETWEEN 0 AND 120),
    -- The number a phone consultation is held on, and the video room's address.
    phone           TEXT    NOT NULL,
    video_room      TEXT    NOT NULL,
    accepting       INTEGER NOT NULL DEFAULT 1 CHECK (accepting IN (0, 1))
);

-- What an advisor offers: consultation purposes and channels.
CREATE TABLE advisor_purposes (
    staff_id  BIGINT NOT NULL REFERENCES staff(id),
    purpose   TEXT   NOT NULL CHECK (purpose IN ('wealth_planning', 'loan', 'pension', 'insurance', 'complaint_follow_up')),
    PRIMARY KEY (staff_id, purpose)
);
CREATE TABLE advisor_channels (
    staff_id  BIGINT NOT NULL REFERENCES staff(id),
    channel   TEXT   NOT NULL CHECK (channel IN ('branch', 'phone', 'video')),
    PRIMARY KEY (staff_id, channel)
);

-- Weekly working hours in the bank's zone: weekday 1 (Monday) to 7 (Sunday),
-- minutes after local midnight. Several rows a day make a split shift.
CREATE TABLE advisor_hours (
    id            INTEGER PRIMARY KEY,
    staff_id      BIGINT NOT NULL REFERENCES staff(id),
    weekday       BIGINT NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    start_minute  BIGINT NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),
    end_minute    BIGINT NOT NULL CHECK (end_minute BETWEEN 1 AND 1440),
    CHECK (end_minute > start_minute)
);
CREATE INDEX advisor_hours_staff ON advisor_hours(staff_id, weekday);

-- Date exceptions: leave (the whole day when the minutes are NULL, else that
-- part of it) or extra working time on a day.
CREATE TABLE advisor_exceptions (
    id            INTEGER PRIMARY KEY,
    staff_id      BIGINT NOT NULL REFERENCES staff(id),
    day           TEXT   NOT NULL,
    kind          TEXT   NOT NULL CHECK (kind IN ('leave', 'extra')),
    start_minute  BIGINT CHECK (start_minute BETWEEN 0 AND 1439),
    end_minute    BIGINT CHECK (end_minute BETWEEN 1 AND 1440),
    note          TEXT   NOT NULL DEFAULT '',
    created_by    BIGINT NOT NULL REFERENCES staff(id),
    created_at    BIGINT NOT NULL,
    CHECK ((start_minute IS NULL AND end_minute IS NULL AND kind = 'leave')
        OR (start_minute IS NOT NULL AND end_minute IS NOT NULL AND end_minute > start_minute))
);
CREATE INDEX advisor_exceptions_staff ON advisor_exceptions(staff_id, day);

-- ---------------------------------------------------------------------------------
-- Bookings.
-- ---------------------------------------------------------------------------------
CREATE TABLE bookings (
    id              INTEGER PRIMARY KEY,
    -- Shown to the customer and used as the calendar event's UID: 'BK' + 8 digits.
    reference       TEXT    NOT NULL UNIQUE,
    customer_id     BIGINT  NOT NULL REFERENCES customers(id),
    advisor_id      BIGINT  NOT NULL REFERENCES staff(id),
    -- Where a branch consultation is held (the advisor's branch).
    branch_id       BIGINT  NOT NULL REFERENCES branches(id),
    purpose         TEXT    NOT NULL CHECK (purpose IN ('wealth_planning', 'loan', 'pension', 'insurance', 'complaint_follow_up')),
    channel         TEXT    NOT NULL CHECK (channel IN ('branch', 'phone', 'video')),
    starts_at       BIGINT  NOT NULL,
    ends_at         BIGINT  NOT NULL,
    -- The advisor is taken until here (the end plus the buffer): the overlap rule
    -- below is on [starts_at, busy_until).
    busy_until      BIGINT  NOT NULL,
    status          TEXT    NOT NULL DEFAULT 'booked' CHECK (status IN ('booked', 'cancelled', 'held', 'no_show')),
    -- What the customer would like to talk about (optional).
    topic_note      TEXT    NOT NULL DEFAULT '',
    cancelled_by    TEXT    CHECK (cancelled_by IN ('customer', 'staff')),
    cancel_reason   TEXT,
    -- The summary the advisor shares with the customer after the consultation.
    summary         TEXT,
    -- iCalendar SEQUENCE: raised at every move or cancellation.
    sequence        BIGINT  NOT NULL DEFAULT 0,
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL,
    CHECK (ends_at > starts_at AND busy_until >= ends_at)
);
CREATE INDEX bookings_customer ON bookings(customer_id, starts_at);
CREATE INDEX bookings_advisor ON bookings(advisor_id, starts_at);

-- One advisor, at most one active booking at any instant. SQLite runs one writer
-- at a time, so a check inside the writing statement is race-free; PostgreSQL
-- has an exclusion constraint instead (its 0006).
CREATE TRIGGER bookings_no_overlap_insert BEFORE INSERT ON bookings WHEN NEW.status <> 'cancelled'
BEGIN
    SELECT RAISE(ABORT, 'bookings_no_overlap')
    WHERE EXISTS (SELECT 1 FROM bookings b WHERE b.advisor_id = NEW.advisor_id AND b.status <> 'cancelled'
                  AND b.starts_at < NEW.busy_until AND NEW.starts_at < b.busy_until);
END;
CREATE TRIGGER bookings_no_overlap_update BEFORE UPDATE OF advisor_id, starts_at, busy_until, status ON bookings
WHEN NEW.status <> 'cancelled'
BEGIN
    SELECT RAISE(ABORT, 'bookings_no_overlap')
    WHERE EXISTS (SELECT 1 FROM bookings b WHERE b.id <> NEW.id AND b.advisor_id = NEW.advisor_id
                  AND b.status <> 'cancelled' AND b.starts_at < NEW.busy_until AND NEW.starts_at < b.busy_until);
END;

-- The advisor's internal notes on a booking: never part of a customer's response.
CREATE TABLE booking_notes (
    id          INTEGER PRIMARY KEY,
    booking_id  BIGINT  NOT NULL REFERENCES bookings(id),
    staff_id    BIGINT  NOT NULL REFERENCES staff(id),
    body        TEXT    NOT NULL CHECK (length(body) BETWEEN 1 AND 4000),
    created_at  BIGINT  NOT NULL
);
CREATE INDEX booking_notes_booking ON booking_notes(booking_id);

-- Reminders 24 hours and 1 hour before. A move or a cancellation cancels the
-- unsent ones (and a move schedules new ones); the job sends what is due.
CREATE TABLE booking_reminders (
    id            INTEGER PRIMARY KEY,
    booking_id    BIGINT  NOT NULL REFERENCES bookings(id),
    kind          TEXT    NOT NULL CHECK (kind IN ('day_before', 'hour_before')),
    due_at        BIGINT  NOT NULL,
    sent_at       BIGINT,
    cancelled_at  BIGINT
);
CREATE INDEX booking_reminders_due ON booking_reminders(due_at) WHERE sent_at IS NULL AND cancelled_at IS NULL;
CREATE INDEX booking_reminders_booking ON booking_reminders(booking_id);
