//! What the customer holds, as the pages show it. Amounts are [`Money`] (fen), signed
//! as the customer sees them: deposits positive, what they owe negative.
use super::{Day, Localized, Money};
use serde::{Deserialize, Serialize};

/// The bank's product families (see the glossary in DESIGN.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProductKind {
    DemandDeposit,
    TimeDeposit,
    InstallmentSavings,
    NoticeDeposit,
    CreditCard,
    Loan,
    WealthFund,
    Insurance,
}

impl ProductKind {
    pub const ALL: [ProductKind; 8] = [
        ProductKind::DemandDeposit,
        ProductKind::TimeDeposit,
        ProductKind::InstallmentSavings,
        ProductKind::NoticeDeposit,
        ProductKind::CreditCard,
        ProductKind::Loan,
        ProductKind::WealthFund,
        ProductKind::Insurance,
    ];

    /// As stored in `products.kind` and `accounts.kind`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ProductKind::DemandDeposit => "demand_deposit",
            ProductKind::TimeDeposit => "time_deposit",
            ProductKind::InstallmentSavings => "installment_savings",
            ProductKind::NoticeDeposit => "notice_deposit",
            ProductKind::CreditCard => "credit_card",
            ProductKind::Loan => "loan",
            ProductKind::WealthFund => "wealth_fund",
            ProductKind::Insurance => "insurance",
        }
    }

    pub fn parse(text: &str) -> Option<ProductKind> {
        ProductKind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// Whether a balance of this kind is money the customer owes.
    pub const fn is_liability(self) -> bool {
        matches!(self, ProductKind::CreditCard | ProductKind::Loan)
    }

    /// Whether this kind is a deposit the customer may pay from.
    pub const fn is_deposit(self) -> bool {
        matches!(
            self,
            ProductKind::DemandDeposit
                | ProductKind::TimeDeposit
                | ProductKind::InstallmentSavings
                | ProductKind::NoticeDeposit
        )
    }
}

/// Type I / II / III personal accounts (Ⅰ/Ⅱ/Ⅲ类账户) and their payment limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Tier {
    One,
    Two,
    Three,
}

impl Tier {
    pub fn from_number(n: i64) -> Option<Tier> {
        match n {
            1 => Some(Tier::One),
            2 => Some(Tier::Two),
            3 => Some(Tier::Three),
            _ => None,
        }
    }

    pub const fn number(self) -> i64 {
        match self {
            Tier::One => 1,
            Tier::Two => 2,
            Tier::Three => 3,
        }
    }

    /// Payments to others per business day. Type II and III follow the PBoC's caps
    /// (¥10,000 and ¥2,000); Type I has the bank's own online-channel limit.
    pub const fn daily_limit(self) -> Money {
        match self {
            Tier::One => Money::yuan(500_000),
            Tier::Two => Money::yuan(10_000),
            Tier::Three => Money::yuan(2_000),
        }
    }

    /// Payments to others per calendar year.
    pub const fn yearly_limit(self) -> Money {
        match self {
            Tier::One => Money::yuan(20_000_000),
            Tier::Two => Money::yuan(200_000),
            Tier::Three => Money::yuan(50_000),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountStatus {
    Active,
    Dormant,
    Frozen,
    Closed,
}

impl AccountStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            AccountStatus::Active => "active",
            AccountStatus::Dormant => "dormant",
            AccountStatus::Frozen => "frozen",
            AccountStatus::Closed => "closed",
        }
    }

    pub fn parse(text: &str) -> Option<AccountStatus> {
        [AccountStatus::Active, AccountStatus::Dormant, AccountStatus::Frozen, AccountStatus::Closed]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// What happens to a time deposit when its term ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AtMaturity {
    /// Principal and interest roll into a new term at the rate of the day.
    Renew,
    /// Principal and interest go to the linked demand account.
    PayOut,
}

impl AtMaturity {
    pub const fn as_str(self) -> &'static str {
        match self {
            AtMaturity::Renew => "renew",
            AtMaturity::PayOut => "pay_out",
        }
    }

    pub fn parse(text: &str) -> Option<AtMaturity> {
        match text {
            "renew" => Some(AtMaturity::Renew),
            "pay_out" => Some(AtMaturity::PayOut),
            _ => None,
        }
    }
}

/// "6217 **** **** 1234": the first four and last four characters of a card or
/// account number, so a customer recognises it and a shoulder-surfer learns little.
pub fn mask_number(number: &str) -> String {
    let digits: Vec<char> = number.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.len() <= 8 {
        return format!("**** {}", digits.iter().rev().take(4).rev().collect::<String>());
    }
    let head: String = digits[..4].iter().collect();
    let tail: String = digits[digits.len() - 4..].iter().collect();
    format!("{head} **** **** {tail}")
}

/// An account the customer may see, by its database id (always looked up through
/// its owner on the server).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AccountId(pub i64);

/// One product on the overview, with what its family needs shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductView {
    /// The account id for ledger products; the holding or policy id for funds and insurance.
    pub id: i64,
    pub kind: ProductKind,
    pub name: Localized,
    pub number_masked: String,
    /// Signed as the customer sees it: what they owe is negative.
    pub balance: Money,
    pub status: AccountStatus,
    pub detail: ProductDetail,
    /// Dormant, approaching dormancy or an empty card (see [`AccountNotice::of`]).
    #[serde(default)]
    pub notice: Option<AccountNotice>,
}

/// What the insight rules tell the customer about one account: it is dormant
/// (they may ask for reactivation), it becomes dormant soon unless used, or it is an
/// empty card (they may ask to close it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "notice")]
pub enum AccountNotice {
    Dormant { since: Day },
    DormantSoon { dormant_on: Day },
    EmptyCard,
}

/// The facts of an account the notice depends on (the server computes notices).
#[cfg(feature = "ssr")]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NoticeFacts {
    pub kind: ProductKind,
    pub status: AccountStatus,
    /// Fen, signed as stored.
    pub balance: i64,
    /// The last customer-initiated movement, or the opening day.
    pub last_use: Day,
    /// Whether a card (not closed) draws on the account.
    pub has_card: bool,
}

#[cfg(feature = "ssr")]
impl AccountNotice {
    /// The notice for an account today, by the pure rules of `types::insight` (the
    /// SQL in `backend::insight::rules` agrees): dormancy first (it blocks use),
    /// then an empty card, then an approaching dormancy.
    pub fn of(s: &super::InsightSettings, f: NoticeFacts, today: Day) -> Option<AccountNotice> {
        if f.status == AccountStatus::Closed {
            return None;
        }
        let demand = f.kind == ProductKind::DemandDeposit;
        let rule = demand.then(|| s.dormancy(f.last_use, today));
        if demand && f.status == AccountStatus::Dormant {
            return Some(AccountNotice::Dormant { since: s.dormant_on(f.last_use) });
        }
        if let Some(super::Dormancy::Dormant { since }) = rule {
            return Some(AccountNotice::Dormant { since });
        }
        if f.has_card && s.is_empty_card(f.balance, f.last_use, today) {
            return Some(AccountNotice::EmptyCard);
        }
        match rule {
            Some(super::Dormancy::Approaching { dormant_on }) => Some(AccountNotice::DormantSoon { dormant_on }),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProductDetail {
    Demand {
        tier: Tier,
        card_masked: Option<String>,
        daily_limit_left: Money,
    },
    Time {
        principal: Money,
        rate_bp: i64,
        term_months: i64,
        opened_on: Day,
        maturity_date: Day,
        at_maturity: AtMaturity,
    },
    Installment {
        monthly_amount: Money,
        rate_bp: i64,
        paid_months: u32,
        missed_months: Vec<String>,
        maturity_date: Day,
    },
    Notice {
        notice_days: i64,
        rate_bp: i64,
        pending_notice: Option<(Money, Day)>,
    },
    CreditCard {
        limit: Money,
        available: Money,
        statement_balance: Money,
        minimum_payment: Money,
        due_date: Option<Day>,
    },
    Loan {
        original: Money,
        rate_bp: i64,
        term_months: i64,
        next_instalment: Money,
        next_due: Option<Day>,
    },
    Fund {
        units_milli: i64,
        nav_e4: i64,
        nav_date: Day,
        cost: Money,
        gain: Money,
    },
    Insurance {
        insurer: Localized,
        sum_insured: Money,
        annual_premium: Money,
        cash_value: Money,
        end_date: Day,
    },
}

/// The relationship manager's contact, shown on the overview when one is assigned.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManagerContact {
    pub name: String,
    /// For the "book my relationship manager" link.
    pub staff_no: String,
    pub branch: Localized,
    pub phone: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overview {
    pub total_assets: Money,
    /// A positive amount: what the customer owes in all.
    pub total_liabilities: Money,
    pub products: Vec<ProductView>,
    pub manager: Option<ManagerContact>,
    /// The customer's "hide amounts" choice, remembered in a cookie.
    pub amounts_hidden: bool,
}

/// A completed transfer, as the receipt page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    pub receipt_no: String,
    pub from_masked: String,
    pub to_masked: String,
    pub payee_name: String,
    pub amount: Money,
    pub memo: String,
    pub at: super::Timestamp,
    pub local_time: String,
    /// What is left of today's limit on the paying account after this transfer.
    pub daily_limit_left: Money,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_cards_and_accounts() {
        assert_eq!(mask_number("6217991234561234"), "6217 **** **** 1234");
        assert_eq!(mask_number("6000000000000000102"), "6000 **** **** 0102");
        assert_eq!(mask_number("1234"), "**** 1234");
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn notices_follow_the_rules() {
        let s = super::super::InsightSettings::default();
        let day = |t: &str| Day::parse(t).unwrap_or_else(|| panic!("{t}"));
        let facts = NoticeFacts {
            kind: ProductKind::DemandDeposit,
            status: AccountStatus::Active,
            balance: 100,
            last_use: day("2021-11-29"),
            has_card: true,
        };
        let since = day("2026-11-29");
        assert_eq!(
            AccountNotice::of(&s, facts, day("2026-11-28")),
            Some(AccountNotice::DormantSoon { dormant_on: since })
        );
        assert_eq!(AccountNotice::of(&s, facts, since), Some(AccountNotice::Dormant { since }));
        let empty = NoticeFacts { balance: 0, last_use: day("2025-11-29"), ..facts };
        assert_eq!(AccountNotice::of(&s, empty, day("2026-11-28")), None);
        assert_eq!(AccountNotice::of(&s, empty, day("2026-11-29")), Some(AccountNotice::EmptyCard));
        let closed = NoticeFacts { status: AccountStatus::Closed, ..empty };
        assert_eq!(AccountNotice::of(&s, closed, day("2026-11-29")), None);
    }

    #[test]
    fn kinds_round_trip() {
        for kind in ProductKind::ALL {
            assert_eq!(ProductKind::parse(kind.as_str()), Some(kind));
        }
        assert!(Tier::Three.daily_limit().minor() < Tier::Two.daily_limit().minor());
    }
}
