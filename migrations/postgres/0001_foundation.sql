-- Foundation: outlets, customers, staff and the bank's product catalogue.
-- Same schema as migrations/sqlite, in PostgreSQL's dialect.

CREATE TABLE branches (
    id          BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code        TEXT    NOT NULL UNIQUE,
    name_zh     TEXT    NOT NULL,
    name_en     TEXT    NOT NULL,
    address_zh  TEXT    NOT NULL,
    address_en  TEXT    NOT NULL,
    phone       TEXT    NOT NULL,
    hours_zh    TEXT    NOT NULL,
    hours_en    TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL
);

CREATE TABLE customers (
    id              BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_no     TEXT    NOT NULL UNIQUE,
    full_name       TEXT    NOT NULL,
    id_number_tail  TEXT    NOT NULL CHECK (length(id_number_tail) = 6),
    phone           TEXT    NOT NULL,
    branch_id       BIGINT  NOT NULL REFERENCES branches(id),
    status          TEXT    NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'locked', 'closed')),
    created_at      BIGINT  NOT NULL
);
CREATE INDEX customers_branch ON customers(branch_id);

CREATE TABLE staff (
    id          BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    staff_no    TEXT    NOT NULL UNIQUE,
    full_name   TEXT    NOT NULL,
    role        TEXT    NOT NULL CHECK (role IN ('agent', 'advisor', 'supervisor', 'admin')),
    branch_id   BIGINT  NOT NULL REFERENCES branches(id),
    status      TEXT    NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    created_at  BIGINT  NOT NULL
);

CREATE TABLE products (
    code        TEXT    PRIMARY KEY,
    kind        TEXT    NOT NULL CHECK (kind IN ('demand_deposit', 'time_deposit', 'installment_savings',
                        'notice_deposit', 'credit_card', 'loan', 'wealth_fund', 'insurance')),
    name_zh     TEXT    NOT NULL,
    name_en     TEXT    NOT NULL,
    rate_bp     BIGINT,
    term_months BIGINT,
    active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
);
