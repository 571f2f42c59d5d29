//! The products a customer holds beyond the Type I account (which products follows
//! from the customer number: [`Mix`]) and the movements each one brings.
use super::names::*;
use super::plan::*;
use super::rng::Rng;
use crate::types::Day;

impl Builder {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn time_deposit(
        &mut self,
        n: u32,
        first: usize,
        name: &str,
        start: Day,
        seq: u32,
        td: &Td,
        rng: &mut Rng,
    ) {
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

    pub(super) fn installment(&mut self, n: u32, first: usize, name: &str, start: Day, missed: u32, rng: &mut Rng) {
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

    pub(super) fn notice(&mut self, n: u32, first: usize, _name: &str, start: Day, rng: &mut Rng) {
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

    pub(super) fn credit_card(&mut self, n: u32, first: usize, name: &str, start: Day, limit: i64, rng: &mut Rng) {
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
    pub(super) fn loan(
        &mut self,
        n: u32,
        first: usize,
        name: &str,
        start: Day,
        seq: u32,
        code: &'static str,
        rng: &mut Rng,
    ) {
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

    pub(super) fn fund(&mut self, n: u32, own: Side, name: &str, start: Day, rng: &mut Rng) {
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

    pub(super) fn insurance(&mut self, n: u32, own: Side, name: &str, start: Day, rng: &mut Rng) {
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
}

/// A time deposit to open: the product and, for the demo customers, fixed details.
pub(super) struct Td {
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
pub(super) struct Mix {
    pub small_tier: Option<i64>,
    pub time_deposits: Vec<Td>,
    pub installment_missed: Option<u32>,
    pub notice: bool,
    pub credit_limit: Option<i64>,
    pub loans: Vec<&'static str>,
    pub fund: bool,
    pub insurance: bool,
    pub manager: Option<&'static str>,
    pub business: bool,
}

impl Mix {
    pub(super) fn of(n: u32) -> Mix {
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
