//! The dashboard's tables as data: the page draws them and the CSV export
//! (`server/src/http/insight_export.rs`) writes them, from this one function, so
//! a download always equals the table on screen.
use crate::api::insight::{DashFilter, Dashboard};
use crate::i18n::{Key, Locale};
use crate::types::{Money, RequestKind, Segment};

/// The tables, by the name the export takes.
pub const TABLES: [&str; 7] = ["now", "holdings", "segments", "trend", "movements", "requests", "service"];

/// One cell: its text and, for a count, the list of customers behind it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cell {
    pub text: String,
    pub href: Option<String>,
}

impl Cell {
    fn text(text: impl Into<String>) -> Cell {
        Cell { text: text.into(), href: None }
    }

    fn count(value: i64, filter: &DashFilter, metric: &str) -> Cell {
        Cell { text: value.to_string(), href: Some(filter.drill_href(metric)) }
    }

    fn money(minor: i64) -> Cell {
        Cell::text(Money::yuan_fen(minor).display())
    }
}

/// A table: its title, column headings and rows (the first cell heads its row).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    pub id: &'static str,
    pub title: Key,
    pub headings: Vec<Key>,
    pub rows: Vec<Vec<Cell>>,
}

/// `part / whole` as a percentage with one decimal ("37.5%"), truncated; "–" of nothing.
pub fn share(part: i64, whole: i64) -> String {
    if whole <= 0 {
        return "–".to_owned();
    }
    let permille = i128::from(part) * 1000 / i128::from(whole);
    format!("{}.{}%", permille / 10, permille % 10)
}

/// `sum / count` with two decimals ("4.33"), truncated; "–" of nothing.
pub fn ratio(sum: i64, count: i64) -> String {
    if count <= 0 {
        return "–".to_owned();
    }
    let hundredths = i128::from(sum) * 100 / i128::from(count);
    format!("{}.{:02}", hundredths / 100, hundredths % 100)
}

pub fn kind_key(kind: &str) -> Option<Key> {
    Some(match kind {
        "demand_deposit" => Key::DashKindDemandDeposit,
        "time_deposit" => Key::DashKindTimeDeposit,
        "installment_savings" => Key::DashKindInstallmentSavings,
        "notice_deposit" => Key::DashKindNoticeDeposit,
        "credit_card" => Key::DashKindCreditCard,
        "loan" => Key::DashKindLoan,
        "wealth_fund" => Key::DashKindWealthFund,
        "insurance" => Key::DashKindInsurance,
        _ => return None,
    })
}

/// A request kind's name (the kind itself when this build does not know it).
pub fn request_kind_text(kind: &str, locale: Locale) -> String {
    RequestKind::parse(kind).map_or_else(|| kind.to_owned(), |k| locale.text(k.label()).to_owned())
}

pub fn segment_text(segment: Segment, locale: Locale) -> String {
    locale.text(segment.label()).to_owned()
}

/// Table `id` of the dashboard, in `locale`; None for an unknown name.
pub fn table(d: &Dashboard, id: &str, locale: Locale) -> Option<Table> {
    let f = &d.filter;
    let tx = |k: Key| Cell::text(locale.text(k));
    let (id, title, headings, rows): (&'static str, Key, Vec<Key>, Vec<Vec<Cell>>) = match id {
        "now" => {
            let n = &d.now;
            let rows = vec![
                vec![tx(Key::DashNowCustomers), Cell::count(n.customers, f, "customers"), Cell::text("")],
                vec![
                    tx(Key::DashNowEffective),
                    Cell::count(n.effective, f, "effective"),
                    Cell::text(share(n.effective, n.customers)),
                ],
                vec![tx(Key::DashNowDormant), Cell::count(n.dormant, f, "dormant"), Cell::text("")],
                vec![tx(Key::DashNowDormantSoon), Cell::count(n.dormant_soon, f, "dormant_soon"), Cell::text("")],
                vec![tx(Key::DashNowEmptyCards), Cell::count(n.empty_cards, f, "empty_card"), Cell::text("")],
                vec![tx(Key::DashNowDeposits), Cell::money(n.deposits), Cell::text("")],
                vec![tx(Key::DashNowDebitCards), Cell::count(n.debit_cards, f, "debit_card"), Cell::text("")],
                vec![tx(Key::DashNowCardDeposits), Cell::money(n.card_deposits), Cell::text("")],
                vec![tx(Key::DashNowPerCard), Cell::money(n.per_card), Cell::text("")],
                vec![tx(Key::DashNowProducts), Cell::text(n.products.to_string()), Cell::text("")],
                vec![tx(Key::DashNowPerCustomer), Cell::text(ratio(n.products, n.customers)), Cell::text("")],
            ];
            ("now", Key::DashNowTitle, vec![Key::DashColIndicator, Key::DashColValue, Key::DashColShare], rows)
        }
        "holdings" => {
            let rows = d
                .now
                .holdings
                .iter()
                .map(|h| {
                    vec![
                        kind_key(&h.kind).map_or_else(|| Cell::text(h.kind.clone()), tx),
                        Cell::count(h.holders, f, &format!("holding:{}", h.kind)),
                        Cell::text(share(h.holders, d.now.customers)),
                    ]
                })
                .collect();
            ("holdings", Key::DashHoldingTitle, vec![Key::DashColKind, Key::DashColHolders, Key::DashColShare], rows)
        }
        "segments" => {
            let all: i64 = d.now.segments.iter().map(|s| s.customers).sum();
            let rows = d
                .now
                .segments
                .iter()
                .map(|s| {
                    vec![
                        Cell::text(segment_text(s.segment, locale)),
                        Cell::count(s.customers, f, &format!("segment:{}", s.segment.as_str())),
                        Cell::text(share(s.customers, all)),
                        Cell::money(s.aum),
                    ]
                })
                .collect();
            let headings = vec![Key::DashColSegment, Key::DashColCustomers, Key::DashColShare, Key::DashColAum];
            ("segments", Key::DashSegmentsTitle, headings, rows)
        }
        "trend" => {
            let rows = d
                .months
                .iter()
                .map(|m| {
                    let mut row = vec![
                        Cell::text(m.month.clone()),
                        Cell::count(m.customers, f, &format!("month:{}", m.month)),
                        Cell::count(m.effective, f, &format!("month_effective:{}", m.month)),
                        Cell::money(m.deposits),
                        Cell::money(m.growth),
                    ];
                    row.extend(m.aum.iter().map(|a| Cell::money(*a)));
                    row
                })
                .collect();
            let headings = vec![
                Key::DashColMonth,
                Key::DashColCustomers,
                Key::DashColEffective,
                Key::DashColDeposits,
                Key::DashColGrowth,
                Key::DashColAumMass,
                Key::DashColAumAffluent,
                Key::DashColAumHighEnd,
                Key::DashColAumPrivate,
            ];
            ("trend", Key::DashTrendTitle, headings, rows)
        }
        "movements" => {
            let rows = d
                .movements
                .iter()
                .map(|m| {
                    let metric = format!("moved:{}:{}:{}", m.month, m.from.as_str(), m.to.as_str());
                    vec![
                        Cell::text(m.month.clone()),
                        Cell::text(segment_text(m.from, locale)),
                        Cell::text(segment_text(m.to, locale)),
                        Cell::count(m.customers, f, &metric),
                    ]
                })
                .collect();
            let headings = vec![Key::DashColMonth, Key::DashColFrom, Key::DashColTo, Key::DashColCustomers];
            ("movements", Key::DashMovementsTitle, headings, rows)
        }
        "requests" => {
            let rows = d
                .period
                .requests
                .iter()
                .map(|k| {
                    vec![
                        Cell::text(request_kind_text(&k.kind, locale)),
                        Cell::count(k.created, f, &format!("requests:{}", k.kind)),
                        Cell::count(k.resolved, f, &format!("resolved:{}", k.kind)),
                        Cell::count(k.in_time, f, &format!("in_time:{}", k.kind)),
                        Cell::text(share(k.in_time, k.resolved)),
                    ]
                })
                .collect();
            let headings = vec![
                Key::DashColKind,
                Key::DashColCreated,
                Key::DashColResolved,
                Key::DashColInTime,
                Key::DashColShare,
            ];
            ("requests", Key::DashRequestsTitle, headings, rows)
        }
        "service" => {
            let p = &d.period;
            let rows = vec![
                vec![tx(Key::DashPeriodNew), Cell::count(p.new_customers, f, "new")],
                vec![tx(Key::DashPeriodLost), Cell::count(p.lost_customers, f, "lost")],
                vec![tx(Key::DashPeriodDepositsFirst), Cell::money(p.deposits_first)],
                vec![tx(Key::DashPeriodDepositsLast), Cell::money(p.deposits_last)],
                vec![tx(Key::DashPeriodGrowth), Cell::money(p.deposits_last - p.deposits_first)],
                vec![tx(Key::DashPeriodRatings), Cell::count(p.ratings, f, "rated")],
                vec![tx(Key::DashPeriodRatingAverage), Cell::text(ratio(p.rating_sum, p.ratings))],
                vec![tx(Key::DashPeriodHeld), Cell::count(p.held, f, "held")],
                vec![tx(Key::DashPeriodNoShow), Cell::count(p.no_show, f, "no_show")],
            ];
            ("service", Key::DashPeriodTitle, vec![Key::DashColIndicator, Key::DashColValue], rows)
        }
        _ => return None,
    };
    Some(Table { id, title, headings, rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_and_ratios_truncate() {
        assert_eq!(share(1, 3), "33.3%");
        assert_eq!(share(2, 3), "66.6%");
        assert_eq!(share(3, 3), "100.0%");
        assert_eq!(share(1, 0), "–");
        assert_eq!(ratio(13, 3), "4.33");
        assert_eq!(ratio(5, 1), "5.00");
        assert_eq!(ratio(0, 0), "–");
    }
}
