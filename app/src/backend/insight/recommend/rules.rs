//! The recommendation rules, each a pure function over one customer's facts and
//! the product catalogue. `facts` loads the facts with a few set-based queries; the
//! customer's list and the relationship manager's lead list both come from
//! [`recommend`], so the two never disagree.
use crate::api::recommend::{ReasonFacts, Recommendation, RuleId};
use crate::types::{Day, InsightSettings, Localized, Money};
use std::collections::HashSet;

/// The agricultural loan's product code (三农贷款).
pub const AGRI_LOAN: &str = "LN-AGRI";
/// How long a demand balance must have stayed large to count as idle.
pub const IDLE_MONTHS: u32 = 3;

/// What the rules know about one customer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CustomerFacts {
    pub customer_id: i64,
    pub marketing_ok: bool,
    pub rural_farmer: bool,
    /// The latest risk assessment: level 1..5 and its day.
    pub risk: Option<(i64, Day)>,
    /// The lowest balance, over the last `IDLE_MONTHS`, of the customer's demand
    /// account that kept the most (0 without one).
    pub idle_balance: i64,
    /// The earliest open time deposit maturing from today: product, balance, day.
    pub next_maturity: Option<(String, i64, Day)>,
    /// Salary credits within the look-back.
    pub salary_credits: i64,
    pub has_installment: bool,
    /// Loan and fund products the customer already holds.
    pub held: HashSet<String>,
    /// (rule, product) the customer said "not interested" to.
    pub dismissed: HashSet<(String, String)>,
}

/// One active product of the catalogue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CatalogueProduct {
    pub code: String,
    pub kind: String,
    pub name: Localized,
    pub rate_bp: Option<i64>,
    pub term_months: Option<i64>,
    pub risk_level: Option<i64>,
}

fn suggestion(rule: RuleId, p: &CatalogueProduct, facts: ReasonFacts, href: &str) -> Recommendation {
    Recommendation { rule, product_code: p.code.clone(), product_name: p.name.clone(), facts, href: href.to_owned() }
}

/// Idle: a demand balance of at least `idle_balance_from` kept for `IDLE_MONTHS`
/// → the one-year time deposit (else the best-paying one).
pub fn idle_balance(f: &CustomerFacts, s: &InsightSettings, catalogue: &[CatalogueProduct]) -> Option<Recommendation> {
    if f.idle_balance < s.idle_balance_from {
        return None;
    }
    let deposits = catalogue.iter().filter(|p| p.kind == "time_deposit");
    let product =
        deposits.clone().find(|p| p.term_months == Some(12)).or_else(|| deposits.max_by_key(|p| p.rate_bp))?;
    let facts = ReasonFacts {
        amount: Some(Money::yuan_fen(s.idle_balance_from)),
        count: Some(i64::from(IDLE_MONTHS)),
        rate_bp: product.rate_bp,
        ..ReasonFacts::default()
    };
    Some(suggestion(RuleId::IdleBalance, product, facts, "/deposits/open"))
}

/// A time deposit maturing within `maturing_within_days` (today included) → its
/// renewal options.
pub fn maturing(
    f: &CustomerFacts,
    s: &InsightSettings,
    today: Day,
    catalogue: &[CatalogueProduct],
) -> Option<Recommendation> {
    let (code, balance, day) = f.next_maturity.as_ref()?;
    let last = today.plus_days(i64::from(s.maturing_within_days));
    if *day < today || *day > last {
        return None;
    }
    let product = catalogue.iter().find(|p| &p.code == code)?;
    let facts = ReasonFacts { amount: Some(Money::yuan_fen(*balance)), day: Some(*day), ..ReasonFacts::default() };
    Some(suggestion(RuleId::Maturing, product, facts, "/deposits"))
}

/// Salary credits within the look-back and no installment savings → installment
/// savings.
pub fn salary(f: &CustomerFacts, s: &InsightSettings, catalogue: &[CatalogueProduct]) -> Option<Recommendation> {
    if f.salary_credits == 0 || f.has_installment {
        return None;
    }
    let product = catalogue.iter().find(|p| p.kind == "installment_savings")?;
    let facts = ReasonFacts {
        count: Some(f.salary_credits),
        period: Some(i64::from(s.salary_lookback_days)),
        rate_bp: product.rate_bp,
        ..ReasonFacts::default()
    };
    Some(suggestion(RuleId::Salary, product, facts, "/deposits"))
}

/// A farmer in a rural area without one → agricultural loan information.
pub fn agri_loan(f: &CustomerFacts, catalogue: &[CatalogueProduct]) -> Option<Recommendation> {
    if !f.rural_farmer || f.held.contains(AGRI_LOAN) {
        return None;
    }
    let product = catalogue.iter().find(|p| p.code == AGRI_LOAN)?;
    let facts = ReasonFacts { rate_bp: product.rate_bp, ..ReasonFacts::default() };
    Some(suggestion(RuleId::AgriLoan, product, facts, "/consultations/book?purpose=loan"))
}

/// Whether a risk assessment made on `assessed_on` still counts today.
pub fn assessment_valid(s: &InsightSettings, assessed_on: Day, today: Day) -> bool {
    assessed_on <= today && assessed_on >= today.minus_months(s.risk_valid_months)
}

/// Suitability (适当性): a rated wealth fund only for a customer whose valid
/// assessment is at least the product's rating. Never otherwise: no assessment,
/// an expired one, an unrated product.
pub fn suitable(f: &CustomerFacts, s: &InsightSettings, today: Day, product: &CatalogueProduct) -> bool {
    match (f.risk, product.risk_level) {
        (Some((level, on)), Some(rating)) => assessment_valid(s, on, today) && level >= rating,
        _ => false,
    }
}

/// The suitable wealth fund the customer does not hold, closest to their level.
pub fn wealth_fund(
    f: &CustomerFacts,
    s: &InsightSettings,
    today: Day,
    catalogue: &[CatalogueProduct],
) -> Option<Recommendation> {
    let product = catalogue
        .iter()
        .filter(|p| p.kind == "wealth_fund" && !f.held.contains(&p.code) && suitable(f, s, today, p))
        .max_by_key(|p| (p.risk_level, std::cmp::Reverse(p.code.clone())))?;
    let (level, on) = f.risk?;
    let facts = ReasonFacts {
        customer_level: Some(level),
        product_level: product.risk_level,
        day: Some(on),
        ..ReasonFacts::default()
    };
    Some(suggestion(RuleId::WealthFund, product, facts, "/consultations/book?purpose=wealth_planning"))
}

/// Every rule that applies, in [`RuleId::ALL`]'s order, without the dismissed
/// ones, at most `max_recommendations`; nothing when marketing is off.
pub fn recommend(
    f: &CustomerFacts,
    s: &InsightSettings,
    today: Day,
    catalogue: &[CatalogueProduct],
) -> Vec<Recommendation> {
    if !f.marketing_ok {
        return Vec::new();
    }
    let max = usize::try_from(s.max_recommendations).unwrap_or(usize::MAX);
    RuleId::ALL
        .into_iter()
        .filter_map(|rule| match rule {
            RuleId::Maturing => maturing(f, s, today, catalogue),
            RuleId::IdleBalance => idle_balance(f, s, catalogue),
            RuleId::Salary => salary(f, s, catalogue),
            RuleId::WealthFund => wealth_fund(f, s, today, catalogue),
            RuleId::AgriLoan => agri_loan(f, catalogue),
        })
        .filter(|r| !f.dismissed.contains(&(r.rule.as_str().to_owned(), r.product_code.clone())))
        .take(max)
        .collect()
}

#[cfg(test)]
#[path = "rules_tests.rs"]
mod tests;
