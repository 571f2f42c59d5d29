//! The staff queue (`/staff/requests`): a GET filter form (it works without the
//! WASM), the requests earliest due first with their service-level flag, pages of
//! 50, and for supervisors a bulk-assign form around the list. On a phone the table
//! becomes one card per request (style/requests_staff.css).
use super::staff_actions::successes;
use super::LoadError;
use crate::api::requests_staff::{
    staff_requests, AssigneeFilter, BulkAssignRequests, DueFilter, Queue, QueueFilter, QueueRow, StaffChoice,
};
use crate::components::form::{action_error, FormError};
use crate::i18n::Key;
use crate::t;
use crate::types::{Priority, RequestKind, RequestStatus};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

const FILTER_FIELDS: [&str; 7] = ["kind", "status", "priority", "due", "assignee", "branch", "page"];

fn due_label(due: DueFilter) -> Key {
    match due {
        DueFilter::Overdue => Key::SrsDueOverdue,
        DueFilter::AtRisk => Key::SrsDueAtRisk,
        DueFilter::Today => Key::SrsDueToday,
        DueFilter::Escalated => Key::SrsDueEscalated,
    }
}

fn assignee_label(assignee: AssigneeFilter) -> Key {
    match assignee {
        AssigneeFilter::Me => Key::SrsAssigneeMe,
        AssigneeFilter::Unassigned => Key::SrsAssigneeUnassigned,
        AssigneeFilter::Any => Key::SrsAssigneeAny,
    }
}

#[component]
pub fn StaffQueuePage() -> impl IntoView {
    let query = use_query_map();
    let bulk = ServerAction::<BulkAssignRequests>::new();
    let assigned = successes(bulk);
    let fields = Memo::new(move |_| query.with(|q| FILTER_FIELDS.map(|name| q.get(name).filter(|v| !v.is_empty()))));
    let queue = Resource::new_blocking(
        move || (fields.get(), assigned.get()),
        |([kind, status, priority, due, assignee, branch, page], _)| {
            staff_requests(kind, status, priority, due, assignee, branch, page)
        },
    );
    view! {
        <section class="form-page wide srs srs-queue-page" aria-labelledby="srs-queue-title">
            <h1 id="srs-queue-title">{t(Key::SrsQueueTitle)}</h1>
            <p>{t(Key::SrsQueueLead)}</p>
            <Suspense fallback=|| view! { <p>{t(Key::SrsLoading)}</p> }>
                {move || {
                    queue
                        .get()
                        .map(|answer| match answer {
                            Err(err) => view! { <LoadError err /> }.into_any(),
                            Ok(queue) => queue_view(queue, bulk).into_any(),
                        })
                }}
            </Suspense>
        </section>
    }
}

/// A `<select>` option, selected when it is the current value.
fn choice(value: &'static str, label: Key, current: &str) -> impl IntoView {
    view! { <option value=value selected=value == current>{t(label)}</option> }
}

fn filter_form(filter: &QueueFilter, branches: Vec<String>) -> impl IntoView {
    let kind = filter.kind.map(|k| k.as_str()).unwrap_or_default();
    let status = filter.status.as_str();
    let priority = filter.priority.map(|p| p.as_str()).unwrap_or_default();
    let due = filter.due.map(|d| d.as_str()).unwrap_or_default();
    let assignee = filter.assignee.as_str();
    let branch = filter.branch.clone().unwrap_or_default();
    view! {
        <form method="get" action="/staff/requests" class="srs-filters" aria-labelledby="srs-filter-title">
            <h2 id="srs-filter-title" class="visually-hidden">{t(Key::SrsFilterTitle)}</h2>
            <div class="field">
                <label for="srs-kind">{t(Key::SrsFilterKind)}</label>
                <select id="srs-kind" name="kind">
                    {choice("", Key::SrsFilterAny, kind)}
                    {RequestKind::ALL.iter().map(|k| choice(k.as_str(), k.label(), kind)).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="srs-status">{t(Key::SrsFilterStatus)}</label>
                <select id="srs-status" name="status">
                    {choice("open", Key::SrsFilterOpen, status)}
                    {RequestStatus::ALL.iter().map(|s| choice(s.as_str(), s.label(), status)).collect_view()}
                    {choice("all", Key::SrsFilterAllStatuses, status)}
                </select>
            </div>
            <div class="field">
                <label for="srs-priority">{t(Key::SrsFilterPriority)}</label>
                <select id="srs-priority" name="priority">
                    {choice("", Key::SrsFilterAny, priority)}
                    {Priority::ALL.iter().map(|p| choice(p.as_str(), p.label(), priority)).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="srs-due">{t(Key::SrsFilterDue)}</label>
                <select id="srs-due" name="due">
                    {choice("", Key::SrsFilterAny, due)}
                    {DueFilter::ALL.into_iter().map(|d| choice(d.as_str(), due_label(d), due)).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="srs-assignee">{t(Key::SrsFilterAssignee)}</label>
                <select id="srs-assignee" name="assignee">
                    {AssigneeFilter::ALL
                        .into_iter()
                        .map(|a| choice(a.as_str(), assignee_label(a), assignee))
                        .collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="srs-branch">{t(Key::SrsFilterBranch)}</label>
                <select id="srs-branch" name="branch">
                    {choice("", Key::SrsFilterAny, &branch)}
                    {branches
                        .into_iter()
                        .map(|code| {
                            let selected = code == branch;
                            view! { <option value=code.clone() selected=selected>{code.clone()}</option> }
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="srs-filter-buttons">
                <button class="button primary" type="submit">{t(Key::SrsFilterSubmit)}</button>
                <a class="button" href="/staff/requests">{t(Key::SrsFilterReset)}</a>
            </div>
        </form>
    }
}

/// The queue's address for `page` with the same filters.
fn page_href(filter: &QueueFilter, page: i64) -> String {
    let mut parts =
        vec![format!("status={}", filter.status.as_str()), format!("assignee={}", filter.assignee.as_str())];
    if let Some(kind) = filter.kind {
        parts.push(format!("kind={}", kind.as_str()));
    }
    if let Some(priority) = filter.priority {
        parts.push(format!("priority={}", priority.as_str()));
    }
    if let Some(due) = filter.due {
        parts.push(format!("due={}", due.as_str()));
    }
    if let Some(branch) = &filter.branch {
        parts.push(format!("branch={branch}"));
    }
    parts.push(format!("page={page}"));
    format!("/staff/requests?{}", parts.join("&"))
}

fn queue_view(queue: Queue, bulk: ServerAction<BulkAssignRequests>) -> impl IntoView {
    let Queue { filter, rows, has_more, can_assign, staff, branches } = queue;
    let pager = (filter.page > 1 || has_more).then(|| {
        let previous = (filter.page > 1).then(|| page_href(&filter, filter.page - 1));
        let next = has_more.then(|| page_href(&filter, filter.page + 1));
        let here = super::fill(Key::SrsPageN, filter.page);
        view! {
            <nav class="srs-pager">
                {previous.map(|href| view! { <a href=href rel="prev">{t(Key::SrsPagePrevious)}</a> })}
                <span>{here}</span>
                {next.map(|href| view! { <a href=href rel="next">{t(Key::SrsPageNext)}</a> })}
            </nav>
        }
    });
    let list = if rows.is_empty() {
        view! { <p class="srs-empty">{t(Key::SrsQueueEmpty)}</p> }.into_any()
    } else if can_assign {
        bulk_form(bulk, rows, staff).into_any()
    } else {
        queue_table(rows, false).into_any()
    };
    view! {
        {filter_form(&filter, branches)}
        {list}
        {pager}
    }
}

fn bulk_form(action: ServerAction<BulkAssignRequests>, rows: Vec<QueueRow>, staff: Vec<StaffChoice>) -> impl IntoView {
    let error = action_error(action);
    view! {
        <ActionForm action attr:class="sr-bulk">
            {queue_table(rows, true)}
            <fieldset class="srs-bulk-controls">
                <legend>{t(Key::SrsBulkTitle)}</legend>
                <p class="hint">{t(Key::SrsBulkHint)}</p>
                <div class="field">
                    <label for="srs-bulk-to">{t(Key::SrsBulkTo)}</label>
                    <select id="srs-bulk-to" name="staff_no" required=true>
                        {staff_options(staff)}
                    </select>
                </div>
                <FormError error />
                <button class="button" type="submit">{t(Key::SrsBulkSubmit)}</button>
            </fieldset>
        </ActionForm>
    }
}

/// `<option>`s of active staff: "S00005 · 张丽 (agent)".
pub(super) fn staff_options(staff: Vec<StaffChoice>) -> impl IntoView {
    staff
        .into_iter()
        .map(|s| {
            let label = format!("{} · {} ({})", s.staff_no, s.name, s.role);
            view! { <option value=s.staff_no>{label}</option> }
        })
        .collect_view()
}

fn queue_table(rows: Vec<QueueRow>, selectable: bool) -> impl IntoView {
    view! {
        <table class="srs-queue">
            <thead>
                <tr>
                    {selectable.then(|| view! { <th scope="col">{t(Key::SrsColSelect)}</th> })}
                    <th scope="col">{t(Key::SrsColReference)}</th>
                    <th scope="col">{t(Key::SrsColKind)}</th>
                    <th scope="col">{t(Key::SrsColCustomer)}</th>
                    <th scope="col">{t(Key::SrsColStatus)}</th>
                    <th scope="col">{t(Key::SrsColDue)}</th>
                    <th scope="col">{t(Key::SrsColSla)}</th>
                    <th scope="col">{t(Key::SrsColAssignee)}</th>
                    <th scope="col">{t(Key::SrsColBranch)}</th>
                </tr>
            </thead>
            <tbody>{rows.into_iter().map(|row| queue_row(row, selectable)).collect_view()}</tbody>
        </table>
    }
}

/// One request: a table row on a wide screen, a card on a phone (each cell then
/// shows its own label).
fn queue_row(row: QueueRow, selectable: bool) -> impl IntoView {
    let href = format!("/staff/requests/{}", row.reference);
    let check_id = format!("srs-pick-{}", row.reference);
    let cell_label = |key: Key| view! { <span class="srs-cell-label">{t(key)}": "</span> };
    let sla_class = format!("srs-sla sla-{}", row.sla.as_str());
    let priority_class = format!("srs-priority srs-priority-{}", row.priority.as_str());
    view! {
        <tr class=format!("srs-row sla-row-{}", row.sla.as_str())>
            {selectable
                .then(|| {
                    view! {
                        <td class="srs-pick">
                            <input type="checkbox" id=check_id.clone() name="refs[]" value=row.reference.clone() />
                            <label for=check_id class="visually-hidden">{row.reference.clone()}</label>
                        </td>
                    }
                })}
            <td class="srs-ref">
                <a href=href>{row.reference.clone()}</a>
                <span class="srs-subject">{row.subject}</span>
            </td>
            <td>
                {cell_label(Key::SrsColKind)}
                {t(row.kind.label())}
                " "
                <span class=priority_class>{t(row.priority.label())}</span>
            </td>
            <td>{cell_label(Key::SrsColCustomer)}{format!("{} ({})", row.customer_name, row.customer_no)}</td>
            <td>{cell_label(Key::SrsColStatus)}{t(row.status.label())}</td>
            <td>
                {cell_label(Key::SrsColDue)}
                {match row.due_local {
                    Some(at) => view! { <time>{at}</time> }.into_any(),
                    None => view! { <span>{t(Key::SrsNoDue)}</span> }.into_any(),
                }}
            </td>
            <td>
                {cell_label(Key::SrsColSla)}
                <span class=sla_class>{t(row.sla.label())}</span>
                {row.escalated.then(|| view! { " " <span class="srs-escalated">{t(Key::SrsEscalated)}</span> })}
            </td>
            <td>
                {cell_label(Key::SrsColAssignee)}
                {match row.assignee_name {
                    Some(name) => view! { <span>{name}</span> }.into_any(),
                    None => view! { <span class="srs-unassigned">{t(Key::SrsUnassigned)}</span> }.into_any(),
                }}
            </td>
            <td>{cell_label(Key::SrsColBranch)}{row.branch_code}</td>
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::requests_staff::StatusFilter;

    #[test]
    fn page_links_keep_the_filters() {
        let filter = QueueFilter::from_form("dispute", "", "", "overdue", "me", "B003", "2").expect("filter");
        assert_eq!(
            page_href(&filter, 3),
            "/staff/requests?status=open&assignee=me&kind=dispute&due=overdue&branch=B003&page=3"
        );
        assert_eq!(StatusFilter::All.as_str(), "all");
    }
}
