//! Each rule at its boundaries, with constructed facts.
use super::*;

fn day(text: &str) -> Day {
    Day::parse(text).unwrap_or_else(|| panic!("bad day {text}"))
}

const TODAY: &str = "2026-11-29";

fn product(code: &str, kind: &str, rate: Option<i64>, term: Option<i64>, risk: Option<i64>) -> CatalogueProduct {
    CatalogueProduct {
        code: code.into(),
        kind: kind.into(),
        name: Localized { zh: code.into(), en: code.into() },
        rate_bp: rate,
        term_months: term,
        risk_level: risk,
    }
}

fn catalogue() -> Vec<CatalogueProduct> {
    vec![
        product("TD-3M", "time_deposit", Some(105), Some(3), None),
        product("TD-1Y", "time_deposit", Some(135), Some(12), None),
        product("IS-1Y", "installment_savings", Some(110), Some(12), None),
        product("LN-AGRI", "loan", Some(360), Some(24), None),
        product("WM-R2", "wealth_fund", None, None, Some(2)),
        product("WM-R4", "wealth_fund", None, None, Some(4)),
        product("WM-UNRATED", "wealth_fund", None, None, None),
    ]
}

fn facts() -> CustomerFacts {
    CustomerFacts { customer_id: 1, marketing_ok: true, ..CustomerFacts::default() }
}

fn rules(f: &CustomerFacts) -> Vec<(RuleId, String)> {
    let s = InsightSettings { max_recommendations: 10, ..InsightSettings::default() };
    recommend(f, &s, day(TODAY), &catalogue()).into_iter().map(|r| (r.rule, r.product_code)).collect()
}

#[test]
fn idle_balance_from_exactly_the_threshold() {
    let s = InsightSettings::default();
    let mut f = facts();
    f.idle_balance = s.idle_balance_from - 1;
    assert!(idle_balance(&f, &s, &catalogue()).is_none());
    f.idle_balance = s.idle_balance_from;
    let r = idle_balance(&f, &s, &catalogue()).expect("suggested at the threshold");
    assert_eq!(r.product_code, "TD-1Y", "the one-year deposit");
    assert_eq!(r.facts.rate_bp, Some(135));
    assert_eq!(r.facts.count, Some(3));
}

#[test]
fn maturing_within_the_window_today_included() {
    let s = InsightSettings::default();
    let today = day(TODAY);
    let mut f = facts();
    for (at, shown) in [("2026-11-28", false), ("2026-11-29", true), ("2026-12-29", true), ("2026-12-30", false)] {
        f.next_maturity = Some(("TD-3M".into(), 20_000_00, day(at)));
        assert_eq!(maturing(&f, &s, today, &catalogue()).is_some(), shown, "maturing on {at}");
    }
    f.next_maturity = Some(("TD-GONE".into(), 1, today));
    assert!(maturing(&f, &s, today, &catalogue()).is_none(), "a product no longer sold");
}

#[test]
fn salary_needs_a_credit_and_no_installment_savings() {
    let s = InsightSettings::default();
    let mut f = facts();
    assert!(salary(&f, &s, &catalogue()).is_none());
    f.salary_credits = 1;
    assert_eq!(salary(&f, &s, &catalogue()).map(|r| r.product_code), Some("IS-1Y".to_owned()));
    f.has_installment = true;
    assert!(salary(&f, &s, &catalogue()).is_none());
}

#[test]
fn agricultural_loan_for_rural_farmers_without_one() {
    let mut f = facts();
    assert!(agri_loan(&f, &catalogue()).is_none());
    f.rural_farmer = true;
    assert!(agri_loan(&f, &catalogue()).is_some());
    f.held.insert(AGRI_LOAN.into());
    assert!(agri_loan(&f, &catalogue()).is_none());
}

#[test]
fn wealth_funds_only_within_a_valid_assessment() {
    let s = InsightSettings::default();
    let today = day(TODAY);
    let mut f = facts();
    assert!(wealth_fund(&f, &s, today, &catalogue()).is_none(), "no assessment: nothing");
    f.risk = Some((1, day("2026-09-01")));
    assert!(wealth_fund(&f, &s, today, &catalogue()).is_none(), "C1 is below every rating");
    f.risk = Some((3, day("2026-09-01")));
    assert_eq!(wealth_fund(&f, &s, today, &catalogue()).map(|r| r.product_code), Some("WM-R2".to_owned()));
    f.risk = Some((4, day("2026-09-01")));
    assert_eq!(wealth_fund(&f, &s, today, &catalogue()).map(|r| r.product_code), Some("WM-R4".to_owned()));
    // Valid for risk_valid_months (12): made on 2025-11-29 it counts, a day earlier not.
    f.risk = Some((5, day("2025-11-29")));
    assert!(wealth_fund(&f, &s, today, &catalogue()).is_some());
    f.risk = Some((5, day("2025-11-28")));
    assert!(wealth_fund(&f, &s, today, &catalogue()).is_none(), "expired");
    f.risk = Some((5, day("2026-11-30")));
    assert!(wealth_fund(&f, &s, today, &catalogue()).is_none(), "dated in the future");
}

#[test]
fn an_unrated_fund_is_never_suitable() {
    let s = InsightSettings::default();
    let mut f = facts();
    f.risk = Some((5, day(TODAY)));
    let unrated = product("WM-UNRATED", "wealth_fund", None, None, None);
    assert!(!suitable(&f, &s, day(TODAY), &unrated));
}

#[test]
fn marketing_off_means_nothing() {
    let mut f = facts();
    f.idle_balance = i64::MAX;
    f.rural_farmer = true;
    assert_eq!(rules(&f).len(), 2);
    f.marketing_ok = false;
    assert!(rules(&f).is_empty());
}

#[test]
fn dismissed_ones_go_and_the_count_is_capped() {
    let mut f = facts();
    f.idle_balance = i64::MAX;
    f.rural_farmer = true;
    f.salary_credits = 3;
    f.next_maturity = Some(("TD-3M".into(), 1, day(TODAY)));
    f.risk = Some((2, day(TODAY)));
    let all = rules(&f);
    assert_eq!(
        all.iter().map(|r| r.0).collect::<Vec<_>>(),
        vec![RuleId::Maturing, RuleId::IdleBalance, RuleId::Salary, RuleId::WealthFund, RuleId::AgriLoan]
    );
    f.dismissed.insert(("idle_balance".into(), "TD-1Y".into()));
    assert!(!rules(&f).iter().any(|r| r.0 == RuleId::IdleBalance));
    let three = recommend(&f, &InsightSettings::default(), day(TODAY), &catalogue());
    assert_eq!(three.len(), 3, "max_recommendations");
    assert_eq!(three[2].rule, RuleId::WealthFund, "the dismissed one makes room for the next");
}
