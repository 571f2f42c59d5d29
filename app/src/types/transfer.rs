//! What the transfer pages show: the accounts a customer may pay from and to, saved
//! payees, and the confirmation before any money moves. Amounts are [`Money`] (fen).
use super::{AccountStatus, Localized, Money, ProductKind, Tier};
use serde::{Deserialize, Serialize};

/// A demand deposit the customer may pay from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayableAccount {
    pub id: i64,
    pub name: Localized,
    pub number_masked: String,
    pub balance: Money,
    pub tier: Tier,
    pub status: AccountStatus,
    /// What may still go to others today (the smaller of the daily and yearly limits left).
    pub limit_left_today: Money,
}

/// One of the customer's own accounts money may go to (demand deposits, credit cards).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnDestination {
    pub id: i64,
    pub kind: ProductKind,
    pub name: Localized,
    pub number_masked: String,
}

/// A saved payee, as the owner sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayeeView {
    pub id: i64,
    pub account_masked: String,
    pub holder_name: String,
    /// The customer's own name for the payee ("Mum"); empty when none was given.
    pub nickname: String,
    /// When it was last paid, in the bank's zone ("2026-11-29 10:05").
    pub last_used_local: Option<String>,
}

impl PayeeView {
    /// "Mum (王芳)" or just "王芳".
    pub fn label(&self) -> String {
        if self.nickname.is_empty() {
            self.holder_name.clone()
        } else {
            format!("{} ({})", self.nickname, self.holder_name)
        }
    }
}

/// Everything the first step of the transfer form needs, in one request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferForm {
    pub from: Vec<PayableAccount>,
    pub own: Vec<OwnDestination>,
    pub payees: Vec<PayeeView>,
    /// A fresh key for this form: sending it twice moves the money once.
    pub idempotency_key: String,
}

/// The second step: what will happen if the customer confirms. Nothing has moved yet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferConfirmation {
    pub from_masked: String,
    pub to_masked: String,
    pub payee_name: String,
    pub amount: Money,
    /// Today's limit left on the paying account before this transfer; `None` when the
    /// transfer does not count (between the customer's own accounts).
    pub daily_limit_left: Option<Money>,
    /// A new payee, or an amount above the step-up threshold: the authenticator code is needed.
    pub needs_step_up: bool,
    /// The code was confirmed within the last few minutes: no need to ask again.
    pub step_up_fresh: bool,
    /// The customer has an authenticator app set up (else they must set one up first).
    pub has_authenticator: bool,
    pub new_payee: bool,
    /// Above this amount every transfer needs the code.
    pub step_up_above: Money,
}

impl TransferConfirmation {
    /// Whether the code field must be filled before sending.
    pub fn code_needed(&self) -> bool {
        self.needs_step_up && !self.step_up_fresh
    }
}
