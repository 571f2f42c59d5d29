//! Server functions of explained recommendations: the customer's suggestions (at
//! most `max_recommendations`, each with its reason), "Not interested", and the
//! switch that turns marketing off entirely. Reads go through
//! `customer_for_read`, writes through `customer_for_change` (refused while staff
//! view as the customer).
use crate::error::AppError;
use crate::types::{Day, Localized, Money};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The rules, each suggesting one kind of product for a reason of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleId {
    /// A large demand balance kept for months: a time deposit pays more.
    IdleBalance,
    /// A time deposit maturing soon: the renewal options.
    Maturing,
    /// Salary credits and no installment savings: installment savings.
    Salary,
    /// A farmer in a rural area: agricultural loan information.
    AgriLoan,
    /// A wealth fund within the customer's valid risk assessment.
    WealthFund,
}

impl RuleId {
    /// In the order they are offered: the customer's own money first.
    pub const ALL: [RuleId; 5] =
        [RuleId::Maturing, RuleId::IdleBalance, RuleId::Salary, RuleId::WealthFund, RuleId::AgriLoan];

    /// Stable names (stored in `recommendation_dismissals.rule`): never renamed.
    pub const fn as_str(self) -> &'static str {
        match self {
            RuleId::IdleBalance => "idle_balance",
            RuleId::Maturing => "maturing_deposit",
            RuleId::Salary => "salary_installment",
            RuleId::AgriLoan => "agri_loan",
            RuleId::WealthFund => "wealth_fund",
        }
    }

    pub fn parse(text: &str) -> Option<RuleId> {
        RuleId::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

/// The facts a reason quotes (each rule fills the ones it uses).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReasonFacts {
    pub amount: Option<Money>,
    /// A rate in basis points.
    pub rate_bp: Option<i64>,
    /// Months or days, as the rule's text says.
    pub count: Option<i64>,
    pub period: Option<i64>,
    pub day: Option<Day>,
    /// The customer's assessed level (C1..C5) and the product's rating (R1..R5).
    pub customer_level: Option<i64>,
    pub product_level: Option<i64>,
}

/// One suggestion with what it is based on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recommendation {
    pub rule: RuleId,
    pub product_code: String,
    pub product_name: Localized,
    pub facts: ReasonFacts,
    /// Where the customer can act on it.
    pub href: String,
}

/// The customer's suggestions, and whether they receive any at all.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecommendationsView {
    pub marketing_ok: bool,
    pub items: Vec<Recommendation>,
}

/// The customer's suggestions now (none when marketing is off).
#[server(prefix = "/api", endpoint = "recommendations")]
pub async fn recommendations() -> Result<RecommendationsView, AppError> {
    use crate::backend::auth::RequestContext;
    let ctx = RequestContext::current()?;
    let who = ctx.customer_for_read()?;
    let state = crate::backend::use_state()?;
    crate::backend::insight::recommend::for_customer(&state, who.customer_id).await
}

/// "Not interested": the suggestion (`rule`, `product`) is never shown again to
/// this customer; posting it twice changes nothing. Then back to `back`.
#[server(prefix = "/api", endpoint = "recommendation_dismiss")]
pub async fn dismiss_recommendation(
    rule: String,
    product: String,
    #[server(default)] back: String,
) -> Result<(), AppError> {
    use crate::backend::auth::RequestContext;
    let ctx = RequestContext::current()?;
    let who = ctx.customer_for_change()?;
    let rule = RuleId::parse(&rule).ok_or_else(|| AppError::invalid("rule"))?;
    let state = crate::backend::use_state()?;
    crate::backend::insight::recommend::dismiss(&state, &who, rule, &product, &ctx.origin).await?;
    leptos_axum::redirect(&format!("{}#suggestions", crate::redirect::local_path(&back, "/accounts")));
    Ok(())
}

/// Whether the customer receives suggestions (the security page's switch).
#[server(prefix = "/api", endpoint = "marketing_status")]
pub async fn marketing_status() -> Result<bool, AppError> {
    use crate::backend::auth::RequestContext;
    let ctx = RequestContext::current()?;
    let who = ctx.customer_for_read()?;
    let state = crate::backend::use_state()?;
    crate::backend::insight::recommend::marketing_ok(&state.db, who.customer_id).await
}

/// The customer turns suggestions on ("1") or off ("0"); audited.
#[server(prefix = "/api", endpoint = "marketing_setting")]
pub async fn set_marketing(on: String) -> Result<(), AppError> {
    use crate::backend::auth::RequestContext;
    let ctx = RequestContext::current()?;
    let who = ctx.customer_for_change()?;
    let on = match on.as_str() {
        "1" => true,
        "0" => false,
        _ => return Err(AppError::invalid("on")),
    };
    let state = crate::backend::use_state()?;
    crate::backend::insight::recommend::set_marketing(&state, &who, on, &ctx.origin).await?;
    leptos_axum::redirect("/security#marketing");
    Ok(())
}
