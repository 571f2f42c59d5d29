//! The products and six months of history of one customer (or of two customers who
//! send each other money), planned in memory before anything is written.
//!
//! Everything follows from the customer number and the bank's calendar day, so a
//! plan is the same on every run. Events are replayed in time order with running
//! balances: a deposit never goes below zero, a card never beyond its limit, the
//! amounts that depend on the past (card statements and repayments, demand interest
//! on the daily balances) are computed as they fall due, and the opening cash is
//! raised until every payment the customer makes is covered.
use super::names::*;
use super::rng::Rng;
use super::{demo_customer, BENCH_CUSTOMER};
use crate::types::card::with_luhn_check_digit;
use crate::types::Day;

/// The bank's internal accounts, in the order [`Side::Bank`] indexes them.
pub(super) const INTERNALS: [crate::backend::ledger::internal::Internal; 5] = {
    use crate::backend::ledger::internal::Internal::*;
    [Clearing, InterestExpense, InterestIncome, CardSettlement, LoanFunding]
};
pub(super) const CLEARING: Side = Side::Bank(0);
pub(super) const INTEREST_EXPENSE: Side = Side::Bank(1);
pub(super) const INTEREST_INCOME: Side = Side::Bank(2);
pub(super) const CARD_SETTLEMENT: Side = Side::Bank(3);
pub(super) const LOAN_FUNDING: Side = Side::Bank(4);

/// Whose account a line moves: one planned in this plan, or one of the bank's own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Side {
    Own(usize),
    Bank(usize),
}

/// An account as it will be inserted (balance aside: postings make it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct PlannedAccount {
    pub customer: u32,
    pub account_no: String,
    pub product_code: &'static str,
    pub kind: &'static str,
    pub tier: Option<i64>,
    pub status: &'static str,
    pub credit_limit: i64,
    pub rate_bp: Option<i64>,
    pub term_months: Option<i64>,
    pub maturity_date: Option<Day>,
    pub at_maturity: Option<&'static str>,
    pub linked: Option<usize>,
    pub original_amount: Option<i64>,
    pub monthly_amount: Option<i64>,
    pub notice_days: Option<i64>,
    pub statement_balance: Option<i64>,
    pub minimum_payment: Option<i64>,
    pub due_date: Option<Day>,
    pub accrued_through: Option<Day>,
    pub last_activity_on: Option<Day>,
    pub opened_on: Day,
    /// A credit card's card number (its `cards` row).
    pub card_no: Option<String>,
}

impl PlannedAccount {
    pub(super) fn new(
        customer: u32,
        account_no: String,
        product_code: &'static str,
        kind: &'static str,
        opened_on: Day,
    ) -> Self {
        PlannedAccount {
            customer,
            account_no,
            product_code,
            kind,
            tier: None,
            status: "active",
            credit_limit: 0,
            rate_bp: None,
            term_months: None,
            maturity_date: None,
            at_maturity: None,
            linked: None,
            original_amount: None,
            monthly_amount: None,
            notice_days: None,
            statement_balance: None,
            minimum_payment: None,
            due_date: None,
            accrued_through: None,
            last_activity_on: None,
            opened_on,
            card_no: None,
        }
    }

    pub(super) fn demand(customer: u32, account_no: String, tier: i64, opened_on: Day) -> Self {
        PlannedAccount {
            tier: Some(tier),
            rate_bp: Some(10),
            ..PlannedAccount::new(customer, account_no, "DD-CNY", "demand_deposit", opened_on)
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Line {
    pub side: Side,
    pub amount: i64,
    pub counterparty: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Journal {
    pub kind: &'static str,
    pub reference: String,
    pub memo: String,
    pub value_date: Day,
    /// Seconds after the start of the value date (bank time) it happened.
    pub secs: u32,
    pub lines: Vec<Line>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Fund {
    pub customer: u32,
    pub units_milli: i64,
    pub nav_e4: i64,
    pub nav_date: Day,
    pub cost: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Policy {
    pub customer: u32,
    pub policy_no: String,
    pub insurer: (&'static str, &'static str),
    pub sum_insured: i64,
    pub annual_premium: i64,
    pub cash_value: i64,
    pub start_date: Day,
    pub end_date: Day,
}

/// What one or more customers get; `journals` are in posting order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Plan {
    pub accounts: Vec<PlannedAccount>,
    pub journals: Vec<Journal>,
    pub funds: Vec<Fund>,
    pub policies: Vec<Policy>,
    /// (customer, staff number of the relationship manager)
    pub managers: Vec<(u32, &'static str)>,
}

impl Plan {
    /// Appends `other`, renumbering its accounts.
    pub fn append(&mut self, other: Plan) {
        let offset = self.accounts.len();
        let shift = |side: Side| match side {
            Side::Own(i) => Side::Own(i + offset),
            bank => bank,
        };
        self.accounts.extend(other.accounts.into_iter().map(|mut a| {
            a.linked = a.linked.map(|i| i + offset);
            a
        }));
        self.journals.extend(other.journals.into_iter().map(|mut j| {
            for line in &mut j.lines {
                line.side = shift(line.side);
            }
            j
        }));
        self.funds.extend(other.funds);
        self.policies.extend(other.policies);
        self.managers.extend(other.managers);
    }

    #[cfg(test)]
    pub fn postings(&self) -> usize {
        self.journals.iter().map(|j| j.lines.len()).sum()
    }
}

/// The 19-digit number of a customer's account: "60", a two-digit family, the
/// customer number, a sequence number and a Luhn check digit. (Cards start 62,
/// the bank's internal accounts 9.)
pub fn account_no(family: u32, customer: u32, seq: u32) -> String {
    with_luhn_check_digit(&format!("60{family:02}{customer:09}{seq:05}"))
}

/// The customer's credit card number (UnionPay-style 6258 prefix, Luhn check digit).
pub fn credit_card_no(customer: u32) -> String {
    with_luhn_check_digit(&format!("625899{customer:09}"))
}

pub(super) const FAMILY_DEMAND_I: u32 = 10;
pub(super) const FAMILY_DEMAND_SMALL: u32 = 11;
pub(super) const FAMILY_TIME: u32 = 20;
pub(super) const FAMILY_INSTALLMENT: u32 = 30;
pub(super) const FAMILY_NOTICE: u32 = 40;
pub(super) const FAMILY_LOAN: u32 = 60;

/// Dormant customers: one small deposit years ago and nothing since.
pub fn is_dormant(n: u32) -> bool {
    n > 2 && n.is_multiple_of(97)
}

/// Empty cards: an account opened years ago that never held money.
pub fn is_empty_card(n: u32) -> bool {
    n > 2 && n.is_multiple_of(89) && !is_dormant(n)
}

pub(super) fn yuan(y: i64) -> i64 {
    y * 100
}

/// Whole days from `from` to `to`, as used for accrual.
pub(super) fn days(from: Day, to: Day) -> i64 {
    from.days_until(to)
}

/// The demand interest dates (the 21st of March, June, September, December): the
/// latest on or before `day`.
fn interest_date_on_or_before(day: Day) -> Day {
    for (year, month) in [(day.year(), 12), (day.year(), 9), (day.year(), 6), (day.year(), 3)] {
        if let Some(d) = Day::new(year, month, 21).filter(|d| *d <= day) {
            return d;
        }
    }
    Day::new(day.year().saturating_sub(1), 12, 21).unwrap_or(day)
}

/// Every day with day-of-month `dom` (clamped to the month's end) after `after` and
/// on or before `until`.
pub(super) fn monthly(after: Day, until: Day, dom: u8) -> Vec<Day> {
    let mut out = Vec::new();
    let mut month = Day::new(after.year(), after.month(), 1).unwrap_or(after);
    while month <= until {
        let last = crate::types::day::days_in_month(month.year(), month.month());
        if let Some(d) = Day::new(month.year(), month.month(), dom.min(last)) {
            if d > after && d <= until {
                out.push(d);
            }
        }
        month = month.plus_months(1);
    }
    out
}

/// `numerator / denominator` rounded half-up (both positive).
pub(super) fn div_half_up(numerator: i128, denominator: i128) -> i64 {
    i64::try_from((numerator * 2 + denominator) / (denominator * 2)).unwrap_or(i64::MAX)
}

pub(super) fn tail(number: &str) -> &str {
    &number[number.len().saturating_sub(4)..]
}

pub(super) fn mv(from: Side, to: Side, amount: i64, from_sees: String, to_sees: String) -> Vec<Line> {
    vec![
        Line { side: from, amount: -amount, counterparty: from_sees },
        Line { side: to, amount, counterparty: to_sees },
    ]
}

pub(super) enum Op {
    Fixed(Vec<Line>),
    /// The amount is the account's opening (raised until the customer's payments are covered).
    Opening {
        account: usize,
        from: Side,
        from_sees: String,
        to_sees: String,
    },
    Statement {
        card: usize,
    },
    Repay {
        card: usize,
        from: usize,
    },
    Interest {
        account: usize,
        holder: String,
    },
}

struct Event {
    day: Day,
    secs: u32,
    seq: u32,
    owner: u32,
    kind: &'static str,
    memo: &'static str,
    op: Op,
}

/// What a replay produced.
struct Replay {
    journals: Vec<(u32, Journal)>,
    lowest: Vec<i64>,
    last_activity: Vec<Option<Day>>,
    statements: Vec<Option<(Day, i64)>>,
}

pub(super) struct Builder {
    pub today: Day,
    pub yesterday: Day,
    pub accounts: Vec<PlannedAccount>,
    pub openings: Vec<i64>,
    /// What is left at the lowest point when an opening has to be raised.
    pub cushion: Vec<i64>,
    events: Vec<Event>,
    pub plan: Plan,
    seq: u32,
}

impl Builder {
    fn new(today: Day) -> Builder {
        Builder {
            today,
            yesterday: today.plus_days(-1),
            accounts: Vec::new(),
            openings: Vec::new(),
            cushion: Vec::new(),
            events: Vec::new(),
            plan: Plan::default(),
            seq: 0,
        }
    }

    pub(super) fn account(&mut self, mut account: PlannedAccount) -> usize {
        account.accrued_through = Some(self.yesterday);
        self.accounts.push(account);
        self.openings.push(0);
        self.cushion.push(yuan(200));
        self.accounts.len() - 1
    }

    /// Adds an event; those after yesterday have not happened yet and are left out.
    pub(super) fn event(&mut self, day: Day, secs: u32, owner: u32, kind: &'static str, memo: &'static str, op: Op) {
        if day > self.yesterday {
            return;
        }
        self.seq += 1;
        self.events.push(Event { day, secs, seq: self.seq, owner, kind, memo, op });
    }

    pub(super) fn fixed(
        &mut self,
        day: Day,
        secs: u32,
        owner: u32,
        kind: &'static str,
        memo: &'static str,
        lines: Vec<Line>,
    ) {
        self.event(day, secs, owner, kind, memo, Op::Fixed(lines));
    }

    /// Quarterly demand interest on `account` from `from` on.
    pub(super) fn interest(&mut self, account: usize, owner: u32, holder: &str, from: Day) {
        let mut day = interest_date_on_or_before(from);
        loop {
            day = interest_date_on_or_before(day.plus_days(95));
            if day > self.yesterday {
                break;
            }
            if day > from {
                self.event(
                    day,
                    1800,
                    owner,
                    "interest",
                    "活期存款结息",
                    Op::Interest { account, holder: holder.to_owned() },
                );
            }
        }
    }

    /// Replays the events in time order with `openings` as the opening amounts.
    /// `strict`: drop any movement that would overdraw (the final pass); otherwise
    /// let demand deposits go below zero and report how far (`lowest`).
    fn replay(&self, order: &[usize], openings: &[i64], strict: bool) -> Replay {
        let count = self.accounts.len();
        let mut balance = vec![0i64; count];
        let mut lowest = vec![0i64; count];
        let mut last_activity: Vec<Option<Day>> = vec![None; count];
        let mut statements: Vec<Option<(Day, i64)>> = vec![None; count];
        let mut accrued_to: Vec<Option<Day>> = vec![None; count];
        let mut accrual = vec![0i128; count];
        let mut journals = Vec::with_capacity(order.len());
        for &e in order {
            let ev = &self.events[e];
            let lines = match &ev.op {
                Op::Fixed(lines) => lines.clone(),
                Op::Opening { account, from, from_sees, to_sees } => {
                    if openings[*account] <= 0 {
                        continue;
                    }
                    mv(*from, Side::Own(*account), openings[*account], from_sees.clone(), to_sees.clone())
                }
                Op::Statement { card } => {
                    statements[*card] = Some((ev.day, (-balance[*card]).max(0)));
                    continue;
                }
                Op::Repay { card, from } => {
                    let owed = statements[*card].map_or(0, |(_, owed)| owed).min(-balance[*card]);
                    if owed <= 0 {
                        continue;
                    }
                    let card_no = &self.accounts[*card].account_no;
                    let from_no = &self.accounts[*from].account_no;
                    mv(
                        Side::Own(*from),
                        Side::Own(*card),
                        owed,
                        format!("信用卡还款 尾号{}", tail(card_no)),
                        format!("储蓄卡还款 尾号{}", tail(from_no)),
                    )
                }
                Op::Interest { account, holder } => {
                    let a = *account;
                    accrue(&mut accrual[a], &mut accrued_to[a], balance[a], ev.day);
                    let rate = i128::from(self.accounts[a].rate_bp.unwrap_or(0));
                    let interest = div_half_up(accrual[a] * rate, 10_000 * 360);
                    accrual[a] = 0;
                    if interest <= 0 {
                        continue;
                    }
                    mv(INTEREST_EXPENSE, Side::Own(a), interest, holder.clone(), "活期结息".to_owned())
                }
            };
            let fits = lines.iter().all(|line| match line.side {
                Side::Own(i) => {
                    let after = balance[i] + line.amount;
                    let account = &self.accounts[i];
                    match account.kind {
                        "loan" => true,
                        "credit_card" => after + account.credit_limit >= 0,
                        "demand_deposit" if !strict => true,
                        _ => after >= 0,
                    }
                }
                Side::Bank(_) => true,
            });
            if !fits {
                continue;
            }
            for line in &lines {
                if let Side::Own(i) = line.side {
                    if self.accounts[i].kind == "demand_deposit" {
                        accrue(&mut accrual[i], &mut accrued_to[i], balance[i], ev.day);
                    }
                    balance[i] += line.amount;
                    lowest[i] = lowest[i].min(balance[i]);
                    if ev.kind != "interest" {
                        last_activity[i] = Some(ev.day);
                    }
                }
            }
            let journal = Journal {
                kind: ev.kind,
                reference: String::new(),
                memo: ev.memo.to_owned(),
                value_date: ev.day,
                secs: ev.secs,
                lines,
            };
            journals.push((ev.owner, journal));
        }
        Replay { journals, lowest, last_activity, statements }
    }

    fn finish(mut self) -> Plan {
        let mut order: Vec<usize> = (0..self.events.len()).collect();
        order.sort_by_key(|&e| (self.events[e].day, self.events[e].secs, self.events[e].seq));
        // Raise the openings until no demand deposit dips below zero; an account
        // funded from another (Type II from Type I) passes its need on.
        let mut openings = self.openings.clone();
        for _ in 0..6 {
            let replay = self.replay(&order, &openings, false);
            let mut short = false;
            for (i, low) in replay.lowest.iter().enumerate() {
                if *low < 0 && self.accounts[i].kind == "demand_deposit" {
                    short = true;
                    openings[i] += -low + self.cushion[i];
                }
            }
            if !short {
                break;
            }
        }
        let replay = self.replay(&order, &openings, true);

        let mut counters: Vec<(u32, u32)> = Vec::new();
        for (owner, mut journal) in replay.journals {
            let k = match counters.iter_mut().find(|(o, _)| *o == owner) {
                Some((_, k)) => {
                    *k += 1;
                    *k
                }
                None => {
                    counters.push((owner, 1));
                    1
                }
            };
            journal.reference = format!("seed:{}:{k}", demo_customer(owner).customer_no);
            self.plan.journals.push(journal);
        }
        for (i, account) in self.accounts.iter_mut().enumerate() {
            account.last_activity_on = account.last_activity_on.or(replay.last_activity[i]).or(Some(account.opened_on));
            if account.kind == "credit_card" {
                let (day, owed) = replay.statements[i].unwrap_or((self.today, 0));
                let minimum = if owed == 0 { 0 } else { (div_half_up(i128::from(owed), 10)).max(yuan(100)).min(owed) };
                account.statement_balance = Some(owed);
                account.minimum_payment = Some(minimum);
                account.due_date = Some(day.plus_days(20));
            }
        }
        self.plan.accounts = self.accounts;
        self.plan
    }
}

/// Adds the closing balances of the days since the last change to the interest
/// base (积数). A stretch counts only from the latest interest date (interest was
/// paid up to there).
fn accrue(accrual: &mut i128, accrued_to: &mut Option<Day>, balance: i64, day: Day) {
    if let Some(from) = *accrued_to {
        let from = from.max(interest_date_on_or_before(day.plus_days(-1)));
        if from < day && balance > 0 {
            *accrual += i128::from(balance) * i128::from(days(from, day));
        }
    }
    *accrued_to = Some(day);
}

/// The plan of `members`: one customer, or two (n odd, n + 1) who send each other money.
pub(super) fn plan(members: &[u32], today: Day) -> Plan {
    let mut builder = Builder::new(today);
    let firsts: Vec<Option<usize>> = members.iter().map(|&n| builder.customer(n)).collect();
    if let ([a, b], [Some(a_account), Some(b_account)]) = (members, firsts.as_slice()) {
        builder.pair(*a, *a_account, *b, *b_account);
    }
    builder.finish()
}

/// The benchmark's busy customer: a Type I account with exactly `postings` postings
/// (a market stall: many small payments in, purchases and bills out).
pub(super) fn plan_busy(postings: u32, today: Day) -> Plan {
    let n = BENCH_CUSTOMER;
    let c = demo_customer(n);
    let mut builder = Builder::new(today);
    let mut rng = Rng::new(u64::from(n));
    let start = today.plus_days(-183);
    let first = builder.account(PlannedAccount::demand(n, c.account_no.clone(), 1, start));
    builder.openings[first] = yuan(200_000);
    let op = Op::Opening {
        account: first,
        from: CLEARING,
        from_sees: c.full_name.clone(),
        to_sees: format!("{} 现金存入", super::branch_name(c.branch_code)),
    };
    builder.event(start, 32_400, n, "cash", "开户存入现金", op);
    let own = Side::Own(first);
    let span = days(start, builder.yesterday).max(1);
    for _ in 1..postings {
        let day = start.plus_days(rng.range(1, span));
        let secs = 25_200 + rng.secs(50_400);
        if rng.below(5) < 3 {
            let payer = format!(
                "{}{}",
                PAYER_SURNAMES[rng.below(PAYER_SURNAMES.len())],
                PAYER_GIVEN[rng.below(PAYER_GIVEN.len())]
            );
            let lines = mv(CLEARING, own, rng.range(500, 60_000), c.full_name.clone(), payer);
            builder.fixed(day, secs, n, "transfer", "收款", lines);
        } else {
            let (shop, low, high) = SHOPS[rng.below(SHOPS.len())];
            let lines =
                mv(own, CARD_SETTLEMENT, rng.range(low * 100, high * 100), shop.to_owned(), c.full_name.clone());
            builder.fixed(day, secs, n, "card_spend", "消费", lines);
        }
    }
    builder.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> Day {
        Day::parse("2026-11-29").unwrap()
    }

    fn check_sound(plan: &Plan) {
        let mut balance = vec![0i64; plan.accounts.len()];
        let mut refs = std::collections::HashSet::new();
        for j in &plan.journals {
            assert_eq!(j.lines.iter().map(|l| l.amount).sum::<i64>(), 0, "{j:?}");
            assert!(j.lines.iter().all(|l| l.amount != 0), "{j:?}");
            assert!(j.value_date < today(), "{j:?}");
            assert!(refs.insert(j.reference.clone()), "{j:?}");
            for l in &j.lines {
                if let Side::Own(i) = l.side {
                    balance[i] += l.amount;
                    let a = &plan.accounts[i];
                    if a.kind != "loan" {
                        assert!(balance[i] + a.credit_limit >= 0, "{a:?} after {j:?}");
                    }
                }
            }
        }
        for w in plan.journals.windows(2) {
            assert!((w[0].value_date, w[0].secs) <= (w[1].value_date, w[1].secs), "in time order");
        }
    }

    #[test]
    fn plans_are_deterministic_and_sound() {
        assert_eq!(plan(&[1, 2], today()), plan(&[1, 2], today()));
        for n in (1..400).step_by(2) {
            let p = plan(&[n, n + 1], today());
            check_sound(&p);
            for a in &p.accounts {
                assert_eq!(a.account_no.len(), if a.kind == "credit_card" { 16 } else { 19 }, "{a:?}");
            }
        }
        check_sound(&plan(&[7], today()));
    }

    #[test]
    fn demo1_holds_every_family() {
        let p = plan(&[1, 2], today());
        let kinds: Vec<&str> = p.accounts.iter().filter(|a| a.customer == 1).map(|a| a.kind).collect();
        for kind in ["demand_deposit", "time_deposit", "installment_savings", "notice_deposit", "credit_card", "loan"] {
            assert!(kinds.contains(&kind), "{kind}");
        }
        assert!(p.funds.iter().any(|f| f.customer == 1));
        assert!(p.policies.iter().any(|f| f.customer == 1));
        assert!(p.managers.iter().any(|(c, _)| *c == 1));
        let soon = today().plus_days(30);
        assert!(p
            .accounts
            .iter()
            .any(|a| a.customer == 1 && a.kind == "time_deposit" && a.maturity_date <= Some(soon)));
        assert!(p.accounts.iter().any(|a| a.customer == 1 && a.at_maturity == Some("pay_out")));
        let card = p.accounts.iter().find(|a| a.customer == 1 && a.kind == "credit_card").unwrap();
        assert!(card.statement_balance.unwrap() > 0 && card.due_date.unwrap() >= today());
        // demo1 and demo2 send each other money.
        let first = p.accounts.iter().position(|a| a.customer == 1).unwrap();
        let second = p.accounts.iter().position(|a| a.customer == 2).unwrap();
        assert!(p.journals.iter().any(|j| j.lines.iter().any(|l| l.side == Side::Own(first))
            && j.lines.iter().any(|l| l.side == Side::Own(second))));
        // One missed month of installment savings.
        let is = p.accounts.iter().position(|a| a.customer == 1 && a.kind == "installment_savings").unwrap();
        let paid = p.journals.iter().filter(|j| j.lines.iter().any(|l| l.side == Side::Own(is))).count();
        let due = (0..12).filter(|k| p.accounts[is].opened_on.plus_months(*k) < today()).count();
        assert_eq!(paid + 1, due);
    }

    #[test]
    fn about_a_hundred_postings_per_customer() {
        let mut total = 0;
        for n in (1..=1000).step_by(2) {
            total += plan(&[n, n + 1], today()).postings();
        }
        assert!((80_000..=130_000).contains(&total), "{total}");
    }

    #[test]
    fn the_busy_account_has_exactly_the_postings_asked_for() {
        let p = plan_busy(2000, today());
        check_sound(&p);
        let on_account = p.journals.iter().flat_map(|j| &j.lines).filter(|l| l.side == Side::Own(0)).count();
        assert_eq!(on_account, 2000);
    }

    #[test]
    fn interest_dates() {
        let d = |s| Day::parse(s).unwrap();
        assert_eq!(interest_date_on_or_before(d("2026-11-29")), d("2026-09-21"));
        assert_eq!(interest_date_on_or_before(d("2026-06-21")), d("2026-06-21"));
        assert_eq!(interest_date_on_or_before(d("2026-03-20")), d("2025-12-21"));
        assert_eq!(
            monthly(d("2026-01-15"), d("2026-04-10"), 31),
            vec![d("2026-01-31"), d("2026-02-28"), d("2026-03-31")]
        );
    }
}
