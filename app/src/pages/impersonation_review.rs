//! The supervisors' review of "view as customer" sessions: the list
//! (`/staff/impersonations`, a GET filter form and the audit-trail export form, both
//! plain HTML forms that work without the WASM) and one session with its actions
//! (`/staff/impersonations/:id`). A running session offers "grant assist mode" or
//! "revoke to read-only" (never on one's own). On a phone the tables become one
//! card per row (style/impersonation_review.css).
use crate::api::impersonation_review::{
    impersonation_review_detail, impersonation_review_list, ImpersonationGrantAssist, ImpersonationRevokeAssist,
    ReviewAction, ReviewDetail, ReviewFilter, ReviewList, ReviewRow,
};
use crate::components::form::{action_error, FormError};
use crate::error::{AppError, ErrorCode};
use crate::i18n::Key;
use crate::t;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

const FILTER_FIELDS: [&str; 5] = ["staff", "customer", "from", "to", "running"];

/// An error from a page's data (not a form). The page itself answers 200 (its
/// status is sent before its data resolves, with in-order streaming); the server
/// functions behind it answer with the error's status (403, 404).
#[component]
fn LoadError(err: AppError) -> impl IntoView {
    view! { <p class="error" role="alert">{t(err.code.message_key())}</p> }
}

#[component]
pub fn ImpersonationsPage() -> impl IntoView {
    let query = use_query_map();
    let grant = ServerAction::<ImpersonationGrantAssist>::new();
    let revoke = ServerAction::<ImpersonationRevokeAssist>::new();
    let fields = Memo::new(move |_| query.with(|q| FILTER_FIELDS.map(|name| q.get(name).filter(|v| !v.is_empty()))));
    let list = Resource::new_blocking(
        move || (fields.get(), grant.version().get(), revoke.version().get()),
        |([staff, customer, from, to, running], _, _)| impersonation_review_list(staff, customer, from, to, running),
    );
    let grant_error = action_error(grant);
    let revoke_error = action_error(revoke);
    view! {
        <section class="form-page wide irv" aria-labelledby="irv-title">
            <h1 id="irv-title">{t(Key::ReviewTitle)}</h1>
            <p>{t(Key::ReviewLead)}</p>
            <FormError error=grant_error />
            <FormError error=revoke_error />
            <Suspense fallback=|| view! { <p>{t(Key::ReviewLoading)}</p> }>
                {move || {
                    list.get()
                        .map(|answer| match answer {
                            Err(err) => {
                                // A bad filter can be cleared; a refusal offers nothing.
                                let bad_filter = err.code == ErrorCode::BadRequest;
                                view! {
                                    <LoadError err />
                                    {bad_filter
                                        .then(|| {
                                            view! {
                                                <p>
                                                    <a href="/staff/impersonations">{t(Key::ReviewFilterReset)}</a>
                                                </p>
                                            }
                                        })}
                                }
                                    .into_any()
                            }
                            Ok(list) => list_view(list, grant, revoke).into_any(),
                        })
                }}
            </Suspense>
        </section>
    }
}

fn list_view(
    list: ReviewList,
    grant: ServerAction<ImpersonationGrantAssist>,
    revoke: ServerAction<ImpersonationRevokeAssist>,
) -> impl IntoView {
    let ReviewList { filter, rows, truncated, export_from, export_to } = list;
    let export = export_form(&filter, export_from, export_to);
    let table = if rows.is_empty() {
        view! { <p class="irv-empty">{t(Key::ReviewEmpty)}</p> }.into_any()
    } else {
        sessions_table(rows, grant, revoke).into_any()
    };
    view! {
        {filter_form(filter)}
        {table}
        {truncated.then(|| view! { <p class="irv-truncated">{t(Key::ReviewTruncated)}</p> })}
        {export}
    }
}

fn filter_form(filter: ReviewFilter) -> impl IntoView {
    view! {
        <form method="get" action="/staff/impersonations" class="irv-filters" aria-labelledby="irv-filter-title">
            <h2 id="irv-filter-title" class="visually-hidden">{t(Key::ReviewFilterTitle)}</h2>
            <div class="field">
                <label for="irv-staff">{t(Key::ReviewFilterStaff)}</label>
                <input id="irv-staff" name="staff" type="text" value=filter.staff maxlength="20" autocomplete="off" />
            </div>
            <div class="field">
                <label for="irv-customer">{t(Key::ReviewFilterCustomer)}</label>
                <input id="irv-customer" name="customer" type="text" value=filter.customer maxlength="20" autocomplete="off" />
            </div>
            <div class="field">
                <label for="irv-from">{t(Key::ReviewFilterFrom)}</label>
                <input id="irv-from" name="from" type="date" value=filter.from />
            </div>
            <div class="field">
                <label for="irv-to">{t(Key::ReviewFilterTo)}</label>
                <input id="irv-to" name="to" type="date" value=filter.to />
            </div>
            <div class="field irv-check">
                <input id="irv-running" name="running" type="checkbox" value="1" checked=filter.running />
                <label for="irv-running">{t(Key::ReviewFilterRunning)}</label>
            </div>
            <div class="irv-buttons">
                <button class="button primary" type="submit">{t(Key::ReviewFilterSubmit)}</button>
                <a class="button" href="/staff/impersonations">{t(Key::ReviewFilterReset)}</a>
            </div>
        </form>
    }
}

/// The audit-trail export: a plain GET form to the CSV route (a download).
fn export_form(filter: &ReviewFilter, from: String, to: String) -> impl IntoView {
    let customer = filter.customer.clone();
    let staff = if filter.customer.is_empty() { filter.staff.clone() } else { String::new() };
    view! {
        <section class="irv-export" aria-labelledby="irv-export-title">
            <h2 id="irv-export-title">{t(Key::ReviewExportTitle)}</h2>
            <p class="hint">{t(Key::ReviewExportLead)}</p>
            <form method="get" action="/staff/audit.csv" class="irv-export-form">
                <div class="field">
                    <label for="irv-x-customer">{t(Key::ReviewExportCustomer)}</label>
                    <input id="irv-x-customer" name="customer" type="text" value=customer maxlength="20" autocomplete="off" />
                </div>
                <div class="field">
                    <label for="irv-x-staff">{t(Key::ReviewExportStaff)}</label>
                    <input id="irv-x-staff" name="staff" type="text" value=staff maxlength="20" autocomplete="off" />
                </div>
                <div class="field">
                    <label for="irv-x-from">{t(Key::ReviewExportFrom)}</label>
                    <input id="irv-x-from" name="from" type="date" value=from required=true />
                </div>
                <div class="field">
                    <label for="irv-x-to">{t(Key::ReviewExportTo)}</label>
                    <input id="irv-x-to" name="to" type="date" value=to required=true />
                </div>
                <div class="irv-buttons">
                    <button class="button primary" type="submit">{t(Key::ReviewExportSubmit)}</button>
                </div>
            </form>
        </section>
    }
}

fn sessions_table(
    rows: Vec<ReviewRow>,
    grant: ServerAction<ImpersonationGrantAssist>,
    revoke: ServerAction<ImpersonationRevokeAssist>,
) -> impl IntoView {
    view! {
        <div class="irv-table-wrap">
            <table class="irv-table">
                <thead>
                    <tr>
                        <th scope="col">{t(Key::ReviewColStaff)}</th>
                        <th scope="col">{t(Key::ReviewColCustomer)}</th>
                        <th scope="col">{t(Key::ReviewColReason)}</th>
                        <th scope="col">{t(Key::ReviewColReference)}</th>
                        <th scope="col">{t(Key::ReviewColMode)}</th>
                        <th scope="col">{t(Key::ReviewColStarted)}</th>
                        <th scope="col">{t(Key::ReviewColEnded)}</th>
                        <th scope="col">{t(Key::ReviewColEndReason)}</th>
                        <th scope="col" class="num">{t(Key::ReviewColRequests)}</th>
                        <th scope="col" class="num">{t(Key::ReviewColRefused)}</th>
                        <th scope="col">{t(Key::ReviewColActions)}</th>
                    </tr>
                </thead>
                <tbody>{rows.into_iter().map(|row| session_row(row, grant, revoke)).collect_view()}</tbody>
            </table>
        </div>
    }
}

fn cell_label(key: Key) -> impl IntoView {
    view! { <span class="irv-cell-label">{t(key)}": "</span> }
}

fn mode_view(row: &ReviewRow) -> impl IntoView {
    let granted = row.assist_granted_by.clone().map(|by| view! { " (" {t(Key::ReviewGrantedBy)} " " {by} ")" });
    view! {
        <span class=format!("irv-mode irv-mode-{}", row.access.mode.as_str())>{t(row.access.mode.label())}</span>
        {granted}
    }
}

fn end_view(row: &ReviewRow) -> impl IntoView {
    let running = row.access.running.then(|| view! { " " <span class="irv-running">{t(Key::ReviewRunning)}</span> });
    view! {
        <time>{row.access.ended_local.clone()}</time>
        {running}
    }
}

fn end_reason_view(row: &ReviewRow) -> AnyView {
    match row.access.end_reason {
        Some(reason) => view! { <span>{t(reason.label())}</span> }.into_any(),
        None => view! { <span>"–"</span> }.into_any(),
    }
}

/// The grant or revoke button of a running session, when the viewer may use it.
fn mode_buttons(
    row: &ReviewRow,
    grant: ServerAction<ImpersonationGrantAssist>,
    revoke: ServerAction<ImpersonationRevokeAssist>,
) -> impl IntoView {
    let id = row.access.id.to_string();
    let grant_form = row.can_grant.then(|| {
        let id = id.clone();
        view! {
            <ActionForm action=grant attr:class="irv-mode-form">
                <input type="hidden" name="id" value=id />
                <button class="button" type="submit">{t(Key::ReviewGrant)}</button>
            </ActionForm>
        }
    });
    let revoke_form = row.can_revoke.then(|| {
        view! {
            <ActionForm action=revoke attr:class="irv-mode-form">
                <input type="hidden" name="id" value=id />
                <button class="button" type="submit">{t(Key::ReviewRevoke)}</button>
            </ActionForm>
        }
    });
    view! {
        {grant_form}
        {revoke_form}
    }
}

fn session_row(
    row: ReviewRow,
    grant: ServerAction<ImpersonationGrantAssist>,
    revoke: ServerAction<ImpersonationRevokeAssist>,
) -> impl IntoView {
    let href = format!("/staff/impersonations/{}", row.access.id);
    let class = if row.access.running { "irv-row irv-row-running" } else { "irv-row" };
    let mode = mode_view(&row);
    let end = end_view(&row);
    let end_reason = end_reason_view(&row);
    let buttons = mode_buttons(&row, grant, revoke);
    view! {
        <tr class=class data-id=row.access.id.to_string()>
            <td>{cell_label(Key::ReviewColStaff)}{format!("{} {}", row.access.staff_no, row.access.staff_name)}</td>
            <td>{cell_label(Key::ReviewColCustomer)}{format!("{} {}", row.access.customer_no, row.access.customer_name)}</td>
            <td class="irv-reason">{cell_label(Key::ReviewColReason)}{row.access.reason}</td>
            <td>{cell_label(Key::ReviewColReference)}{row.access.reference}</td>
            <td>{cell_label(Key::ReviewColMode)}{mode}</td>
            <td>{cell_label(Key::ReviewColStarted)}<time>{row.access.started_local}</time></td>
            <td>{cell_label(Key::ReviewColEnded)}{end}</td>
            <td>{cell_label(Key::ReviewColEndReason)}{end_reason}</td>
            <td class="num">{cell_label(Key::ReviewColRequests)}{row.access.requests}</td>
            <td class="num">{cell_label(Key::ReviewColRefused)}{row.access.refused}</td>
            <td class="irv-actions">
                <a href=href>{t(Key::ReviewOpen)}</a>
                {buttons}
            </td>
        </tr>
    }
}

#[component]
pub fn ImpersonationPage() -> impl IntoView {
    let params = use_params_map();
    let grant = ServerAction::<ImpersonationGrantAssist>::new();
    let revoke = ServerAction::<ImpersonationRevokeAssist>::new();
    let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|id| id.parse::<i64>().ok()).unwrap_or(0)));
    let detail = Resource::new_blocking(
        move || (id.get(), grant.version().get(), revoke.version().get()),
        |(id, _, _)| impersonation_review_detail(id),
    );
    let grant_error = action_error(grant);
    let revoke_error = action_error(revoke);
    view! {
        <section class="form-page wide irv" aria-labelledby="irv-detail-title">
            <p class="irv-back">
                <a href="/staff/impersonations">{t(Key::ReviewBack)}</a>
            </p>
            <h1 id="irv-detail-title">{t(Key::ReviewDetailTitle)}</h1>
            <FormError error=grant_error />
            <FormError error=revoke_error />
            <Suspense fallback=|| view! { <p>{t(Key::ReviewLoading)}</p> }>
                {move || {
                    detail
                        .get()
                        .map(|answer| match answer {
                            Err(err) => view! { <LoadError err /> }.into_any(),
                            Ok(detail) => detail_view(detail, grant, revoke).into_any(),
                        })
                }}
            </Suspense>
        </section>
    }
}

fn detail_view(
    detail: ReviewDetail,
    grant: ServerAction<ImpersonationGrantAssist>,
    revoke: ServerAction<ImpersonationRevokeAssist>,
) -> impl IntoView {
    let ReviewDetail { session, actions, truncated, export_href } = detail;
    let mode = mode_view(&session);
    let end = end_view(&session);
    let end_reason = end_reason_view(&session);
    let buttons = mode_buttons(&session, grant, revoke);
    view! {
        <dl class="irv-summary" data-id=session.access.id.to_string()>
            <dt>{t(Key::ReviewColStaff)}</dt>
            <dd>{format!("{} {}", session.access.staff_no, session.access.staff_name)}</dd>
            <dt>{t(Key::ReviewColCustomer)}</dt>
            <dd>{format!("{} {}", session.access.customer_no, session.access.customer_name)}</dd>
            <dt>{t(Key::ReviewColReason)}</dt>
            <dd class="irv-reason">{session.access.reason.clone()}</dd>
            <dt>{t(Key::ReviewColReference)}</dt>
            <dd>{session.access.reference.clone()}</dd>
            <dt>{t(Key::ReviewColMode)}</dt>
            <dd>{mode}</dd>
            <dt>{t(Key::ReviewColStarted)}</dt>
            <dd>
                <time>{session.access.started_local.clone()}</time>
            </dd>
            <dt>{t(Key::ReviewColEnded)}</dt>
            <dd>{end}</dd>
            <dt>{t(Key::ReviewColEndReason)}</dt>
            <dd>{end_reason}</dd>
            <dt>{t(Key::ReviewColRequests)}</dt>
            <dd>{session.access.requests}</dd>
            <dt>{t(Key::ReviewColRefused)}</dt>
            <dd>{session.access.refused}</dd>
        </dl>
        <div class="irv-detail-buttons">{buttons}</div>
        <p>
            <a href=export_href download="">{t(Key::ReviewExportSession)}</a>
        </p>
        <h2>{t(Key::ReviewActionsTitle)}</h2>
        {actions_table(actions)}
        {truncated.then(|| view! { <p class="irv-truncated">{t(Key::ReviewActionsTruncated)}</p> })}
    }
}

/// The translated name of the events a session writes; others show as stored.
fn event_label(event: &str) -> Option<Key> {
    match event {
        "impersonation_started" => Some(Key::ReviewEventStarted),
        "impersonation_request" => Some(Key::ReviewEventRequest),
        "impersonation_ended" => Some(Key::ReviewEventEnded),
        "impersonation_assist_granted" => Some(Key::ReviewEventAssistGranted),
        "impersonation_assist_revoked" => Some(Key::ReviewEventAssistRevoked),
        _ => None,
    }
}

fn actions_table(actions: Vec<ReviewAction>) -> AnyView {
    if actions.is_empty() {
        return view! { <p class="irv-empty">{t(Key::ReviewActionsNone)}</p> }.into_any();
    }
    view! {
        <div class="irv-table-wrap">
            <table class="irv-table irv-actions-table">
                <thead>
                    <tr>
                        <th scope="col">{t(Key::ReviewActTime)}</th>
                        <th scope="col">{t(Key::ReviewActEvent)}</th>
                        <th scope="col">{t(Key::ReviewActActor)}</th>
                        <th scope="col">{t(Key::ReviewActRoute)}</th>
                        <th scope="col">{t(Key::ReviewActResult)}</th>
                    </tr>
                </thead>
                <tbody>
                    {actions
                        .into_iter()
                        .map(|a| {
                            let event = match event_label(&a.event) {
                                Some(key) => view! { <span data-event=a.event.clone()>{t(key)}</span> }.into_any(),
                                None => view! { <span data-event=a.event.clone()>{a.event.clone()}</span> }.into_any(),
                            };
                            let route = if a.method.is_empty() { a.route } else { format!("{} {}", a.method, a.route) };
                            let result_class = format!("irv-result irv-result-{}", a.result);
                            view! {
                                <tr class="irv-row" data-audit=a.audit_id.to_string()>
                                    <td>{cell_label(Key::ReviewActTime)}<time>{a.at_local}</time></td>
                                    <td>{cell_label(Key::ReviewActEvent)}{event}</td>
                                    <td>{cell_label(Key::ReviewActActor)}{a.actor}</td>
                                    <td class="irv-route">{cell_label(Key::ReviewActRoute)}{route}</td>
                                    <td>{cell_label(Key::ReviewActResult)}<span class=result_class>{a.result}</span></td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}
