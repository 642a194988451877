//! Getting data in (sample generator, file picker, drag and drop) and showing what came in
//! (preview rows, per-column overview).

use leptos::ev::DragEvent;
use leptos::prelude::*;
use web_sys::HtmlInputElement;

use crate::engine::data::{ColumnKind, Role};
use crate::ui::components::train_panel::ProgressBar;
use crate::ui::format;
use crate::ui::hooks::use_worker;
use crate::ui::state::{use_app_state, JobKind};

/// The data source controls: "Load sample data" and a drop zone that is also a file picker.
///
/// The drop zone wraps a visually hidden but focusable `<input type="file">`, so keyboard users
/// reach it with Tab and open the picker with Enter or Space.
#[component]
pub fn DataSource() -> impl IntoView {
    let state = use_app_state();
    let worker = use_worker();
    let dragging = RwSignal::new(false);
    // Fields holding a value the generator would refuse; "Load sample data" waits for a fix.
    let bad_fields = RwSignal::new(0u32);
    let sample_invalid =
        Memo::new(move |_| bad_fields.get() != 0 || state.sample.with(|p| p.validate().is_err()));
    let mark =
        move |bit: u32, bad: bool| bad_fields.update(|b| if bad { *b |= bit } else { *b &= !bit });

    let on_file = move |ev: leptos::ev::Event| {
        let input: HtmlInputElement = event_target(&ev);
        if let Some(file) = input.files().and_then(|f| f.get(0)) {
            state.applied_mapping.set(None);
            worker.load_file(file);
        }
        // Let the same file be picked again after a fix.
        input.set_value("");
    };
    let on_drop = move |ev: DragEvent| {
        ev.prevent_default();
        dragging.set(false);
        if state.busy() {
            return;
        }
        if let Some(file) = ev
            .data_transfer()
            .and_then(|dt| dt.files())
            .and_then(|f| f.get(0))
        {
            state.applied_mapping.set(None);
            worker.load_file(file);
        }
    };

    let loading = move || {
        state.job.with(|j| {
            j.as_ref()
                .is_some_and(|j| matches!(j.kind, JobKind::LoadFile | JobKind::LoadSample))
        })
    };

    view! {
        <section class="ns-panel ns-source" aria-labelledby="ns-source-title">
            <h2 id="ns-source-title" class="ns-panel__title">"1 · Data"</h2>
            <button
                id="ns-load-sample"
                class="ns-button ns-button--primary ns-source__sample"
                type="button"
                disabled=move || state.busy() || sample_invalid.get()
                on:click=move |_| {
                    state.applied_mapping.set(None);
                    worker.load_sample(state.sample.get_untracked());
                }
            >
                "Load sample data"
            </button>
            <details class="ns-details">
                <summary class="ns-hint">
                    {move || {
                        let p = state.sample.get();
                        format!(
                            "{} synthetic flows, {:.0} % anomalies, seed {}, from {} over {}",
                            format::count(p.rows),
                            p.anomaly_ratio * 100.0,
                            p.seed,
                            datetime_local(p.start).replace('T', " "),
                            format::seconds(p.duration_s)
                        )
                    }}
                </summary>
                <div class="ns-details__body">
                    <NumberField
                        id="ns-sample-rows"
                        label="Rows"
                        min=10.0
                        max=2_000_000.0
                        step=1.0
                        get=Signal::derive(move || state.sample.with(|p| p.rows as f64))
                        set=Callback::new(move |v: f64| state.sample.update(|p| p.rows = v as usize))
                        on_check=Callback::new(move |bad: bool| mark(1, bad))
                    />
                    <NumberField
                        id="ns-sample-ratio"
                        label="Anomalies (%)"
                        min=0.0
                        max=50.0
                        step=0.5
                        get=Signal::derive(move || state.sample.with(|p| p.anomaly_ratio * 100.0))
                        set=Callback::new(move |v: f64| state.sample.update(|p| p.anomaly_ratio = v / 100.0))
                        on_check=Callback::new(move |bad: bool| mark(2, bad))
                    />
                    <NumberField
                        id="ns-sample-seed"
                        label="Seed"
                        min=0.0
                        max=4_294_967_295.0
                        step=1.0
                        get=Signal::derive(move || state.sample.with(|p| p.seed as f64))
                        set=Callback::new(move |v: f64| state.sample.update(|p| p.seed = v as u64))
                        on_check=Callback::new(move |bad: bool| mark(4, bad))
                    />
                    <StartField on_check=Callback::new(move |bad: bool| mark(8, bad)) />
                    <NumberField
                        id="ns-sample-duration"
                        label="Duration (s)"
                        min=0.0
                        max=31_622_400.0
                        step=1.0
                        get=Signal::derive(move || state.sample.with(|p| p.duration_s))
                        set=Callback::new(move |v: f64| state.sample.update(|p| p.duration_s = v))
                        on_check=Callback::new(move |bad: bool| mark(16, bad))
                    />
                </div>
            </details>
            <div
                id="ns-drop"
                class="ns-drop"
                class:ns-drop--active=move || dragging.get()
                on:dragenter=move |ev: DragEvent| {
                    ev.prevent_default();
                    dragging.set(true);
                }
                on:dragover=move |ev: DragEvent| ev.prevent_default()
                on:dragleave=move |_| dragging.set(false)
                on:drop=on_drop
            >
                <input
                    id="ns-file"
                    class="ns-visually-hidden"
                    type="file"
                    accept=".csv,.tsv,.txt,.log,.json,.ndjson,.gz,.pcap,.pcapng,.cap,text/csv"
                    disabled=move || state.busy()
                    on:change=on_file
                />
                <label for="ns-file" class="ns-drop__label" class:ns-drop__label--hidden=loading>
                    <span class="ns-drop__icon" aria-hidden="true">"⇪"</span>
                    <span>"Drop a flow CSV, Zeek log, JSON or pcap here"</span>
                    <span class="ns-drop__or">"or " <u>"choose a file"</u></span>
                </label>
                // While a file loads, its progress (bytes/s, time left) and Cancel take the drop
                // zone's place, where the analyst just acted; the Train panel's bar may be below
                // the fold. Laid over the label, so nothing moves.
                <Show when=loading>
                    <div class="ns-drop__loading">
                        <ProgressBar id="ns-load-progress" />
                        <button
                            id="ns-load-cancel"
                            class="ns-button ns-drop__cancel"
                            type="button"
                            on:click=move |_| worker.cancel()
                        >
                            "Cancel"
                        </button>
                    </div>
                </Show>
            </div>
            <p class="ns-hint">
                "Flow exports with a header row; a "
                <code>"label"</code>
                " column enables accuracy metrics."
            </p>
        </section>
    }
}

/// The loaded data set: name, size, label classes, the first rows and a per-column overview.
#[component]
pub fn DataOverview() -> impl IntoView {
    let state = use_app_state();
    view! {
        <section class="ns-panel ns-overview" aria-labelledby="ns-overview-title">
            <h2 id="ns-overview-title" class="ns-panel__title">"Data overview"</h2>
            <Show
                when=move || state.dataset.with(Option::is_some)
                fallback=|| view! { <p class="ns-empty">"No data loaded yet. Load the sample data or drop a CSV file."</p> }
            >
                <DatasetFacts />
                <crate::ui::components::mapping::MappingPanel />
                <h3 class="ns-panel__subtitle">"First rows"</h3>
                <PreviewTable />
                <h3 class="ns-panel__subtitle">"Columns"</h3>
                <ColumnTable />
            </Show>
        </section>
    }
}

/// One line of facts about the data set.
#[component]
fn DatasetFacts() -> impl IntoView {
    let state = use_app_state();
    move || {
        state.dataset.with(|d| {
            d.as_ref().map(|d| {
                let labels = if d.has_labels {
                    let classes = d
                        .label_classes
                        .iter()
                        .take(6)
                        .map(|(k, n)| format!("{k}: {}", format::count(*n)))
                        .collect::<Vec<_>>()
                        .join(", ");
                    format!("labels ({classes})")
                } else {
                    "no labels".into()
                };
                let detected = detected_columns(d);
                // Skipped rows first (count, then where and why), then the other notices.
                let warnings: Vec<String> = d
                    .skipped
                    .iter()
                    .flat_map(|s| s.lines())
                    .chain(d.warnings.iter().cloned())
                    .collect();
                let load = d.load;
                let timing = load.map(|l| {
                    let ms = l.read_ms + l.parse_ms + l.summary_ms;
                    let rate = l.bytes as f64 / 1e6 / (ms / 1e3).max(1e-3);
                    format!(" · loaded in {:.1} s ({rate:.0} MB/s)", ms / 1e3)
                });
                view! {
                    <p
                        id="ns-dataset-facts"
                        class="ns-facts"
                        data-read-ms=load.map(|l| format!("{:.1}", l.read_ms))
                        data-parse-ms=load.map(|l| format!("{:.1}", l.parse_ms))
                        data-summary-ms=load.map(|l| format!("{:.1}", l.summary_ms))
                    >
                        <strong>{d.name.clone()}</strong>
                        " · " {d.format.clone()}
                        " · " <span data-stat="dataset-rows">{format::count(d.n_rows)}</span> " rows"
                        " · " {d.columns.len()} " columns"
                        " · " {labels}
                        <span
                            class="ns-facts__timing"
                            title="time in the worker: reading the file, parsing it, summarising the columns"
                        >
                            {timing}
                        </span>
                    </p>
                    <p id="ns-dataset-detected" class="ns-facts ns-facts--detected">{detected}</p>
                    <ul class="ns-warnings">
                        {warnings.into_iter().map(|w| view! { <li>{w}</li> }).collect_view()}
                    </ul>
                }
            })
        })
    }
}

/// "label: `label`, 2 classes; timestamp: `timestamp`" (or what is missing).
pub fn detected_columns(d: &crate::worker::protocol::DatasetSummary) -> String {
    let named = |role: Role| {
        d.columns
            .iter()
            .find(|c| c.role == role)
            .map(|c| c.name.clone())
    };
    let label = match named(Role::Label) {
        Some(n) => {
            let k = d.label_classes.len();
            let classes = if k >= 50 {
                "50+ classes".to_string()
            } else {
                format!("{k} class{}", if k == 1 { "" } else { "es" })
            };
            format!("label: `{n}`, {classes}")
        }
        None => "no label column".into(),
    };
    let time = match named(Role::Timestamp) {
        Some(n) => format!("timestamp: `{n}`"),
        None => "no timestamp column (row order is used)".into(),
    };
    format!("{label}; {time}")
}

/// `YYYY-MM-DDTHH:MM` (UTC) for a `datetime-local` input.
fn datetime_local(epoch: f64) -> String {
    crate::engine::rules::iso8601(epoch)
        .chars()
        .take(16)
        .collect()
}

/// The sample's first timestamp, as a UTC `datetime-local` input.
#[component]
fn StartField(
    /// Called after each edit with `true` when the text is not a valid time.
    on_check: Callback<bool>,
) -> impl IntoView {
    let state = use_app_state();
    let invalid = RwSignal::new(false);
    view! {
        <label class="ns-field ns-field--inline" for="ns-sample-start">
            <span class="ns-field__label">"Start (UTC)"</span>
            <input
                id="ns-sample-start"
                class="ns-input"
                type="datetime-local"
                step="1"
                prop:value=move || state.sample.with(|p| datetime_local(p.start))
                aria-invalid=move || invalid.get().to_string()
                on:change=move |ev| {
                    let parsed = crate::engine::ingest::timestamp::parse_date_time(&event_target_value(&ev));
                    if let Some(t) = parsed {
                        state.sample.update(|p| p.start = t);
                    }
                    invalid.set(parsed.is_none());
                    on_check.run(parsed.is_none());
                }
            />
        </label>
        <Show when=move || invalid.get()>
            <p class="ns-field-error" role="alert">"Start: pick a date and time (UTC)."</p>
        </Show>
    }
}

/// The first rows as the worker sent them.
#[component]
fn PreviewTable() -> impl IntoView {
    let state = use_app_state();
    view! {
        <div class="ns-table-wrap">
            <table id="ns-preview" class="ns-table ns-table--compact">
                <thead>
                    <tr>
                        {move || state.dataset.with(|d| {
                            d.iter()
                                .flat_map(|d| d.columns.iter())
                                .map(|c| view! { <th scope="col">{c.name.clone()}</th> })
                                .collect_view()
                        })}
                    </tr>
                </thead>
                <tbody>
                    {move || state.dataset.with(|d| {
                        d.iter()
                            .flat_map(|d| d.preview.iter())
                            .map(|row| {
                                view! {
                                    <tr>
                                        {row.iter().map(|cell| view! { <td>{format::cell(cell)}</td> }).collect_view()}
                                    </tr>
                                }
                            })
                            .collect_view()
                    })}
                </tbody>
            </table>
        </div>
    }
}

/// Type, role, min/median/max, missing and distinct per column.
#[component]
fn ColumnTable() -> impl IntoView {
    let state = use_app_state();
    view! {
        <div class="ns-table-wrap">
            <table id="ns-columns" class="ns-table ns-table--compact">
                <thead>
                    <tr>
                        <th scope="col">"column"</th>
                        <th scope="col">"type"</th>
                        <th scope="col">"role"</th>
                        <th scope="col" class="ns-num">"min"</th>
                        <th scope="col" class="ns-num">"median"</th>
                        <th scope="col" class="ns-num">"max"</th>
                        <th scope="col" class="ns-num">"missing"</th>
                        <th scope="col" class="ns-num">"distinct"</th>
                    </tr>
                </thead>
                <tbody>
                    {move || state.dataset.with(|d| {
                        d.iter()
                            .flat_map(|d| d.columns.iter())
                            .map(|c| {
                                let kind = match c.kind {
                                    ColumnKind::Numeric => "numeric",
                                    ColumnKind::Categorical => "categorical",
                                };
                                let role = match c.role {
                                    Role::Feature => "feature",
                                    Role::Label => "label",
                                    Role::Timestamp => "timestamp",
                                    Role::Ignore => "ignored",
                                };
                                let top = (c.kind == ColumnKind::Categorical)
                                    .then(|| {
                                        c.top_levels
                                            .iter()
                                            .take(3)
                                            .map(|(l, n)| format!("{l} ({n})"))
                                            .collect::<Vec<_>>()
                                            .join(", ")
                                    });
                                view! {
                                    <tr>
                                        <th scope="row">{c.name.clone()}</th>
                                        <td>{kind}</td>
                                        <td>
                                            <span class=format!("ns-role ns-role--{role}")>{role}</span>
                                        </td>
                                        {match top {
                                            Some(t) => view! { <td colspan="3" class="ns-muted">{t}</td> }.into_any(),
                                            None => view! {
                                                <td class="ns-num">{format::stat(c.min)}</td>
                                                <td class="ns-num">{format::stat(c.median)}</td>
                                                <td class="ns-num">{format::stat(c.max)}</td>
                                            }.into_any(),
                                        }}
                                        <td class="ns-num">{format::count(c.missing)}</td>
                                        <td class="ns-num" title=if c.distinct_exact { "" } else { "estimated (HyperLogLog, ±2 %): counted exactly up to 65,536" }>
                                            {if c.distinct_exact { String::new() } else { "≈ ".to_owned() }}
                                            {format::count(c.distinct)}
                                        </td>
                                    </tr>
                                }
                            })
                            .collect_view()
                    })}
                </tbody>
            </table>
        </div>
    }
}

/// A labelled number input that only accepts values in `[min, max]`, with an inline message
/// otherwise (the last valid value stays in effect).
#[component]
fn NumberField(
    /// Element id.
    id: &'static str,
    /// Visible label.
    label: &'static str,
    /// Smallest accepted value.
    min: f64,
    /// Largest accepted value.
    max: f64,
    /// Input step.
    step: f64,
    /// Current value.
    get: Signal<f64>,
    /// Called with each valid value.
    set: Callback<f64>,
    /// Called after each edit with `true` when the text is not a valid value.
    #[prop(optional)]
    on_check: Option<Callback<bool>>,
) -> impl IntoView {
    let invalid = RwSignal::new(false);
    let error_id = format!("{id}-error");
    let described = error_id.clone();
    view! {
        <label class="ns-field ns-field--inline" for=id>
            <span class="ns-field__label">{label}</span>
            <input
                id=id
                class="ns-input"
                type="number"
                min=min
                max=max
                step=step
                prop:value=move || get.get().to_string()
                aria-invalid=move || invalid.get().to_string()
                aria-describedby=move || invalid.get().then(|| described.clone())
                on:input=move |ev| {
                    let ok = match event_target_value(&ev).trim().parse::<f64>() {
                        Ok(v) if v >= min && v <= max => {
                            set.run(v);
                            true
                        }
                        _ => false,
                    };
                    invalid.set(!ok);
                    if let Some(check) = on_check {
                        check.run(!ok);
                    }
                }
            />
        </label>
        <Show when=move || invalid.get()>
            <p id=error_id.clone() class="ns-field-error" role="alert">
                {format!("{label}: enter a number from {min} to {max}.")}
            </p>
        </Show>
    }
}
