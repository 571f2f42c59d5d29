-- Bank cards, so a customer can be identified by card number (enrollment, reset).
-- The ledger links each debit card to its demand account.
CREATE TABLE cards (
    id           INTEGER PRIMARY KEY,
    customer_id  BIGINT  NOT NULL REFERENCES customers(id),
    card_no      TEXT    NOT NULL UNIQUE CHECK (length(card_no) BETWEEN 16 AND 19),
    kind         TEXT    NOT NULL CHECK (kind IN ('debit', 'credit')),
    status       TEXT    NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'frozen', 'lost', 'closed')),
    created_at   BIGINT  NOT NULL
);
CREATE INDEX cards_customer ON cards(customer_id);
