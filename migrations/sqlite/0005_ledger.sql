-- Accounts and the ledger. Money in minor units (fen); dates the bank's local
-- calendar day as 'YYYY-MM-DD'; times UTC microseconds.
--
-- Sign convention: a posting's amount is signed from the account holder's side.
-- A deposit's balance is what the bank owes the customer (never below zero); a
-- credit card's or loan's balance is negative while the customer owes. The bank's
-- own (internal) accounts take the other side, so every journal sums to zero.

-- The relationship manager of a mid/high-end customer, where one is assigned.
ALTER TABLE customers ADD COLUMN relationship_manager_id BIGINT REFERENCES staff(id);

CREATE TABLE accounts (
    id                INTEGER PRIMARY KEY,
    account_no        TEXT    NOT NULL UNIQUE,
    -- NULL for the bank's internal accounts (cash, interest expense, clearing).
    customer_id       BIGINT  REFERENCES customers(id),
    product_code      TEXT    REFERENCES products(code),
    kind              TEXT    NOT NULL CHECK (kind IN ('demand_deposit', 'time_deposit', 'installment_savings',
                              'notice_deposit', 'credit_card', 'loan', 'internal')),
    -- Type I/II/III (demand deposits only): decides the daily and yearly payment limits.
    tier              BIGINT  CHECK (tier IN (1, 2, 3)),
    status            TEXT    NOT NULL DEFAULT 'active'
                              CHECK (status IN ('active', 'dormant', 'frozen', 'closed')),
    currency          TEXT    NOT NULL DEFAULT 'CNY' CHECK (currency = 'CNY'),
    -- Kept in step with the postings by the trigger below; never written directly.
    balance           BIGINT  NOT NULL DEFAULT 0,
    -- A credit card's limit; 0 for everything else.
    credit_limit      BIGINT  NOT NULL DEFAULT 0 CHECK (credit_limit >= 0),
    -- Annual rate in basis points, fixed at opening (deposits, loans).
    rate_bp           BIGINT  CHECK (rate_bp >= 0),
    term_months       BIGINT  CHECK (term_months > 0),
    -- Time deposits and installment savings: when the term ends, and what happens then.
    maturity_date     TEXT,
    at_maturity       TEXT    CHECK (at_maturity IN ('renew', 'pay_out')),
    -- Where maturity pay-outs, notice withdrawals and repayments go from or to.
    linked_account_id BIGINT  REFERENCES accounts(id),
    -- Time deposit principal at (re)opening; loan amount lent.
    original_amount   BIGINT,
    -- Installment savings: the agreed monthly deposit.
    monthly_amount    BIGINT  CHECK (monthly_amount > 0),
    notice_days       BIGINT  CHECK (notice_days IN (1, 7)),
    -- Credit card statement and loan instalment: the amount due and by when.
    statement_balance BIGINT,
    minimum_payment   BIGINT,
    due_date          TEXT,
    -- Demand interest is paid on the sum of daily closing balances (积数) since the
    -- last payment; `accrued_through` is the last day added, so a re-run adds nothing.
    accrual_base      BIGINT  NOT NULL DEFAULT 0,
    accrued_through   TEXT,
    -- The last customer-initiated movement, for dormancy.
    last_activity_on  TEXT,
    opened_on         TEXT    NOT NULL,
    opened_at         BIGINT  NOT NULL,
    closed_at         BIGINT,
    CONSTRAINT accounts_customer_or_internal CHECK ((kind = 'internal') = (customer_id IS NULL)),
    -- No deposit below zero and no card beyond its limit, whatever runs at the same time.
    CONSTRAINT accounts_no_overdraft CHECK (kind IN ('internal', 'loan') OR balance + credit_limit >= 0)
);
CREATE INDEX accounts_customer ON accounts(customer_id);
CREATE INDEX accounts_maturity ON accounts(maturity_date);

ALTER TABLE cards ADD COLUMN account_id BIGINT REFERENCES accounts(id);

CREATE TABLE fund_holdings (
    id              INTEGER PRIMARY KEY,
    customer_id     BIGINT  NOT NULL REFERENCES customers(id),
    product_code    TEXT    NOT NULL REFERENCES products(code),
    -- Units to three decimals (units × 1000) and the net asset value per unit to
    -- four decimals of a yuan (NAV × 10000), as fund statements print them.
    units_milli     BIGINT  NOT NULL CHECK (units_milli >= 0),
    nav_e4          BIGINT  NOT NULL CHECK (nav_e4 > 0),
    nav_date        TEXT    NOT NULL,
    -- What the customer paid in, in fen.
    cost            BIGINT  NOT NULL CHECK (cost >= 0),
    created_at      BIGINT  NOT NULL
);
CREATE INDEX fund_holdings_customer ON fund_holdings(customer_id);

CREATE TABLE insurance_policies (
    id              INTEGER PRIMARY KEY,
    customer_id     BIGINT  NOT NULL REFERENCES customers(id),
    product_code    TEXT    NOT NULL REFERENCES products(code),
    policy_no       TEXT    NOT NULL UNIQUE,
    insurer_zh      TEXT    NOT NULL,
    insurer_en      TEXT    NOT NULL,
    sum_insured     BIGINT  NOT NULL,
    annual_premium  BIGINT  NOT NULL,
    cash_value      BIGINT  NOT NULL,
    start_date      TEXT    NOT NULL,
    end_date        TEXT    NOT NULL,
    created_at      BIGINT  NOT NULL
);
CREATE INDEX insurance_policies_customer ON insurance_policies(customer_id);

CREATE TABLE journal_entries (
    id          INTEGER PRIMARY KEY,
    kind        TEXT    NOT NULL CHECK (kind IN ('transfer', 'deposit_open', 'interest', 'maturity', 'salary',
                        'bill', 'card_spend', 'card_repayment', 'loan_disbursement', 'loan_instalment', 'cash',
                        'installment', 'notice_withdrawal', 'early_withdrawal')),
    -- A natural key for system work (e.g. 'interest:2026-12-21:42'): a job that
    -- runs twice for one day finds its entry already there.
    ref         TEXT    UNIQUE,
    memo        TEXT    NOT NULL DEFAULT '',
    -- The bank's business day the entry belongs to.
    value_date  TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL
);

CREATE TABLE postings (
    id            INTEGER PRIMARY KEY,
    journal_id    BIGINT  NOT NULL REFERENCES journal_entries(id),
    account_id    BIGINT  NOT NULL REFERENCES accounts(id),
    amount        BIGINT  NOT NULL CHECK (amount <> 0),
    -- The account's balance after this posting (statements, the balance chart);
    -- checked against the account by the trigger below.
    balance_after BIGINT  NOT NULL,
    -- The other side as the account holder sees it: payee, payer or merchant.
    counterparty  TEXT    NOT NULL DEFAULT '',
    value_date    TEXT    NOT NULL,
    created_at    BIGINT  NOT NULL
);
CREATE INDEX postings_account ON postings(account_id, id);
CREATE INDEX postings_journal ON postings(journal_id);
-- History by date (filters, statements, the 90-day chart) without reading years of rows.
CREATE INDEX postings_account_day ON postings(account_id, value_date);

CREATE TABLE payees (
    id            INTEGER PRIMARY KEY,
    customer_id   BIGINT  NOT NULL REFERENCES customers(id),
    account_no    TEXT    NOT NULL,
    holder_name   TEXT    NOT NULL,
    nickname      TEXT    NOT NULL DEFAULT '',
    created_at    BIGINT  NOT NULL,
    last_used_at  BIGINT,
    UNIQUE (customer_id, account_no)
);

CREATE TABLE transfers (
    id              INTEGER PRIMARY KEY,
    receipt_no      TEXT    NOT NULL UNIQUE,
    customer_id     BIGINT  NOT NULL REFERENCES customers(id),
    from_account_id BIGINT  NOT NULL REFERENCES accounts(id),
    to_account_id   BIGINT  NOT NULL REFERENCES accounts(id),
    payee_name      TEXT    NOT NULL,
    amount          BIGINT  NOT NULL CHECK (amount > 0),
    memo            TEXT    NOT NULL DEFAULT '',
    -- Payments to others count against the tier's limits; moves between one's own accounts do not.
    counts_to_limit INTEGER NOT NULL CHECK (counts_to_limit IN (0, 1)),
    local_date      TEXT    NOT NULL,
    journal_id      BIGINT  NOT NULL UNIQUE REFERENCES journal_entries(id),
    created_at      BIGINT  NOT NULL
);
CREATE INDEX transfers_limits ON transfers(from_account_id, local_date);
CREATE INDEX transfers_customer ON transfers(customer_id, id);

-- Every money-moving request names a key; the first answer is kept with a hash of
-- the request, so a replay gets the same answer and a reused key with other
-- content is refused.
CREATE TABLE idempotency_keys (
    customer_id   BIGINT  NOT NULL REFERENCES customers(id),
    idem_key      TEXT    NOT NULL CHECK (length(idem_key) BETWEEN 16 AND 64),
    operation     TEXT    NOT NULL,
    request_hash  TEXT    NOT NULL,
    response      TEXT    NOT NULL,
    created_at    BIGINT  NOT NULL,
    PRIMARY KEY (customer_id, idem_key)
);

-- Notice given on a notice deposit: paid out to the linked account on `due_on`.
CREATE TABLE deposit_notices (
    id          INTEGER PRIMARY KEY,
    account_id  BIGINT  NOT NULL REFERENCES accounts(id),
    amount      BIGINT  NOT NULL CHECK (amount > 0),
    given_on    TEXT    NOT NULL,
    due_on      TEXT    NOT NULL,
    status      TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'paid', 'cancelled')),
    created_at  BIGINT  NOT NULL
);
CREATE INDEX deposit_notices_due ON deposit_notices(status, due_on);

-- The bank's own side of every movement (see app/src/backend/ledger/internal.rs).
INSERT INTO accounts (account_no, kind, opened_on, opened_at) VALUES
    ('9000000000000000001', 'internal', '2026-01-01', 0),
    ('9000000000000000002', 'internal', '2026-01-01', 0),
    ('9000000000000000003', 'internal', '2026-01-01', 0),
    ('9000000000000000004', 'internal', '2026-01-01', 0),
    ('9000000000000000005', 'internal', '2026-01-01', 0);

-- One row per business day the daily job has finished.
CREATE TABLE daily_runs (
    run_date     TEXT    PRIMARY KEY,
    finished_at  BIGINT  NOT NULL
);

-- A posting moves its account's balance in the same statement, so the balance is
-- always the sum of the postings; `balance_after` must agree.
CREATE TRIGGER postings_apply AFTER INSERT ON postings
BEGIN
    UPDATE accounts SET balance = balance + NEW.amount WHERE id = NEW.account_id;
    SELECT RAISE(ABORT, 'postings: balance_after does not match the account')
    WHERE (SELECT balance FROM accounts WHERE id = NEW.account_id) <> NEW.balance_after;
END;

-- Posted rows are history: the database refuses to change or remove them.
CREATE TRIGGER postings_no_update BEFORE UPDATE ON postings
BEGIN
    SELECT RAISE(ABORT, 'postings are append-only');
END;
CREATE TRIGGER postings_no_delete BEFORE DELETE ON postings
BEGIN
    SELECT RAISE(ABORT, 'postings are append-only');
END;
CREATE TRIGGER journal_entries_no_update BEFORE UPDATE ON journal_entries
BEGIN
    SELECT RAISE(ABORT, 'journal entries are append-only');
END;
CREATE TRIGGER journal_entries_no_delete BEFORE DELETE ON journal_entries
BEGIN
    SELECT RAISE(ABORT, 'journal entries are append-only');
END;
CREATE TRIGGER transfers_no_update BEFORE UPDATE ON transfers
BEGIN
    SELECT RAISE(ABORT, 'transfers are append-only');
END;
CREATE TRIGGER transfers_no_delete BEFORE DELETE ON transfers
BEGIN
    SELECT RAISE(ABORT, 'transfers are append-only');
END;
-- `INSERT OR REPLACE` deletes without firing delete triggers: refuse a replacing insert.
CREATE TRIGGER postings_no_replace BEFORE INSERT ON postings
WHEN EXISTS (SELECT 1 FROM postings WHERE id = NEW.id)
BEGIN
    SELECT RAISE(ABORT, 'postings are append-only');
END;
-- By id only: a clash on `ref` must stay a conflict for `ON CONFLICT (ref) DO NOTHING`
-- (a BEFORE trigger runs before the conflict clause is looked at, so raising here would
-- turn a re-run job's "already posted" into an error). Replacing an entry by its `ref`
-- is stopped by the foreign key its postings hold on it.
CREATE TRIGGER journal_entries_no_replace BEFORE INSERT ON journal_entries
WHEN EXISTS (SELECT 1 FROM journal_entries WHERE id = NEW.id)
BEGIN
    SELECT RAISE(ABORT, 'journal entries are append-only');
END;
CREATE TRIGGER transfers_no_replace BEFORE INSERT ON transfers
WHEN EXISTS (SELECT 1 FROM transfers WHERE id = NEW.id OR receipt_no = NEW.receipt_no OR journal_id = NEW.journal_id)
BEGIN
    SELECT RAISE(ABORT, 'transfers are append-only');
END;
-- The balance moves only through postings: it may only become the balance its latest
-- posting left (inside postings_apply, that is the posting being applied). Any other
-- UPDATE is refused, also one repeating the latest posting's amount.
CREATE TRIGGER accounts_balance_only_by_postings BEFORE UPDATE OF balance ON accounts
WHEN NEW.balance IS NOT (SELECT balance_after FROM postings WHERE account_id = NEW.id ORDER BY id DESC LIMIT 1)
BEGIN
    SELECT RAISE(ABORT, 'accounts.balance changes only by posting');
END;
