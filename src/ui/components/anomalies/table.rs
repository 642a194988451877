//! The anomaly table: filters, sortable headers, one worker-paged page of rows, bulk selection
//! and keyboard navigation (rows are focusable; ↑/↓ move, Enter opens the detail, Space ticks).

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::engine::ensemble::Severity;
use crate::engine::feedback::Verdict;
use crate::engine::triage::{
    SortKey, SuppressedFilter, TablePage, TableQuery, TableRow, TableSort, VerdictFilter,
};
use crate::ui::components::anomalies::{
    mark_rows, use_anomalies, verdict_label, AnomaliesCtx, PAGE_SIZES,
};
use crate::ui::format;
use crate::ui::hooks::use_worker::{use_worker, UseWorkerReturn};
use crate::ui::state::{use_app_state, AppState};
use crate::worker::protocol::TableQuery as TableRequest;

/// Keeps the page of rows in step with the result, threshold, feedback, rules, filters, order
/// and paging: one worker query per change; answers to superseded queries are dropped.
pub fn sync_table(state: AppState, ctx: AnomaliesCtx, worker: UseWorkerReturn) {
    let seq = StoredValue::new(0u64);
    Effect::new(move |_| {
        let has_result = state.result.with(Option::is_some);
        let q = TableQuery {
            filter: ctx.filter.get(),
            sort: ctx.sort.get(),
            offset: ctx.offset.get(),
            limit: ctx.page_size.get(),
            threshold: state.threshold.get(),
            feedback: state.feedback.get(),
            suppressions: state.suppressions.get(),
            all_matching: false,
        };
        seq.update_value(|s| *s += 1);
        let mine = seq.get_value();
        if !has_result {
            ctx.page.set(None);
            return;
        }
        let started = js_sys::Date::now();
        let answer = worker.request(TableRequest(Box::new(q)));
        leptos::task::spawn_local(async move {
            let answer = answer.await;
            if seq.try_get_value() != Some(mine) {
                return;
            }
            match answer {
                Ok(page) => {
                    ctx.query_ms.set(Some(js_sys::Date::now() - started));
                    ctx.page.set(Some(*page));
                }
                Err(e) => state.fail("The anomaly table could not be filled", e),
            }
        });
    });
}

/// The filters, the bulk-action bar, the table and the pager.
#[component]
pub fn AnomalyTable() -> impl IntoView {
    let ctx = use_anomalies();
    view! {
        <section class="ns-panel ns-anom__table-panel" aria-labelledby="ns-anom-table-title">
            <div class="ns-panel__head">
                <h2 id="ns-anom-table-title" class="ns-panel__title">"Alerts"</h2>
                <span id="ns-anom-total" class="ns-muted" aria-live="polite"
                    data-total=move || ctx.page.with(|p| p.as_ref().map(|p| p.total.to_string()).unwrap_or_default())
                    data-flagged=move || ctx.page.with(|p| p.as_ref().map(|p| p.flagged.to_string()).unwrap_or_default())>
                    {move || ctx.page.with(|p| match p {
                        Some(p) => format!("{} matching · {} flagged", format::count(p.total), format::count(p.flagged)),
                        None => "–".into(),
                    })}
                </span>
            </div>
            <Filters />
            <BulkBar />
            <Table />
            <Pager />
        </section>
    }
}

fn reset_offset(ctx: AnomaliesCtx) {
    ctx.offset.set(0);
}

/// Scope, severity, votes, verdict, suppressed and free text.
#[component]
fn Filters() -> impl IntoView {
    let ctx = use_anomalies();
    let state = use_app_state();
    let n_detectors = move || {
        state
            .result
            .with(|r| r.as_ref().map_or(0, |r| r.members.len()))
    };
    let set = move |f: Box<dyn FnOnce(&mut crate::engine::triage::TableFilter)>| {
        ctx.filter.update(|filter| f(filter));
        reset_offset(ctx);
    };
    // The controls show the filter kept in the page's context (it outlives this component when
    // the analyst switches tabs and comes back).
    let sev_is = move |want: &[Severity]| ctx.filter.with(|f| f.severities == want);
    let verdict_is = move |want: VerdictFilter| ctx.filter.with(|f| f.verdict == want);
    let supp_is = move |want: SuppressedFilter| ctx.filter.with(|f| f.suppressed == want);
    view! {
        <div class="ns-anom__filters" role="group" aria-label="Filters">
            <label class="ns-field ns-field--inline">
                <span class="ns-field__label">"Rows"</span>
                <select
                    id="ns-filter-scope"
                    class="ns-input"
                    on:change=move |ev| {
                        let v = event_target_value(&ev) == "flagged";
                        set(Box::new(move |f| f.flagged_only = v));
                    }
                >
                    <option value="flagged" prop:selected=move || ctx.filter.with(|f| f.flagged_only)>"Flagged"</option>
                    <option value="all" prop:selected=move || ctx.filter.with(|f| !f.flagged_only)>"All rows"</option>
                </select>
            </label>
            <label class="ns-field ns-field--inline">
                <span class="ns-field__label">"Severity"</span>
                <select
                    id="ns-filter-severity"
                    class="ns-input"
                    on:change=move |ev| {
                        let v = match event_target_value(&ev).as_str() {
                            "low" => vec![Severity::Low],
                            "medium" => vec![Severity::Medium],
                            "high" => vec![Severity::High],
                            "medium+" => vec![Severity::Medium, Severity::High],
                            _ => Vec::new(),
                        };
                        set(Box::new(move |f| f.severities = v));
                    }
                >
                    <option value="any" prop:selected=move || sev_is(&[])>"Any"</option>
                    <option value="low" prop:selected=move || sev_is(&[Severity::Low])>"Low"</option>
                    <option value="medium" prop:selected=move || sev_is(&[Severity::Medium])>"Medium"</option>
                    <option value="high" prop:selected=move || sev_is(&[Severity::High])>"High"</option>
                    <option value="medium+" prop:selected=move || sev_is(&[Severity::Medium, Severity::High])>"Medium and high"</option>
                </select>
            </label>
            <label class="ns-field ns-field--inline">
                <span class="ns-field__label">"Votes"</span>
                <select
                    id="ns-filter-votes"
                    class="ns-input"
                    on:change=move |ev| {
                        let v = event_target_value(&ev).parse::<u8>().ok();
                        set(Box::new(move |f| f.min_votes = v));
                    }
                >
                    <option value="any" prop:selected=move || ctx.filter.with(|f| f.min_votes.is_none())>"Any"</option>
                    {move || (1..=n_detectors()).map(|k| {
                        let k8 = k as u8;
                        view! {
                            <option value=k.to_string() prop:selected=move || ctx.filter.with(|f| f.min_votes == Some(k8))>
                                {format!("≥ {k}")}
                            </option>
                        }
                    }).collect_view()}
                </select>
            </label>
            <label class="ns-field ns-field--inline">
                <span class="ns-field__label">"Verdict"</span>
                <select
                    id="ns-filter-verdict"
                    class="ns-input"
                    on:change=move |ev| {
                        let v = match event_target_value(&ev).as_str() {
                            "unreviewed" => VerdictFilter::Unreviewed,
                            "tp" => VerdictFilter::TruePositive,
                            "fp" => VerdictFilter::FalsePositive,
                            _ => VerdictFilter::Any,
                        };
                        set(Box::new(move |f| f.verdict = v));
                    }
                >
                    <option value="any" prop:selected=move || verdict_is(VerdictFilter::Any)>"Any"</option>
                    <option value="unreviewed" prop:selected=move || verdict_is(VerdictFilter::Unreviewed)>"Unreviewed"</option>
                    <option value="tp" prop:selected=move || verdict_is(VerdictFilter::TruePositive)>"True positive"</option>
                    <option value="fp" prop:selected=move || verdict_is(VerdictFilter::FalsePositive)>"False positive"</option>
                </select>
            </label>
            <label class="ns-field ns-field--inline">
                <span class="ns-field__label">"Suppressed"</span>
                <select
                    id="ns-filter-suppressed"
                    class="ns-input"
                    on:change=move |ev| {
                        let v = match event_target_value(&ev).as_str() {
                            "only" => SuppressedFilter::Only,
                            "hide" => SuppressedFilter::Hide,
                            _ => SuppressedFilter::Any,
                        };
                        set(Box::new(move |f| f.suppressed = v));
                    }
                >
                    <option value="any" prop:selected=move || supp_is(SuppressedFilter::Any)>"Shown"</option>
                    <option value="only" prop:selected=move || supp_is(SuppressedFilter::Only)>"Only suppressed"</option>
                    <option value="hide" prop:selected=move || supp_is(SuppressedFilter::Hide)>"Hidden"</option>
                </select>
            </label>
            <label class="ns-field ns-field--inline ns-anom__search">
                <span class="ns-field__label">"Search"</span>
                <input
                    id="ns-filter-text"
                    class="ns-input"
                    type="search"
                    placeholder="any cell, e.g. 443"
                    prop:value=move || ctx.filter.with(|f| f.text.clone())
                    on:input=move |ev| {
                        let v = event_target_value(&ev);
                        set(Box::new(move |f| f.text = v));
                    }
                />
            </label>
        </div>
    }
}

/// Selection count, "select all matching" and the bulk verdicts.
#[component]
fn BulkBar() -> impl IntoView {
    let ctx = use_anomalies();
    let state = use_app_state();
    let worker = use_worker();
    let n_sel = move || ctx.selection.with(|s| s.len());
    let select_all = move |_| {
        let q = TableQuery {
            filter: ctx.filter.get_untracked(),
            sort: ctx.sort.get_untracked(),
            offset: 0,
            limit: 1,
            threshold: state.threshold.get_untracked(),
            feedback: state.feedback.get_untracked(),
            suppressions: state.suppressions.get_untracked(),
            all_matching: true,
        };
        let answer = worker.request(TableRequest(Box::new(q)));
        leptos::task::spawn_local(async move {
            match answer.await {
                Ok(page) => {
                    if let Some(all) = page.all_matching {
                        ctx.selection.set(all.into_iter().collect());
                    }
                }
                Err(e) => state.fail("Could not select the matching rows", e),
            }
        });
    };
    let bulk = move |verdict: Option<Verdict>| {
        let rows: Vec<u32> = ctx.selection.get_untracked().into_iter().collect();
        mark_rows(state, worker, rows, verdict);
        ctx.selection.set(Default::default());
    };
    view! {
        <div class="ns-anom__bulk" role="toolbar" aria-label="Bulk actions">
            <span id="ns-selected-count" class="ns-anom__bulk-count">
                {move || format!("{} selected", format::count(n_sel()))}
            </span>
            <button id="ns-select-all" class="ns-button" type="button"
                disabled=move || ctx.page.with(|p| p.as_ref().is_none_or(|p| p.total == 0))
                on:click=select_all>
                {move || ctx.page.with(|p| format!("Select all {} matching", p.as_ref().map_or(0, |p| p.total)))}
            </button>
            <button id="ns-select-clear" class="ns-button ns-button--ghost" type="button"
                disabled=move || n_sel() == 0
                on:click=move |_| ctx.selection.set(Default::default())>
                "Clear"
            </button>
            <span class="ns-anom__bulk-sep" aria-hidden="true"></span>
            <span class="ns-muted">"Mark as"</span>
            <button id="ns-mark-tp" class="ns-button" type="button" disabled=move || n_sel() == 0
                on:click=move |_| bulk(Some(Verdict::TruePositive))>
                "True positive"
            </button>
            <button id="ns-mark-fp" class="ns-button" type="button" disabled=move || n_sel() == 0
                on:click=move |_| bulk(Some(Verdict::FalsePositive))>
                "False positive"
            </button>
            <button id="ns-mark-clear" class="ns-button ns-button--ghost" type="button" disabled=move || n_sel() == 0
                on:click=move |_| bulk(None)>
                "Clear verdict"
            </button>
        </div>
    }
}

/// A sortable header cell.
#[component]
fn SortHeader(
    /// The key this column sorts by.
    sort_key: SortKey,
    /// Header text.
    label: String,
    /// Numeric column (right-aligned, sorts largest first on the first click).
    #[prop(default = true)]
    numeric: bool,
) -> impl IntoView {
    let ctx = use_anomalies();
    let key = sort_key;
    let k1 = key.clone();
    let k2 = key.clone();
    let aria = move || {
        ctx.sort.with(|s| {
            if s.key == k1 {
                if s.descending {
                    "descending"
                } else {
                    "ascending"
                }
            } else {
                "none"
            }
        })
    };
    let arrow = {
        let k = key.clone();
        move || {
            ctx.sort.with(|s| {
                if s.key == k {
                    if s.descending {
                        " ↓"
                    } else {
                        " ↑"
                    }
                } else {
                    ""
                }
            })
        }
    };
    let sort_id = sort_id(&key);
    view! {
        <th scope="col" aria-sort=aria class=if numeric { "ns-num" } else { "" }>
            <button
                class="ns-anom__sort"
                type="button"
                data-sort=sort_id
                on:click=move |_| {
                    let k = k2.clone();
                    ctx.sort.update(|s| {
                        if s.key == k {
                            s.descending = !s.descending;
                        } else {
                            *s = TableSort { key: k, descending: numeric };
                        }
                    });
                    ctx.offset.set(0);
                }
            >
                {label}
                <span aria-hidden="true">{arrow}</span>
            </button>
        </th>
    }
}

/// Stable `data-sort` value of a key (tests click these).
fn sort_id(key: &SortKey) -> String {
    match key {
        SortKey::Score => "score".into(),
        SortKey::Votes => "votes".into(),
        SortKey::Severity => "severity".into(),
        SortKey::Row => "row".into(),
        SortKey::Detector(i) => format!("detector-{i}"),
        SortKey::Column(c) => format!("col-{c}"),
    }
}

/// The table itself.
#[component]
fn Table() -> impl IntoView {
    let ctx = use_anomalies();
    let state = use_app_state();
    let header = move || {
        ctx.page.with(|p| {
            let Some(p) = p else {
                return ().into_any();
            };
            let detectors = p
                .detectors
                .iter()
                .enumerate()
                .map(|(i, k)| {
                    view! { <SortHeader sort_key=SortKey::Detector(i) label=k.label().to_string() /> }
                })
                .collect_view();
            let cols = p
                .header
                .iter()
                .map(|c| view! { <SortHeader sort_key=SortKey::Column(c.clone()) label=c.clone() /> })
                .collect_view();
            let all_ticked = p.rows.iter().all(|r| ctx.selection.with_untracked(|s| s.contains(&r.row)))
                && !p.rows.is_empty();
            let page_rows: Vec<u32> = p.rows.iter().map(|r| r.row).collect();
            view! {
                <tr>
                    <th scope="col" class="ns-anom__tick">
                        <input
                            type="checkbox"
                            id="ns-select-page"
                            aria-label="Select every row on this page"
                            prop:checked=all_ticked
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                ctx.selection.update(|s| {
                                    for r in &page_rows {
                                        if on { s.insert(*r); } else { s.remove(r); }
                                    }
                                });
                            }
                        />
                    </th>
                    <SortHeader sort_key=SortKey::Row label="row".to_string() />
                    <SortHeader sort_key=SortKey::Score label="score".to_string() />
                    <SortHeader sort_key=SortKey::Votes label="votes".to_string() />
                    <SortHeader sort_key=SortKey::Severity label="severity".to_string() numeric=false />
                    <th scope="col">"verdict"</th>
                    {detectors}
                    {cols}
                </tr>
            }
            .into_any()
        })
    };
    let body = move || {
        ctx.page.with(|p| match p {
            None => view! {
                <tr class="ns-table__empty"><td colspan="6">{move || if state.result.with(Option::is_none) { "Train on the Analyze page to see the alerts." } else { "Loading…" }}</td></tr>
            }
            .into_any(),
            Some(p) if p.rows.is_empty() => view! {
                <tr class="ns-table__empty"><td colspan="6">"No rows match these filters."</td></tr>
            }
            .into_any(),
            Some(p) => p.rows.iter().map(|r| row_view(ctx, state, p, r)).collect_view().into_any(),
        })
    };
    view! {
        <div class="ns-table-wrap ns-anom__wrap">
            <table id="ns-anom-table" class="ns-table ns-table--compact ns-anom__table">
                <thead>{header}</thead>
                <tbody>{body}</tbody>
            </table>
        </div>
    }
}

fn row_view(ctx: AnomaliesCtx, state: AppState, page: &TablePage, r: &TableRow) -> AnyView {
    let row = r.row;
    let open = move || state.selected_row.set(Some(row));
    let suppressed = r.suppressed_by.clone();
    let mut class = String::from("ns-anom__row");
    if suppressed.is_some() {
        class.push_str(" ns-anom__row--suppressed");
    }
    if !r.flagged {
        class.push_str(" ns-anom__row--normal");
    }
    let on_key = move |ev: web_sys::KeyboardEvent| {
        let Some(tr) = ev
            .current_target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok())
        else {
            return;
        };
        let focus = |el: Option<web_sys::Element>| {
            if let Some(el) = el.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
                let _ = el.focus();
            }
        };
        match ev.key().as_str() {
            "Enter" => {
                ev.prevent_default();
                open();
            }
            " " => {
                ev.prevent_default();
                ctx.selection.update(|s| {
                    if !s.remove(&row) {
                        s.insert(row);
                    }
                });
            }
            "ArrowDown" => {
                ev.prevent_default();
                focus(tr.next_element_sibling());
            }
            "ArrowUp" => {
                ev.prevent_default();
                focus(tr.previous_element_sibling());
            }
            _ => {}
        }
    };
    let verdict = r.verdict;
    let verdict_class = match verdict {
        Some(Verdict::TruePositive) => "ns-anom__verdict ns-anom__verdict--tp",
        Some(Verdict::FalsePositive) => "ns-anom__verdict ns-anom__verdict--fp",
        None => "ns-anom__verdict",
    };
    let sev = r.severity;
    let detector_cells = r
        .detector_scores
        .iter()
        .zip(&page.detector_thresholds)
        .map(|(s, t)| {
            let over = *s > *t;
            view! { <td class=if over { "ns-num ns-anom__over" } else { "ns-num" }>{format!("{s:.4}")}</td> }
        })
        .collect_view();
    let cells = r
        .cells
        .iter()
        .map(|c| view! { <td class="ns-mono">{format::cell(c)}</td> })
        .collect_view();
    let supp_label = suppressed.map(|(id, name)| {
        view! { <span class="ns-anom__supp" data-rule=id title=name.clone()>{format!("suppressed by {name}")}</span> }
    });
    view! {
        <tr
            class=class
            tabindex="0"
            data-row=row.to_string()
            data-score=r.score.to_string()
            aria-selected=move || (state.selected_row.get() == Some(row)).to_string()
            on:keydown=on_key
            on:click=move |_| open()
        >
            <td class="ns-anom__tick" on:click=|ev| ev.stop_propagation()>
                <input
                    type="checkbox"
                    tabindex="-1"
                    aria-label=format!("Select row {}", row + 1)
                    prop:checked=move || ctx.selection.with(|s| s.contains(&row))
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        ctx.selection.update(|s| {
                            if on { s.insert(row); } else { s.remove(&row); }
                        });
                    }
                />
            </td>
            <td class="ns-num">{row + 1}</td>
            <td class="ns-num ns-anom__score">{format!("{:.4}", r.score)}</td>
            <td class="ns-num">{r.votes}</td>
            <td>{(sev != Severity::None).then(|| view! { <span class=format!("ns-sev ns-sev--{}", sev.id())>{sev.id()}</span> })}</td>
            <td>
                <span class=verdict_class>{verdict.map(|_| verdict_label(verdict))}</span>
                {supp_label}
            </td>
            {detector_cells}
            {cells}
        </tr>
    }
    .into_any()
}

/// Page size and previous/next.
#[component]
fn Pager() -> impl IntoView {
    let ctx = use_anomalies();
    let total = move || ctx.page.with(|p| p.as_ref().map_or(0, |p| p.total));
    let size = move || ctx.page_size.get();
    let range = move || {
        let (t, o, s) = (total(), ctx.offset.get(), size());
        if t == 0 {
            "0 of 0".to_string()
        } else {
            format!(
                "{}–{} of {}",
                format::count(o + 1),
                format::count((o + s).min(t)),
                format::count(t)
            )
        }
    };
    view! {
        <div class="ns-anom__pager">
            <label class="ns-field ns-field--inline">
                <span class="ns-field__label">"Per page"</span>
                <select
                    id="ns-page-size"
                    class="ns-input"
                    on:change=move |ev| {
                        if let Ok(n) = event_target_value(&ev).parse::<usize>() {
                            ctx.page_size.set(n);
                            ctx.offset.set(0);
                        }
                    }
                >
                    {PAGE_SIZES.iter().map(|&n| view! {
                        <option value=n.to_string() prop:selected=move || ctx.page_size.get() == n>{n.to_string()}</option>
                    }).collect_view()}
                </select>
            </label>
            <span id="ns-page-range" class="ns-muted" aria-live="polite">{range}</span>
            <span class="ns-muted ns-anom__timing" id="ns-query-ms"
                data-worker-ms=move || ctx.page.with(|p| p.as_ref().map(|p| format!("{:.2}", p.elapsed_ms)).unwrap_or_default())
                data-round-trip-ms=move || ctx.query_ms.get().map(|ms| format!("{ms:.1}")).unwrap_or_default()>
                {move || {
                    let worker_ms = ctx.page.with(|p| p.as_ref().map(|p| p.elapsed_ms));
                    match (worker_ms, ctx.query_ms.get()) {
                        (Some(w), Some(rt)) => format!("query {w:.0} ms in the engine, {rt:.0} ms round trip"),
                        _ => String::new(),
                    }
                }}
            </span>
            <button id="ns-page-prev" class="ns-button" type="button"
                disabled=move || ctx.offset.get() == 0
                on:click=move |_| ctx.offset.update(|o| *o = o.saturating_sub(size()))>
                "← Previous"
            </button>
            <button id="ns-page-next" class="ns-button" type="button"
                disabled=move || { ctx.offset.get() + size() >= total() }
                on:click=move |_| ctx.offset.update(|o| *o += size())>
                "Next →"
            </button>
        </div>
    }
}
