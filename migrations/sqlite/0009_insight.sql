-- Customer insight: segments by assets under management, dormant accounts and
-- empty cards, effective customers, explained recommendations, and the
-- account-closure request. Same rules as before: ids BIGINT, times BIGINT UTC
-- microseconds, dates TEXT 'YYYY-MM-DD', months TEXT 'YYYY-MM', money BIGINT fen.
-- Mirrored in migrations/postgres.

-- Adding a request kind means a new CHECK, which SQLite changes only by rebuilding
-- the table, and service_requests references it. Inside the migration's transaction
-- the references are checked at commit (deferred), by which time every kind is back.
PRAGMA defer_foreign_keys = ON;

-- A customer may ask to close a zero-balance account (an empty card, say).
CREATE TABLE service_request_types_before AS SELECT kind, priority, target_minutes FROM service_request_types;
DROP TABLE service_request_types;
CREATE TABLE service_request_types (
    kind                  TEXT    PRIMARY KEY CHECK (kind IN ('card_lost', 'card_freeze', 'card_unfreeze',
                                  'contact_change', 'complaint', 'dispute', 'certificate', 'statement',
                                  'reactivate', 'account_close', 'general')),
    priority              TEXT    NOT NULL CHECK (priority IN ('urgent', 'high', 'normal', 'low')),
    target_minutes        BIGINT  NOT NULL CHECK (target_minutes > 0)
);
INSERT INTO service_request_types (kind, priority, target_minutes)
    SELECT kind, priority, target_minutes FROM service_request_types_before;
DROP TABLE service_request_types_before;
INSERT INTO service_request_types (kind, priority, target_minutes) VALUES ('account_close', 'normal', 960);

-- What the recommendation rules may use, and the customer's own choice.
-- Marketing is on until the customer turns it off (the bank's terms); when off,
-- no recommendation is shown to them or put on a relationship manager's lead list.
ALTER TABLE customers ADD COLUMN marketing_ok INTEGER NOT NULL DEFAULT 1 CHECK (marketing_ok IN (0, 1));
ALTER TABLE customers ADD COLUMN marketing_changed_at BIGINT;
-- The latest risk assessment (风险测评): C1 (conservative) … C5 (aggressive), and
-- its day; none, or one older than the settings allow, means no wealth product.
ALTER TABLE customers ADD COLUMN risk_level BIGINT CHECK (risk_level BETWEEN 1 AND 5);
ALTER TABLE customers ADD COLUMN risk_assessed_on TEXT;
ALTER TABLE customers ADD COLUMN area TEXT NOT NULL DEFAULT 'urban' CHECK (area IN ('urban', 'county', 'rural'));
ALTER TABLE customers ADD COLUMN occupation TEXT NOT NULL DEFAULT 'other'
    CHECK (occupation IN ('salaried', 'farmer', 'business', 'retired', 'student', 'other'));
-- When the customer left the bank (status 'closed'): "lost customers" per period.
ALTER TABLE customers ADD COLUMN closed_at BIGINT;
CREATE INDEX customers_created ON customers(created_at);

-- A wealth product's risk rating: R1 (lowest) … R5. A customer sees a product only
-- when their assessed level is at least the product's.
ALTER TABLE products ADD COLUMN risk_level BIGINT CHECK (risk_level BETWEEN 1 AND 5);

-- The dormant-on day a reminder was sent for: activity moves that day, so a later
-- approach is reminded again; the same approach never twice.
ALTER TABLE accounts ADD COLUMN dormancy_reminded_on TEXT;

-- The empty-card rule looks a card up by its account, for every account at once.
CREATE INDEX cards_account ON cards(account_id);

-- The rules' settings: one row, changed by the bank without a release.
CREATE TABLE insight_settings (
    id                       BIGINT  PRIMARY KEY CHECK (id = 1),
    -- A demand account with no customer-initiated movement for this long is dormant
    -- (睡眠户: five years by the regulator's definition) ...
    dormant_after_months     BIGINT  NOT NULL CHECK (dormant_after_months > 0),
    -- ... and approaching dormancy (the customer is reminded) this long before.
    dormant_warn_months      BIGINT  NOT NULL CHECK (dormant_warn_months >= 0),
    -- A card whose account holds nothing and has not been used for this long is empty.
    empty_card_months        BIGINT  NOT NULL CHECK (empty_card_months > 0),
    -- Segments use the average of the customer's assets at this many month-ends.
    rolling_months           BIGINT  NOT NULL CHECK (rolling_months BETWEEN 1 AND 24),
    -- Lower bounds of the segments above mass, in fen.
    affluent_from            BIGINT  NOT NULL CHECK (affluent_from > 0),
    high_end_from            BIGINT  NOT NULL CHECK (high_end_from > affluent_from),
    private_from             BIGINT  NOT NULL CHECK (private_from > high_end_from),
    -- Recommendation rules: an idle demand balance at least this large ...
    idle_balance_from        BIGINT  NOT NULL CHECK (idle_balance_from > 0),
    -- ... a deposit maturing within this many days ...
    maturing_within_days     BIGINT  NOT NULL CHECK (maturing_within_days > 0),
    -- ... salary credits within this many days ...
    salary_lookback_days     BIGINT  NOT NULL CHECK (salary_lookback_days > 0),
    -- ... a risk assessment no older than this ...
    risk_valid_months        BIGINT  NOT NULL CHECK (risk_valid_months > 0),
    -- ... and at most this many shown to a customer at once.
    max_recommendations      BIGINT  NOT NULL CHECK (max_recommendations BETWEEN 1 AND 10)
);
INSERT INTO insight_settings VALUES (1, 60, 6, 12, 3, 5000000, 50000000, 600000000, 5000000, 30, 90, 12, 3);

-- One row per customer per month-end, written by the daily run on the month's last
-- day (and by the demo seed for past months): the history behind segments, their
-- movements and the dashboard's trends. Kept as taken: changing the thresholds
-- later does not rewrite history.
CREATE TABLE customer_months (
    month        TEXT    NOT NULL,
    customer_id  BIGINT  NOT NULL REFERENCES customers(id),
    branch_id    BIGINT  NOT NULL REFERENCES branches(id),
    -- Assets under management at the month-end: deposits + wealth + insurance cash value.
    aum          BIGINT  NOT NULL,
    deposits     BIGINT  NOT NULL,
    -- The segment of the rolling average of `aum` over `rolling_months` month-ends.
    segment      TEXT    NOT NULL CHECK (segment IN ('mass', 'affluent', 'high_end', 'private')),
    effective    INTEGER NOT NULL CHECK (effective IN (0, 1)),
    products     BIGINT  NOT NULL CHECK (products >= 0),
    PRIMARY KEY (month, customer_id)
);
CREATE INDEX customer_months_customer ON customer_months(customer_id, month);
CREATE INDEX customer_months_branch ON customer_months(month, branch_id);

-- "Not interested": a customer's dismissal of one recommendation (rule and product).
CREATE TABLE recommendation_dismissals (
    customer_id   BIGINT  NOT NULL REFERENCES customers(id),
    rule          TEXT    NOT NULL CHECK (length(rule) BETWEEN 1 AND 40),
    product_code  TEXT    NOT NULL,
    dismissed_at  BIGINT  NOT NULL,
    PRIMARY KEY (customer_id, rule, product_code)
);

