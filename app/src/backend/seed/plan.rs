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
const CLEARING: Side = Side::Bank(0);
const INTEREST_EXPENSE: Side = Side::Bank(1);
const INTEREST_INCOME: Side = Side::Bank(2);
const CARD_SETTLEMENT: Side = Side::Bank(3);
const LOAN_FUNDING: Side = Side::Bank(4);

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
    fn new(customer: u32, account_no: String, product_code: &'static str, kind: &'static str, opened_on: Day) -> Self {
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

    fn demand(customer: u32, account_no: String, tier: i64, opened_on: Day) -> Self {
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
const FAMILY_DEMAND_SMALL: u32 = 11;
const FAMILY_TIME: u32 = 20;
const FAMILY_INSTALLMENT: u32 = 30;
const FAMILY_NOTICE: u32 = 40;
const FAMILY_LOAN: u32 = 60;

/// Dormant customers: one small deposit years ago and nothing since.
pub fn is_dormant(n: u32) -> bool {
    n > 2 && n.is_multiple_of(97)
}

/// Empty cards: an account opened years ago that never held money.
pub fn is_empty_card(n: u32) -> bool {
    n > 2 && n.is_multiple_of(89) && !is_dormant(n)
}

fn yuan(y: i64) -> i64 {
    y * 100
}

/// Whole days from `from` to `to`, as used for accrual.
fn days(from: Day, to: Day) -> i64 {
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
fn monthly(after: Day, until: Day, dom: u8) -> Vec<Day> {
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
fn div_half_up(numerator: i128, denominator: i128) -> i64 {
    i64::try_from((numerator * 2 + denominator) / (denominator * 2)).unwrap_or(i64::MAX)
}

fn tail(number: &str) -> &str {
    &number[number.len().saturating_sub(4)..]
}

fn mv(from: Side, to: Side, amount: i64, from_sees: String, to_sees: String) -> Vec<Line> {
    vec![
        Line { side: from, amount: -amount, counterparty: from_sees },
        Line { side: to, amount, counterparty: to_sees },
    ]
}

enum Op {
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

struct Builder {
    today: Day,
    yesterday: Day,
    accounts: Vec<PlannedAccount>,
    openings: Vec<i64>,
    /// What is left at the lowest point when an opening has to be raised.
    cushion: Vec<i64>,
    events: Vec<Event>,
    plan: Plan,
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

    fn account(&mut self, mut account: PlannedAccount) -> usize {
        account.accrued_through = Some(self.yesterday);
        self.accounts.push(account);
        self.openings.push(0);
        self.cushion.push(yuan(200));
        self.accounts.len() - 1
    }

    /// Adds an event; those after yesterday have not happened yet and are left out.
    fn event(&mut self, day: Day, secs: u32, owner: u32, kind: &'static str, memo: &'static str, op: Op) {
        if day > self.yesterday {
            return;
        }
        self.seq += 1;
        self.events.push(Event { day, secs, seq: self.seq, owner, kind, memo, op });
    }

    fn fixed(&mut self, day: Day, secs: u32, owner: u32, kind: &'static str, memo: &'static str, lines: Vec<Line>) {
        self.event(day, secs, owner, kind, memo, Op::Fixed(lines));
    }

    /// Quarterly demand interest on `account` from `from` on.
    fn interest(&mut self, account: usize, owner: u32, holder: &str, from: Day) {
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

    /// Customer `n`'s products and history. Returns their Type I account when they
    /// are active (and so can send and receive transfers).
    fn customer(&mut self, n: u32) -> Option<usize> {
        let c = demo_customer(n);
        let mut rng = Rng::new(u64::from(n));
        let name = c.full_name.clone();
        let branch = super::branch_name(c.branch_code);
        let today = self.today;
        let start = today.plus_days(-(183 + i64::from(n % 7)));

        if is_dormant(n) {
            let opened = today.plus_days(-(6 * 365 + rng.range(0, 1000)));
            let first = self.account(PlannedAccount {
                status: "dormant",
                ..PlannedAccount::demand(n, c.account_no.clone(), 1, opened)
            });
            self.openings[first] = yuan(rng.range(30, 3000));
            let op = Op::Opening {
                account: first,
                from: CLEARING,
                from_sees: name.clone(),
                to_sees: format!("{branch} 现金存入"),
            };
            self.event(opened, 36_000, n, "cash", "开户存入现金", op);
            self.interest(first, n, &name, start);
            return None;
        }
        if is_empty_card(n) {
            let opened = today.plus_days(-(3 * 365 + rng.range(0, 400)));
            self.account(PlannedAccount::demand(n, c.account_no.clone(), 1, opened));
            return None;
        }

        let first = self.account(PlannedAccount::demand(n, c.account_no.clone(), 1, start));
        self.openings[first] = yuan(rng.range(20, 300) * 100);
        self.cushion[first] = yuan(rng.range(10, 150) * 100);
        let op = Op::Opening {
            account: first,
            from: CLEARING,
            from_sees: name.clone(),
            to_sees: format!("{branch} 现金存入"),
        };
        self.event(start, 36_000 + rng.secs(3600), n, "cash", "开户存入现金", op);
        self.interest(first, n, &name, start);
        let own = Side::Own(first);

        let mix = Mix::of(n);
        self.income(n, own, &name, start, &mix, &mut rng);
        self.bills(n, own, &name, start, &mut rng);
        self.debit_card(n, own, &name, &branch, start, &mut rng);
        if let Some(tier) = mix.small_tier {
            self.small_account(n, first, &name, tier, start, &mut rng);
        }
        for (k, td) in mix.time_deposits.iter().enumerate() {
            self.time_deposit(n, first, &name, start, k as u32 + 1, td, &mut rng);
        }
        if let Some(missed) = mix.installment_missed {
            self.installment(n, first, &name, start, missed, &mut rng);
        }
        if mix.notice {
            self.notice(n, first, &name, start, &mut rng);
        }
        if let Some(limit) = mix.credit_limit {
            self.credit_card(n, first, &name, start, limit, &mut rng);
        }
        for (k, loan) in mix.loans.iter().enumerate() {
            self.loan(n, first, &name, start, k as u32 + 1, *loan, &mut rng);
        }
        if mix.fund {
            self.fund(n, own, &name, start, &mut rng);
        }
        if mix.insurance {
            self.insurance(n, own, &name, start, &mut rng);
        }
        if let Some(staff_no) = mix.manager {
            self.plan.managers.push((n, staff_no));
        }
        Some(first)
    }

    fn income(&mut self, n: u32, own: Side, name: &str, start: Day, mix: &Mix, rng: &mut Rng) {
        let yesterday = self.yesterday;
        if mix.business {
            for month_day in monthly(start, yesterday, 3) {
                for _ in 0..rng.range(2, 3) {
                    let day = month_day.plus_days(rng.range(0, 25));
                    let payer = BUSINESS_PAYERS[rng.below(BUSINESS_PAYERS.len())];
                    let amount = yuan(rng.range(80, 400) * 100);
                    let lines = mv(CLEARING, own, amount, name.to_owned(), payer.to_owned());
                    self.fixed(day, 32_400 + rng.secs(28_800), n, "transfer", "经营收入", lines);
                }
            }
        } else if n % 5 == 3 {
            for day in monthly(start, yesterday, 15) {
                let lines =
                    mv(CLEARING, own, yuan(rng.range(60, 180)), name.to_owned(), "县财政局 惠农补贴".to_owned());
                self.fixed(day, 34_200, n, "transfer", "耕地地力保护补贴", lines);
                if matches!(day.month(), 7 | 10) {
                    let amount = yuan(rng.range(60, 300) * 100);
                    let lines = mv(CLEARING, own, amount, name.to_owned(), "县粮食收储公司 售粮款".to_owned());
                    self.fixed(day.plus_days(rng.range(1, 9)), 39_600, n, "transfer", "售粮款", lines);
                }
                if n.is_multiple_of(2) {
                    let payer = FARM_WORK[n as usize % FARM_WORK.len()];
                    let lines = mv(CLEARING, own, yuan(rng.range(3000, 6000)), name.to_owned(), payer.to_owned());
                    self.fixed(day.plus_days(5), 61_200, n, "salary", "劳务收入", lines);
                }
            }
        } else {
            let employer = EMPLOYERS[n as usize % EMPLOYERS.len()];
            let base = rng.range(35, 120) * 100;
            let payday = 5 + (n % 20) as u8;
            for day in monthly(start, yesterday, payday) {
                let amount = yuan(base + rng.range(0, 300));
                let lines = mv(CLEARING, own, amount, name.to_owned(), employer.to_owned());
                self.fixed(day, 32_400 + rng.secs(1800), n, "salary", "工资", lines);
            }
        }
    }

    fn bills(&mut self, n: u32, own: Side, name: &str, start: Day, rng: &mut Rng) {
        let yesterday = self.yesterday;
        let phone = PHONE_PLANS[rng.below(PHONE_PLANS.len())];
        let carrier = CARRIERS[n as usize % CARRIERS.len()];
        for day in monthly(start, yesterday, 8 + (n % 10) as u8) {
            let summer = matches!(day.month(), 7 | 8);
            let power = yuan(rng.range(60, 220) + if summer { rng.range(60, 160) } else { 0 });
            let lines = mv(own, CLEARING, power, "国网供电公司 电费".to_owned(), name.to_owned());
            self.fixed(day, 36_000 + rng.secs(3600), n, "bill", "电费", lines);
            let lines = mv(own, CLEARING, yuan(phone), carrier.to_owned(), name.to_owned());
            self.fixed(day.plus_days(2), 28_800, n, "bill", "话费", lines);
            if day.month() % 2 == 0 {
                let lines = mv(own, CLEARING, yuan(rng.range(25, 90)), "县自来水公司 水费".to_owned(), name.to_owned());
                self.fixed(day.plus_days(4), 37_800, n, "bill", "水费", lines);
            }
        }
    }

    fn debit_card(&mut self, n: u32, own: Side, name: &str, branch: &str, start: Day, rng: &mut Rng) {
        let span = days(start, self.yesterday).max(1);
        for _ in 0..rng.range(5, 8) {
            let (shop, low, high) = SHOPS[rng.below(SHOPS.len())];
            let amount = rng.range(low * 100, high * 100) / 10 * 10;
            let lines = mv(own, CARD_SETTLEMENT, amount, shop.to_owned(), name.to_owned());
            self.fixed(start.plus_days(rng.range(1, span)), 32_400 + rng.secs(43_200), n, "card_spend", "消费", lines);
        }
        for day in
            monthly(start, self.yesterday, 1 + (n % 27) as u8).into_iter().filter(|d| d.month() % 2 == n as u8 % 2)
        {
            let lines = mv(own, CLEARING, yuan(rng.range(3, 20) * 100), format!("ATM取款 {branch}"), name.to_owned());
            self.fixed(day, 54_000 + rng.secs(7200), n, "cash", "ATM取款", lines);
        }
    }

    fn small_account(&mut self, n: u32, first: usize, name: &str, tier: i64, start: Day, rng: &mut Rng) {
        let opened = start.plus_days(2);
        let no = account_no(FAMILY_DEMAND_SMALL, n, 1);
        let small = self.account(PlannedAccount::demand(n, no, tier, opened));
        let label = if tier == 2 { "Ⅱ类户" } else { "Ⅲ类户" };
        self.openings[small] = yuan(if tier == 2 { 2000 } else { 500 });
        let op = Op::Opening {
            account: small,
            from: Side::Own(first),
            from_sees: format!("转至本人{label}"),
            to_sees: "本人Ⅰ类户转入".to_owned(),
        };
        self.event(opened, 43_200, n, "transfer", "开立电子账户", op);
        self.interest(small, n, name, opened);
        let top_up = if tier == 2 { (100, 400) } else { (50, 200) };
        for day in monthly(opened, self.yesterday, 1 + (n % 27) as u8) {
            let amount = yuan(rng.range(top_up.0, top_up.1));
            let lines =
                mv(Side::Own(first), Side::Own(small), amount, format!("转至本人{label}"), "本人Ⅰ类户转入".into());
            self.fixed(day, 30_000, n, "transfer", "零钱转入", lines);
            for _ in 0..rng.range(1, 2) {
                let (shop, low, high) = ONLINE[rng.below(ONLINE.len())];
                let lines = mv(Side::Own(small), CARD_SETTLEMENT, yuan(rng.range(low, high)), shop.into(), name.into());
                self.fixed(
                    day.plus_days(rng.range(1, 27)),
                    43_200 + rng.secs(36_000),
                    n,
                    "card_spend",
                    "网上支付",
                    lines,
                );
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn time_deposit(&mut self, n: u32, first: usize, name: &str, start: Day, seq: u32, td: &Td, rng: &mut Rng) {
        let (code, rate, term) = match td.code {
            "TD-3M" => ("TD-3M", 105, 3),
            "TD-1Y" => ("TD-1Y", 135, 12),
            "TD-3Y" => ("TD-3Y", 175, 36),
            _ => ("TD-5Y", 180, 60),
        };
        let opened = td.opened_days_ago.map_or_else(
            || {
                let longest = i64::from(term) * 30 - 3;
                self.today.plus_days(-rng.range(5, longest))
            },
            |ago| self.today.plus_days(-ago),
        );
        // Deposits opened over a year ago kept the higher rate of their day.
        let rate = if days(opened, self.today) > 365 { rate + 20 } else { rate };
        let amount = td.amount.unwrap_or_else(|| yuan(rng.range(10, 100) * 1000));
        let td_no = account_no(FAMILY_TIME, n, seq);
        let account = self.account(PlannedAccount {
            rate_bp: Some(rate),
            term_months: Some(i64::from(term)),
            maturity_date: Some(opened.plus_months(term)),
            at_maturity: Some(td.at_maturity.unwrap_or(if rng.below(2) == 0 { "renew" } else { "pay_out" })),
            linked: Some(first),
            original_amount: Some(amount),
            ..PlannedAccount::new(n, td_no, code, "time_deposit", opened)
        });
        let from = if opened > start { Side::Own(first) } else { CLEARING };
        let from_sees = if opened > start { "转存整存整取".to_owned() } else { name.to_owned() };
        let to_sees = if opened > start { "储蓄卡转入".to_owned() } else { "柜台现金存入".to_owned() };
        let lines = mv(from, Side::Own(account), amount, from_sees, to_sees);
        self.fixed(opened, 37_800 + rng.secs(3600), n, "deposit_open", "整存整取开户", lines);
    }

    fn installment(&mut self, n: u32, first: usize, name: &str, start: Day, missed: u32, rng: &mut Rng) {
        let mut opened = start.plus_days(rng.range(5, 30));
        if opened.day() > 28 {
            opened = opened.plus_days(-3);
        }
        let monthly_amount = yuan([500, 1000, 2000][n as usize % 3]);
        let months = (0..12).filter(|k| opened.plus_months(*k) <= self.yesterday).count() as u32;
        let mut skip = Vec::new();
        while (skip.len() as u32) < missed.min(months.saturating_sub(2)) {
            let k = 1 + rng.below(months as usize - 1) as u32;
            if !skip.contains(&k) {
                skip.push(k);
            }
        }
        let account = self.account(PlannedAccount {
            rate_bp: Some(110),
            term_months: Some(12),
            maturity_date: Some(opened.plus_months(12)),
            linked: Some(first),
            monthly_amount: Some(monthly_amount),
            ..PlannedAccount::new(n, account_no(FAMILY_INSTALLMENT, n, 1), "IS-1Y", "installment_savings", opened)
        });
        let _ = name;
        for k in (0..months).filter(|k| !skip.contains(k)) {
            let lines =
                mv(Side::Own(first), Side::Own(account), monthly_amount, "零存整取 月存".into(), "储蓄卡转入".into());
            let (kind, memo) =
                if k == 0 { ("deposit_open", "零存整取开户") } else { ("installment", "零存整取月存") };
            self.fixed(opened.plus_months(k), 39_600, n, kind, memo, lines);
        }
    }

    fn notice(&mut self, n: u32, first: usize, _name: &str, start: Day, rng: &mut Rng) {
        let opened = start.plus_days(rng.range(8, 60));
        let amount = yuan(rng.range(5, 20) * 10_000);
        let account = self.account(PlannedAccount {
            rate_bp: Some(45),
            notice_days: Some(7),
            linked: Some(first),
            original_amount: Some(amount),
            ..PlannedAccount::new(n, account_no(FAMILY_NOTICE, n, 1), "ND-7D", "notice_deposit", opened)
        });
        let lines = mv(Side::Own(first), Side::Own(account), amount, "转存七天通知存款".into(), "储蓄卡转入".into());
        self.fixed(opened, 40_200, n, "deposit_open", "通知存款开户", lines);
    }

    fn credit_card(&mut self, n: u32, first: usize, name: &str, start: Day, limit: i64, rng: &mut Rng) {
        let card_no = credit_card_no(n);
        let opened = self.today.plus_days(-rng.range(400, 1500));
        let card = self.account(PlannedAccount {
            credit_limit: limit,
            linked: Some(first),
            card_no: Some(card_no.clone()),
            ..PlannedAccount::new(n, card_no, "CC-STD", "credit_card", opened)
        });
        let span = days(start, self.yesterday).max(1);
        for _ in 0..rng.range(14, 24) {
            let (shop, low, high) = CARD_MERCHANTS[rng.below(CARD_MERCHANTS.len())];
            let amount = rng.range(low * 100, high * 100) / 10 * 10;
            let lines = mv(Side::Own(card), CARD_SETTLEMENT, amount, shop.to_owned(), name.to_owned());
            self.fixed(
                start.plus_days(rng.range(1, span)),
                32_400 + rng.secs(46_800),
                n,
                "card_spend",
                "信用卡消费",
                lines,
            );
        }
        // Statements monthly, the latest 3 to 17 days ago; each is repaid in full 20 days later.
        let mut last = self.today.plus_days(-(3 + i64::from(n % 15)));
        if last.day() > 28 {
            last = last.plus_days(-i64::from(last.day() - 28));
        }
        for day in monthly(start, last, last.day()) {
            self.event(day, 86_000, n, "card_spend", "", Op::Statement { card });
            self.event(
                day.plus_days(20),
                30_600,
                n,
                "card_repayment",
                "信用卡自动还款",
                Op::Repay { card, from: first },
            );
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn loan(&mut self, n: u32, first: usize, name: &str, start: Day, seq: u32, code: &'static str, rng: &mut Rng) {
        let (rate, term, original, ago) = match code {
            "LN-HOUSE" => (310, 240, yuan(rng.range(30, 80) * 10_000), rng.range(400, 1800)),
            "LN-SME" => (385, 36, yuan(rng.range(10, 30) * 10_000), rng.range(60, 900)),
            _ => (360, 24, yuan(rng.range(2, 8) * 10_000), rng.range(30, 600)),
        };
        let mut disbursed = self.today.plus_days(-ago);
        if disbursed.day() > 28 {
            disbursed = disbursed.plus_days(-3);
        }
        let loan_no = account_no(FAMILY_LOAN, n, seq);
        let loan = self.account(PlannedAccount {
            rate_bp: Some(rate),
            term_months: Some(term),
            linked: Some(first),
            original_amount: Some(original),
            ..PlannedAccount::new(n, loan_no, code, "loan", disbursed)
        });
        let product = if code == "LN-HOUSE" {
            "住房贷款"
        } else if code == "LN-SME" {
            "小微企业贷款"
        } else {
            "三农贷款"
        };
        let lines = if code == "LN-HOUSE" {
            let developer = DEVELOPERS[n as usize % DEVELOPERS.len()];
            mv(Side::Own(loan), LOAN_FUNDING, original, format!("{developer} 购房款"), name.to_owned())
        } else if disbursed > start {
            mv(Side::Own(loan), Side::Own(first), original, "放款至储蓄卡".into(), format!("{product} 放款"))
        } else {
            mv(Side::Own(loan), LOAN_FUNDING, original, "贷款发放".into(), name.to_owned())
        };
        self.fixed(disbursed, 37_800, n, "loan_disbursement", "贷款发放", lines);

        // Equal principal each month, interest on what is still owed.
        let monthly_principal = original / term;
        let mut outstanding = original;
        let mut repaid_before = 0;
        for k in 1..=term as u32 {
            let due = disbursed.plus_months(k);
            let principal = if i64::from(k) == term { outstanding } else { monthly_principal };
            let interest = div_half_up(i128::from(outstanding) * i128::from(rate), 120_000);
            if due > self.yesterday {
                let account = &mut self.accounts[loan];
                account.due_date = Some(due);
                account.minimum_payment = Some(principal + interest);
                break;
            }
            if due <= start {
                repaid_before += principal;
            } else {
                let mut lines = vec![
                    Line {
                        side: Side::Own(first),
                        amount: -(principal + interest),
                        counterparty: format!("{product} 还款"),
                    },
                    Line { side: Side::Own(loan), amount: principal, counterparty: "储蓄卡扣款".into() },
                ];
                if interest > 0 {
                    lines.push(Line { side: INTEREST_INCOME, amount: interest, counterparty: name.to_owned() });
                }
                self.fixed(due, 28_800, n, "loan_instalment", "贷款还款", lines);
            }
            outstanding -= principal;
        }
        if repaid_before > 0 {
            let seen = format!("截至{start}已还本金");
            let lines = mv(CLEARING, Side::Own(loan), repaid_before, name.to_owned(), seen);
            self.fixed(start, 30_000, n, "loan_instalment", "此前已还本金", lines);
        }
    }

    fn fund(&mut self, n: u32, own: Side, name: &str, start: Day, rng: &mut Rng) {
        let cost = yuan(rng.range(1, 10) * 10_000);
        let bought = self.today.plus_days(-rng.range(20, 700));
        let nav_bought = 10_000 + rng.range(0, 800);
        let nav_now = (nav_bought + rng.range(-100, 500)).max(1);
        let units_milli = i64::try_from(i128::from(cost) * 100_000 / i128::from(nav_bought)).unwrap_or(0);
        self.plan.funds.push(Fund { customer: n, units_milli, nav_e4: nav_now, nav_date: self.yesterday, cost });
        if bought > start {
            let lines = mv(own, CLEARING, cost, "稳健理财 申购".into(), name.to_owned());
            self.fixed(bought, 50_400, n, "transfer", "理财申购", lines);
        }
    }

    fn insurance(&mut self, n: u32, own: Side, name: &str, start: Day, rng: &mut Rng) {
        let ((zh, en), premium_label) = INSURERS[n as usize % INSURERS.len()];
        let started = self.today.plus_days(-rng.range(365, 1825));
        let annual_premium = yuan(rng.range(20, 120) * 100);
        let years = days(started, self.today) / 365 + 1;
        self.plan.policies.push(Policy {
            customer: n,
            policy_no: format!("PL{}{n:09}", started.year()),
            insurer: (zh, en),
            sum_insured: yuan(rng.range(10, 50) * 10_000),
            annual_premium,
            cash_value: annual_premium * years * 7 / 10,
            start_date: started,
            end_date: started.plus_months(240),
        });
        for y in 1..=5 {
            let due = started.plus_months(12 * y);
            if due > start {
                let lines = mv(own, CLEARING, annual_premium, premium_label.to_owned(), name.to_owned());
                self.fixed(due, 36_000, n, "bill", "保险续期保费", lines);
            }
        }
    }

    /// Money between the two customers of a pair: a monthly allowance one way and
    /// an occasional repayment the other.
    fn pair(&mut self, a: u32, a_account: usize, b: u32, b_account: usize) {
        let (ca, cb) = (demo_customer(a), demo_customer(b));
        let mut rng = Rng::new(u64::from(a) << 32 | u64::from(b));
        let after = self.accounts[a_account].opened_on.max(self.accounts[b_account].opened_on).plus_days(3);
        for (k, day) in monthly(after, self.yesterday, 1 + (a % 25) as u8).into_iter().enumerate() {
            let amount = yuan(rng.range(3, 20) * 100);
            let lines =
                mv(Side::Own(a_account), Side::Own(b_account), amount, cb.full_name.clone(), ca.full_name.clone());
            self.fixed(day, 72_000 + rng.secs(3600), a, "transfer", "生活费", lines);
            if k % 2 == 1 {
                let back = yuan(rng.range(1, 8) * 100);
                let lines =
                    mv(Side::Own(b_account), Side::Own(a_account), back, ca.full_name.clone(), cb.full_name.clone());
                self.fixed(day.plus_days(4), 75_600 + rng.secs(3600), b, "transfer", "还款", lines);
            }
        }
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

/// A time deposit to open: the product and, for the demo customers, fixed details.
struct Td {
    code: &'static str,
    opened_days_ago: Option<i64>,
    at_maturity: Option<&'static str>,
    amount: Option<i64>,
}

impl Td {
    const fn any(code: &'static str) -> Td {
        Td { code, opened_days_ago: None, at_maturity: None, amount: None }
    }
}

/// Which products customer `n` holds.
struct Mix {
    small_tier: Option<i64>,
    time_deposits: Vec<Td>,
    installment_missed: Option<u32>,
    notice: bool,
    credit_limit: Option<i64>,
    loans: Vec<&'static str>,
    fund: bool,
    insurance: bool,
    manager: Option<&'static str>,
    business: bool,
}

impl Mix {
    fn of(n: u32) -> Mix {
        let advisors: Vec<&'static str> =
            super::STAFF.iter().filter(|(_, _, role, _)| *role == "advisor").map(|(no, _, _, _)| *no).collect();
        match n {
            // demo1 holds one of every family, with a deposit maturing soon.
            1 => Mix {
                small_tier: Some(2),
                time_deposits: vec![
                    Td {
                        code: "TD-3M",
                        opened_days_ago: Some(80),
                        at_maturity: Some("renew"),
                        amount: Some(yuan(20_000)),
                    },
                    Td {
                        code: "TD-1Y",
                        opened_days_ago: Some(125),
                        at_maturity: Some("pay_out"),
                        amount: Some(yuan(50_000)),
                    },
                    Td {
                        code: "TD-3Y",
                        opened_days_ago: Some(430),
                        at_maturity: Some("renew"),
                        amount: Some(yuan(100_000)),
                    },
                ],
                installment_missed: Some(1),
                notice: true,
                credit_limit: Some(yuan(30_000)),
                loans: vec!["LN-HOUSE"],
                fund: true,
                insurance: true,
                manager: advisors.first().copied(),
                business: false,
            },
            2 => Mix {
                small_tier: None,
                time_deposits: vec![Td {
                    code: "TD-1Y",
                    opened_days_ago: Some(200),
                    at_maturity: Some("renew"),
                    amount: Some(yuan(30_000)),
                }],
                installment_missed: None,
                notice: false,
                credit_limit: Some(yuan(20_000)),
                loans: Vec::new(),
                fund: false,
                insurance: false,
                manager: None,
                business: false,
            },
            _ => {
                let mut loans = Vec::new();
                if n.is_multiple_of(6) {
                    loans.push("LN-HOUSE");
                }
                if n % 10 == 3 {
                    loans.push("LN-SME");
                }
                if n % 9 == 4 {
                    loans.push("LN-AGRI");
                }
                let terms = ["TD-3M", "TD-1Y", "TD-3Y", "TD-5Y"];
                let mut time_deposits = Vec::new();
                if n.is_multiple_of(3) {
                    time_deposits.push(Td::any(terms[(n / 3 % 4) as usize]));
                }
                if n.is_multiple_of(12) {
                    time_deposits.push(Td::any(terms[(n / 12 % 4) as usize]));
                }
                Mix {
                    small_tier: n.is_multiple_of(4).then_some(if n.is_multiple_of(8) { 2 } else { 3 }),
                    time_deposits,
                    installment_missed: n.is_multiple_of(5).then_some(1 + n % 2),
                    notice: n.is_multiple_of(7),
                    credit_limit: matches!(n % 5, 0 | 2)
                        .then(|| yuan([10_000, 20_000, 30_000, 50_000][(n % 4) as usize])),
                    business: loans.contains(&"LN-SME"),
                    loans,
                    fund: n % 4 == 1,
                    insurance: n % 6 == 2 || n % 8 == 5,
                    manager: (n % 10 == 1 && !advisors.is_empty())
                        .then(|| advisors[(n / 10) as usize % advisors.len()]),
                }
            }
        }
    }
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
