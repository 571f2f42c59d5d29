//! Step 3: the receipt of a transfer, found through its owner; printable (the print
//! stylesheet leaves the receipt alone on the page).
use super::{capital_amount, ErrorText, Steps};
use crate::api::transfers::receipt;
use crate::i18n::Key;
use crate::t;
use crate::types::Receipt;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

#[component]
pub fn ReceiptPage() -> impl IntoView {
    let params = use_params_map();
    let number = Memo::new(move |_| params.with(|p| p.get("receipt_no").unwrap_or_default()));
    let data = Resource::new_blocking(move || number.get(), receipt);
    view! {
        <section class="form-page wide xfer xfer-receipt" aria-labelledby="xfer-receipt-title">
            <Steps current=3 />
            <Suspense fallback=|| ()>
                {move || {
                    data.get()
                        .map(|answer| match answer {
                            Err(err) => {
                                view! {
                                    <h1 id="xfer-receipt-title">{t(Key::XferReceiptTitle)}</h1>
                                    <ErrorText err />
                                    <p><a class="button" href="/transfer">{t(Key::XferAnother)}</a></p>
                                }
                                    .into_any()
                            }
                            Ok(r) => view! { <ReceiptView r /> }.into_any(),
                        })
                }}
            </Suspense>
        </section>
    }
}

#[component]
fn ReceiptView(r: Receipt) -> impl IntoView {
    // The print button needs the WASM; until it runs, the page says how to print.
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let print = move |_| {
        #[cfg(feature = "hydrate")]
        {
            let _ = leptos::prelude::window().print();
        }
    };
    view! {
        <p class="success xfer-done" role="status">{t(Key::XferDone)}</p>
        <h1 id="xfer-receipt-title">{t(Key::XferReceiptTitle)}</h1>
        <div class="xfer-amount">
            <p class="xfer-amount-label">{t(Key::XferAmountLabel)}</p>
            <p class="xfer-amount-figure">{r.amount.display()}</p>
            <p class="xfer-amount-words">
                <span class="xfer-words-label">{t(Key::XferAmountWords)}</span>
                " "
                <span lang="zh-CN">{format!("人民币{}", capital_amount(r.amount.minor()))}</span>
            </p>
        </div>
        <dl class="xfer-details">
            <div>
                <dt>{t(Key::XferReceiptNo)}</dt>
                <dd class="xfer-number" data-testid="receipt-no">{r.receipt_no.clone()}</dd>
            </div>
            <div>
                <dt>{t(Key::XferTime)}</dt>
                <dd><time datetime=r.local_time.replace(' ', "T")>{r.local_time.clone()}</time></dd>
            </div>
            <div>
                <dt>{t(Key::XferPayee)}</dt>
                <dd><strong>{r.payee_name.clone()}</strong></dd>
            </div>
            <div>
                <dt>{t(Key::XferToAccount)}</dt>
                <dd class="xfer-number">{r.to_masked.clone()}</dd>
            </div>
            <div>
                <dt>{t(Key::XferFromAccount)}</dt>
                <dd class="xfer-number">{r.from_masked.clone()}</dd>
            </div>
            {(!r.memo.is_empty())
                .then(|| {
                    view! {
                        <div>
                            <dt>{t(Key::XferMemoLabel)}</dt>
                            <dd>{r.memo.clone()}</dd>
                        </div>
                    }
                })}
            <div>
                <dt>{t(Key::XferReceiptLimitLeft)}</dt>
                <dd>{r.daily_limit_left.display()}</dd>
            </div>
        </dl>
        <div class="xfer-actions">
            {move || {
                if hydrated.get() {
                    view! { <button class="button" type="button" on:click=print>{t(Key::XferPrint)}</button> }.into_any()
                } else {
                    view! { <p class="hint">{t(Key::XferPrintHint)}</p> }.into_any()
                }
            }}
            <a class="button primary" href="/transfer">{t(Key::XferAnother)}</a>
            <a class="button" href="/accounts">{t(Key::XferBackAccounts)}</a>
        </div>
    }
}
