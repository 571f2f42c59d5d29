//! The insight rules as SQL, for counting and listing many customers at once on
//! both backends. Each fragment mirrors a pure rule in `types::insight`; the
//! boundary tests run both on the same constructed data.
//!
//! Cut-off days are inlined as literals: a `Day` prints only `YYYY-MM-DD`, so there
//! is nothing to escape, and fragments compose without renumbering placeholders.
use crate::types::{Day, InsightSettings};

/// The deposit kinds whose positive balances count as assets under management.
pub const DEPOSIT_KINDS: &str = "('demand_deposit', 'time_deposit', 'installment_savings', 'notice_deposit')";

/// The rules' days for one "today".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cutoffs {
    pub today: Day,
    /// Last movement on or before: dormant.
    pub dormant: Day,
    /// Last movement on or before (and after `dormant`): approaching dormancy.
    pub warn: Day,
    /// Zero balance and last use on or before: an empty card.
    pub empty: Day,
}

impl Cutoffs {
    pub fn new(settings: &InsightSettings, today: Day) -> Cutoffs {
        Cutoffs {
            today,
            dormant: settings.dormant_cutoff(today),
            warn: if settings.dormant_warn_months == 0 {
                settings.dormant_cutoff(today)
            } else {
                settings.warn_cutoff(today)
            },
            empty: settings.empty_cutoff(today),
        }
    }
}

/// The day an account last moved by the customer's hand (its opening if never).
pub fn last_use(a: &str) -> String {
    format!("COALESCE({a}.last_activity_on, {a}.opened_on)")
}

/// Account `a` is a dormant demand account: marked so by the daily run, or past
/// the cut-off and not yet marked.
pub fn dormant_sql(a: &str, c: &Cutoffs) -> String {
    format!(
        "({a}.kind = 'demand_deposit' AND {a}.status <> 'closed' AND ({a}.status = 'dormant' OR {} <= '{}'))",
        last_use(a),
        c.dormant
    )
}

/// Account `a` is an active demand account approaching dormancy.
pub fn dormant_soon_sql(a: &str, c: &Cutoffs) -> String {
    format!(
        "({a}.kind = 'demand_deposit' AND {a}.status IN ('active', 'frozen') AND {lu} > '{}' AND {lu} <= '{}')",
        c.dormant,
        c.warn,
        lu = last_use(a)
    )
}

/// Account `a` is behind a card (debit or credit) that is an empty card: nothing
/// in it and no use since the cut-off.
pub fn empty_card_sql(a: &str, c: &Cutoffs) -> String {
    format!(
        "({a}.status <> 'closed' AND {a}.balance = 0 AND {} <= '{}' \
         AND EXISTS (SELECT 1 FROM cards k WHERE k.account_id = {a}.id AND k.status <> 'closed'))",
        last_use(a),
        c.empty
    )
}

/// Account `a` keeps its holder effective: open, not dormant, not an empty card.
pub fn live_account_sql(a: &str, c: &Cutoffs) -> String {
    format!(
        "({a}.customer_id IS NOT NULL AND {a}.status <> 'closed' AND NOT {} AND NOT {})",
        dormant_sql(a, c),
        empty_card_sql(a, c)
    )
}

/// The ids (`customer_id`) of customers holding at least one live product: an
/// account per [`live_account_sql`], a fund holding with units, an insurance policy
/// in force. The caller leaves out closed customers.
pub fn live_holders_sql(c: &Cutoffs) -> String {
    format!(
        "SELECT a.customer_id AS customer_id FROM accounts a WHERE {} \
         UNION SELECT f.customer_id FROM fund_holdings f WHERE f.units_milli > 0 \
         UNION SELECT i.customer_id FROM insurance_policies i WHERE i.end_date >= '{}'",
        live_account_sql("a", c),
        c.today
    )
}

/// Customer `cu`'s assets under management now, in fen (a BIGINT on both backends:
/// PostgreSQL's SUM of BIGINT is NUMERIC): positive deposit balances,
/// fund values (rounded half-up per holding, as the overview does) and insurance
/// cash values.
pub fn aum_sql(cu: &str) -> String {
    format!(
        "CAST(COALESCE((SELECT SUM(a.balance) FROM accounts a WHERE a.customer_id = {cu}.id \
            AND a.kind IN {DEPOSIT_KINDS} AND a.status <> 'closed' AND a.balance > 0), 0) \
         + COALESCE((SELECT SUM((f.units_milli * f.nav_e4 + 50000) / 100000) FROM fund_holdings f \
            WHERE f.customer_id = {cu}.id), 0) \
         + COALESCE((SELECT SUM(i.cash_value) FROM insurance_policies i WHERE i.customer_id = {cu}.id), 0) AS BIGINT)"
    )
}

/// Customer `cu`'s deposits now (positive deposit balances), in fen.
pub fn deposits_sql(cu: &str) -> String {
    format!(
        "CAST(COALESCE((SELECT SUM(a.balance) FROM accounts a WHERE a.customer_id = {cu}.id \
            AND a.kind IN {DEPOSIT_KINDS} AND a.status <> 'closed' AND a.balance > 0), 0) AS BIGINT)"
    )
}

/// A `CASE` giving the segment of the AUM expression `aum` under `settings`.
pub fn segment_case_sql(aum: &str, s: &InsightSettings) -> String {
    format!(
        "(CASE WHEN {aum} >= {} THEN 'private' WHEN {aum} >= {} THEN 'high_end' WHEN {aum} >= {} THEN 'affluent' \
         ELSE 'mass' END)",
        s.private_from, s.high_end_from, s.affluent_from
    )
}
