//! Everyday history: the Type I account and its opening, income (salary, farm
//! income, business takings), bills, card spending and cash, the small Type II/III
//! account, and the money two paired customers send each other.
use super::names::*;
use super::plan::*;
use super::products::Mix;
use super::rng::Rng;
use super::{demo_customer, is_dormant, is_empty_card};
use crate::types::Day;

impl Builder {
    /// Customer `n`'s products and history. Returns their Type I account when they
    /// are active (and so can send and receive transfers).
    pub(super) fn customer(&mut self, n: u32) -> Option<usize> {
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
            // Every other one is old enough to be approaching dormancy too (the
            // customer is reminded), the rest only an empty card.
            let opened = if (n / 89).is_multiple_of(2) {
                today.minus_months(56).plus_days(-rng.range(0, 60))
            } else {
                today.plus_days(-(3 * 365 + rng.range(0, 400)))
            };
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
        self.debit_card(n, own, &name, branch, start, &mut rng);
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
            self.loan(n, first, &name, start, k as u32 + 1, loan, &mut rng);
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

    pub(super) fn income(&mut self, n: u32, own: Side, name: &str, start: Day, mix: &Mix, rng: &mut Rng) {
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

    pub(super) fn bills(&mut self, n: u32, own: Side, name: &str, start: Day, rng: &mut Rng) {
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

    pub(super) fn debit_card(&mut self, n: u32, own: Side, name: &str, branch: &str, start: Day, rng: &mut Rng) {
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

    pub(super) fn small_account(&mut self, n: u32, first: usize, name: &str, tier: i64, start: Day, rng: &mut Rng) {
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

    /// Money between the two customers of a pair: a monthly allowance one way and
    /// an occasional repayment the other.
    pub(super) fn pair(&mut self, a: u32, a_account: usize, b: u32, b_account: usize) {
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
