//! The run history: filters (time range, source IP, severity, tag), the runs that match, the
//! anomalies of the chosen run, delete, and the retention settings.

use leptos::prelude::*;

use crate::engine::ensemble::Severity;
use crate::storage::{filter_anomalies, filter_runs, HistoryFilter, Retention};
use crate::ui::components::history::storage_banner::local_time;
use crate::ui::hooks::use_storage;
use crate::ui::state::use_app_state;

/// Most anomalies listed for one run.
pub const ANOMALIES_SHOWN: usize = 100;

/// Epoch seconds of an `<input type=date>` value at the start (or end) of that local day.
fn day_bound(value: &str, end: bool) -> Option<f64> {
    if value.is_empty() {
        return None;
    }
    let t = js_sys::Date::parse(&format!(
        "{value}T{}",
        if end { "23:59:59" } else { "00:00:00" }
    ));
    t.is_finite().then_some(t / 1000.0)
}

fn severity_name(s: Severity) -> &'static str {
    match s {
        Severity::High => "high",
        Severity::Medium => "medium",
        Severity::Low => "low",
        Severity::None => "none",
    }
}

/// The history filters as the page's inputs hold them.
#[derive(Clone, Copy)]
struct FilterInputs {
    from: RwSignal<String>,
    to: RwSignal<String>,
    ip: RwSignal<String>,
    tag: RwSignal<String>,
    sevs: RwSignal<Vec<Severity>>,
}

impl FilterInputs {
    fn new() -> Self {
        Self {
            from: RwSignal::new(String::new()),
            to: RwSignal::new(String::new()),
            ip: RwSignal::new(String::new()),
            tag: RwSignal::new(String::new()),
            sevs: RwSignal::new(Vec::new()),
        }
    }

    /// The storage filter they describe (tracked).
    fn filter(self) -> HistoryFilter {
        HistoryFilter {
            from: day_bound(&self.from.get(), false),
            to: day_bound(&self.to.get(), true),
            src_ip: Some(self.ip.get().trim().to_string()).filter(|s| !s.is_empty()),
            severities: self.sevs.get(),
            tag: Some(self.tag.get()).filter(|s| !s.is_empty()),
        }
    }
}

/// Past runs with filters, delete and retention.
#[component]
pub fn RunsPanel() -> impl IntoView {
    let state = use_app_state();
    let inputs = FilterInputs::new();
    let open = RwSignal::new(None::<String>);
    let filter = Memo::new(move |_| inputs.filter());
    let shown = Memo::new(move |_| {
        let f = filter.get();
        state.runs.with(|runs| {
            filter_runs(runs, &f)
                .into_iter()
                .map(|r| {
                    let n = filter_anomalies(r, &f).len();
                    (r.clone(), n)
                })
                .collect::<Vec<_>>()
        })
    });
    view! {
        <section class="ns-panel ns-history" aria-labelledby="ns-history-title">
            <h2 id="ns-history-title" class="ns-panel__title">"Past runs"</h2>
            <HistoryFilters inputs=inputs />
            <Show
                when=move || !shown.with(Vec::is_empty)
                fallback=move || {
                    view! {
                        <p class="ns-history__empty" id="ns-history-empty">
                            {move || if state.runs.with(Vec::is_empty) {
                                "No runs yet: each training or model import is recorded here."
                            } else {
                                "No run matches these filters."
                            }}
                        </p>
                    }
                }
            >
                <RunsTable shown=shown open=open />
            </Show>
            <RunAnomalies open=open filter=filter />
            <RetentionSettings />
        </section>
    }
}

/// Time range, source IP, tag and severity.
#[component]
fn HistoryFilters(
    /// The inputs' signals.
    inputs: FilterInputs,
) -> impl IntoView {
    let state = use_app_state();
    let FilterInputs {
        from,
        to,
        ip,
        tag,
        sevs,
    } = inputs;
    let all_tags = Memo::new(move |_| {
        let mut t: Vec<String> = state
            .runs
            .with(|r| r.iter().flat_map(|r| r.tags.clone()).collect());
        t.sort();
        t.dedup();
        t
    });
    let sev_box = move |s: Severity| {
        view! {
            <label class="ns-history__check">
                <input
                    type="checkbox"
                    data-severity=severity_name(s)
                    prop:checked=move || sevs.with(|v| v.contains(&s))
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        sevs.update(|v| {
                            v.retain(|x| *x != s);
                            if on {
                                v.push(s);
                            }
                        });
                    }
                />
                {severity_name(s)}
            </label>
        }
    };
    view! {
        <div class="ns-history__filters" role="group" aria-label="Filter runs">
            <label class="ns-history__field" for="ns-history-from">
                "From"
                <input id="ns-history-from" type="date" bind:value=from />
            </label>
            <label class="ns-history__field" for="ns-history-to">
                "To"
                <input id="ns-history-to" type="date" bind:value=to />
            </label>
            <label class="ns-history__field" for="ns-history-ip">
                "Source IP"
                <input id="ns-history-ip" type="text" placeholder="e.g. 10.0.0.5" bind:value=ip />
            </label>
            <label class="ns-history__field" for="ns-history-tag">
                "Tag"
                <select id="ns-history-tag" on:change=move |ev| tag.set(event_target_value(&ev))>
                    <option value="">"any"</option>
                    <For each=move || all_tags.get() key=|t| t.clone() let:t>
                        <option value=t.clone()>{t.clone()}</option>
                    </For>
                </select>
            </label>
            <fieldset class="ns-history__severities">
                <legend>"Severity"</legend>
                {sev_box(Severity::High)}
                {sev_box(Severity::Medium)}
                {sev_box(Severity::Low)}
            </fieldset>
        </div>
    }
}

/// The runs that match, with Anomalies (open/close) and Delete.
#[component]
fn RunsTable(
    /// The matching runs, each with its matching anomaly count.
    shown: Memo<Vec<(crate::storage::RunRecord, usize)>>,
    /// The run whose anomalies are open.
    open: RwSignal<Option<String>>,
) -> impl IntoView {
    let storage = use_storage();
    view! {
        <table class="ns-table ns-history__runs" id="ns-history-runs">
            <thead>
                <tr>
                    <th scope="col">"Time"</th>
                    <th scope="col">"Data"</th>
                    <th scope="col" class="ns-num">"Rows"</th>
                    <th scope="col" class="ns-num">"Anomalies"</th>
                    <th scope="col" title="Ensemble-score threshold the anomalies were counted under">"Threshold"</th>
                    <th scope="col" class="ns-num">"Matching"</th>
                    <th scope="col">"Detectors"</th>
                    <th scope="col"><span class="ns-visually-hidden">"Actions"</span></th>
                </tr>
            </thead>
            <tbody>
                <For each=move || shown.get() key=|(r, n)| (r.id.clone(), *n, r.summary.n_anomalies, r.summary.threshold.map(f64::to_bits)) let:item>
                    {
                        let (run, matching) = item;
                        let id = run.id.clone();
                        let (id_open, id_del, id_cls) = (id.clone(), id.clone(), id.clone());
                        let detectors = run
                            .summary
                            .member_anomalies
                            .iter()
                            .map(|(k, _)| k.label())
                            .collect::<Vec<_>>()
                            .join(", ");
                        view! {
                            <tr data-run=id.clone() class:ns-history__open=move || open.get().as_deref() == Some(id_cls.as_str())>
                                <td>{local_time(run.at)}</td>
                                <td>{run.source.label()}</td>
                                <td class="ns-num">{run.summary.n_rows}</td>
                                <td class="ns-num" data-anomalies>{run.summary.n_anomalies}</td>
                                <td
                                    class="ns-mono"
                                    data-threshold=run.summary.threshold.map(|t| t.to_string()).unwrap_or_default()
                                >
                                    {run.summary.threshold.map(|t| format!("score ≥ {t:.3}")).unwrap_or_else(|| "vote".into())}
                                </td>
                                <td class="ns-num">{matching}</td>
                                <td class="ns-history__detectors">{detectors}</td>
                                <td class="ns-history__actions">
                                    <button
                                        class="ns-button ns-button--ghost"
                                        type="button"
                                        on:click=move |_| open.update(|o| {
                                            *o = if o.as_deref() == Some(id_open.as_str()) { None } else { Some(id_open.clone()) };
                                        })
                                    >
                                        "Anomalies"
                                    </button>
                                    <button
                                        class="ns-button ns-button--ghost ns-history__delete"
                                        type="button"
                                        aria-label="Delete this run"
                                        on:click=move |_| storage.delete_run(&id_del)
                                    >
                                        "Delete"
                                    </button>
                                </td>
                            </tr>
                        }
                    }
                </For>
            </tbody>
        </table>
    }
}

/// The anomalies of the open run that match the filters (the first [`ANOMALIES_SHOWN`]).
#[component]
fn RunAnomalies(
    /// The open run.
    open: RwSignal<Option<String>>,
    /// The filters.
    filter: Memo<HistoryFilter>,
) -> impl IntoView {
    let state = use_app_state();
    move || {
        let id = open.get()?;
        let f = filter.get();
        let rows = state.runs.with(|runs| {
            runs.iter().find(|r| r.id == id).map(|r| {
                filter_anomalies(r, &f)
                    .into_iter()
                    .take(ANOMALIES_SHOWN)
                    .cloned()
                    .collect::<Vec<_>>()
            })
        })?;
        Some(view! {
            <table class="ns-table ns-history__anomalies" id="ns-history-anomalies">
                <caption>{format!("Anomalies of the run (first {ANOMALIES_SHOWN} matching)")}</caption>
                <thead>
                    <tr>
                        <th scope="col" class="ns-num">"Row"</th>
                        <th scope="col" class="ns-num">"Score"</th>
                        <th scope="col" class="ns-num">"Votes"</th>
                        <th scope="col">"Severity"</th>
                        <th scope="col">"Source IP"</th>
                        <th scope="col">"Tags"</th>
                    </tr>
                </thead>
                <tbody>
                    {rows
                        .into_iter()
                        .map(|a| view! {
                            <tr>
                                <td class="ns-num">{a.key.row}</td>
                                <td class="ns-num">{format!("{:.3}", a.score)}</td>
                                <td class="ns-num">{a.votes}</td>
                                <td class=format!("ns-sev ns-sev--{}", severity_name(a.severity))>{severity_name(a.severity)}</td>
                                <td>{a.src_ip.unwrap_or_default()}</td>
                                <td>{a.tags.join(", ")}</td>
                            </tr>
                        })
                        .collect_view()}
                </tbody>
            </table>
        })
    }
}

/// How many runs, and how old, the history keeps.
#[component]
fn RetentionSettings() -> impl IntoView {
    let state = use_app_state();
    let storage = use_storage();
    let retention_input = move |id: &'static str, label: &'static str, days: bool| {
        let value = move || {
            let r = state.retention.get();
            if days {
                r.max_age_days.map(|d| d.to_string())
            } else {
                r.keep_last.map(|n| n.to_string())
            }
            .unwrap_or_default()
        };
        view! {
            <label class="ns-history__field" for=id>
                {label}
                <input
                    id=id
                    type="number"
                    min="1"
                    placeholder="no limit"
                    prop:value=value
                    on:change=move |ev| {
                        let v = event_target_value(&ev);
                        let mut r: Retention = state.retention.get_untracked();
                        if days {
                            r.max_age_days = v.trim().parse::<f64>().ok().filter(|d| *d > 0.0);
                        } else {
                            r.keep_last = v.trim().parse::<usize>().ok().filter(|n| *n > 0);
                        }
                        storage.set_retention(r);
                    }
                />
            </label>
        }
    };
    view! {
        <div class="ns-history__retention" role="group" aria-label="Retention">
            <h3 class="ns-history__subtitle">"Keep"</h3>
            {retention_input("ns-keep-last", "Last N runs", false)}
            {retention_input("ns-keep-days", "Days", true)}
        </div>
    }
}
