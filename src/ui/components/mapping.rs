//! The column-mapping panel: what was detected for each input column (format, use, kept or
//! dropped and why), a select per column to change its use, and Apply, which re-encodes the data
//! set in the worker ([`Remap`](crate::worker::protocol::Remap)).

use std::collections::BTreeMap;

use leptos::prelude::*;

use crate::engine::data::ColumnKind;
use crate::engine::mapping::{ColumnUse, MappingView};
use crate::ui::hooks::use_worker;
use crate::ui::state::use_app_state;
use crate::worker::protocol::{DatasetSummary, Mapping, Remap};

/// The choices in `applied` that differ from the data set's current uses (columns it does not
/// have are left out).
pub fn pending_choices(
    summary: &DatasetSummary,
    applied: &[(String, ColumnUse)],
) -> Vec<(String, ColumnUse)> {
    applied
        .iter()
        .filter(|(name, u)| {
            summary
                .columns
                .iter()
                .find(|c| &c.name == name)
                .is_some_and(|c| ColumnUse::of(c.role, c.kind, c.meaning) != *u)
        })
        .cloned()
        .collect()
}

/// Column mapping of the loaded data set. Fetches the mapping from the worker after every load,
/// and re-applies the user's mapping when a replacement worker reloaded the same data set.
#[component]
pub fn MappingPanel() -> impl IntoView {
    let state = use_app_state();
    let worker = use_worker();
    let view_sig: RwSignal<Option<MappingView>> = RwSignal::new(None);
    // Column → use the user picked but has not applied yet.
    let draft: RwSignal<BTreeMap<String, ColumnUse>> = RwSignal::new(BTreeMap::new());
    let message: RwSignal<Option<String>> = RwSignal::new(None);
    let applying = RwSignal::new(false);

    let apply = move |choices: Vec<(String, ColumnUse)>| {
        applying.set(true);
        message.set(None);
        let answer = worker.request(Remap {
            roles: choices.clone(),
        });
        leptos::task::spawn_local(async move {
            let answer = answer.await;
            applying.try_set(false);
            match answer {
                Ok(b) => {
                    let (summary, view) = *b;
                    let name = summary.name.clone();
                    state.applied_mapping.update(|a| {
                        let mut merged: Vec<(String, ColumnUse)> = match a.take() {
                            Some((n, v)) if n == name => v,
                            _ => Vec::new(),
                        };
                        for (c, u) in choices {
                            merged.retain(|(m, _)| *m != c);
                            merged.push((c, u));
                        }
                        *a = Some((name, merged));
                    });
                    draft.set(BTreeMap::new());
                    view_sig.set(Some(view));
                    state.result.set(None);
                    state.top_rows.set(None);
                    state.threshold.set(None);
                    state.selected_row.set(None);
                    state.dataset.set(Some(summary));
                    state.notice.set(Some(
                        "Column mapping applied; train again to use it.".into(),
                    ));
                }
                Err(e) if e.is_silent() => {}
                Err(e) => {
                    message.try_set(Some(e.to_string()));
                }
            }
        });
    };

    // After each load: fetch the mapping; re-apply the user's choices after a worker restart.
    Effect::new(move |_| {
        let Some((name, pending)) = state.dataset.with(|d| {
            d.as_ref().map(|d| {
                let pending = state.applied_mapping.with_untracked(|a| match a {
                    Some((n, roles)) if *n == d.name => pending_choices(d, roles),
                    _ => Vec::new(),
                });
                (d.name.clone(), pending)
            })
        }) else {
            view_sig.set(None);
            draft.set(BTreeMap::new());
            return;
        };
        let _ = name;
        draft.set(BTreeMap::new());
        if !pending.is_empty() {
            apply(pending);
            return;
        }
        let answer = worker.request(Mapping);
        leptos::task::spawn_local(async move {
            match answer.await {
                Ok(v) => {
                    view_sig.try_set(Some(v));
                }
                Err(e) => state.fail("Could not read the column mapping", e),
            }
        });
    });

    let changed = move || draft.with(|d| !d.is_empty());
    let summary_line = move || {
        view_sig.with(|v| {
            v.as_ref().map(|v| {
                let kept = v.columns.iter().filter(|c| c.kept).count();
                let features = v
                    .columns
                    .iter()
                    .filter(|c| {
                        c.kept && c.current.target().0 == crate::engine::data::Role::Feature
                    })
                    .count();
                let dropped = v.columns.len() - kept;
                format!(
                    "{} · {kept} columns kept ({features} model inputs){}",
                    v.format,
                    if dropped > 0 {
                        format!(", {dropped} dropped")
                    } else {
                        String::new()
                    }
                )
            })
        })
    };

    view! {
        <details id="ns-mapping" class="ns-details ns-mapping">
            <summary class="ns-mapping__summary">
                <span class="ns-panel__subtitle ns-mapping__title">"Column mapping"</span>
                <span id="ns-mapping-format" class="ns-hint">{summary_line}</span>
            </summary>
            <p class="ns-hint">
                "Each column's use for the models and the network views. IP addresses, identifiers and raw times are never model inputs unless you choose so here."
            </p>
            <div class="ns-table-wrap ns-mapping__wrap">
                <table id="ns-mapping-table" class="ns-table ns-table--compact">
                    <thead>
                        <tr>
                            <th scope="col">"column"</th>
                            <th scope="col">"use"</th>
                            <th scope="col">"stored as"</th>
                            <th scope="col">"status"</th>
                            <th scope="col">"why"</th>
                        </tr>
                    </thead>
                    <tbody>
                        <For
                            each=move || {
                                view_sig.with(|v| v.as_ref().map(|v| v.columns.clone()).unwrap_or_default())
                            }
                            key=|c| (c.name.clone(), c.current, c.kept, c.reason.clone())
                            let:col
                        >
                            <MappingRow col=col draft=draft />
                        </For>
                    </tbody>
                </table>
            </div>
            <div class="ns-mapping__actions">
                <button
                    id="ns-mapping-apply"
                    class="ns-button ns-button--primary"
                    type="button"
                    disabled=move || !changed() || applying.get() || state.busy()
                    on:click=move |_| {
                        let choices: Vec<(String, ColumnUse)> =
                            draft.with_untracked(|d| d.iter().map(|(k, v)| (k.clone(), *v)).collect());
                        apply(choices);
                    }
                >
                    {move || if applying.get() { "Applying…" } else { "Apply mapping" }}
                </button>
                <button
                    id="ns-mapping-reset"
                    class="ns-button"
                    type="button"
                    disabled=move || !changed() || applying.get()
                    on:click=move |_| draft.set(BTreeMap::new())
                >
                    "Undo changes"
                </button>
                <span class="ns-hint">
                    {move || {
                        let n = draft.with(BTreeMap::len);
                        (n > 0).then(|| format!("{n} change(s) not applied yet"))
                    }}
                </span>
            </div>
            <Show when=move || message.with(Option::is_some)>
                <p id="ns-mapping-error" class="ns-field-error" role="alert">
                    {move || message.get().unwrap_or_default()}
                </p>
            </Show>
        </details>
    }
}

/// One column of the mapping table.
#[component]
fn MappingRow(
    /// The column.
    col: crate::engine::mapping::MappedColumn,
    /// Pending changes (column → use).
    draft: RwSignal<BTreeMap<String, ColumnUse>>,
) -> impl IntoView {
    let state = use_app_state();
    let name = col.name.clone();
    let select_id = format!("ns-map-{}", css_id(&col.name));
    let current = col.current;
    let value_name = name.clone();
    let value = move || {
        draft
            .with(|d| d.get(&value_name).copied())
            .unwrap_or(current)
            .id()
    };
    let changed_name = name.clone();
    let is_changed = move || draft.with(|d| d.contains_key(&changed_name));
    let kind = match col.kind {
        ColumnKind::Numeric => "numbers",
        ColumnKind::Categorical => "text",
    };
    let renamed = (col.source.trim() != col.name)
        .then(|| format!(" (\u{201c}{}\u{201d} in the file)", col.source));
    let status = if col.kept { "mapped" } else { "dropped" };
    let label_text = format!("Use of column {}", col.name);
    view! {
        <tr class:ns-mapping__row--changed=is_changed class:ns-mapping__row--dropped=!col.kept data-column=col.name.clone()>
            <th scope="row">
                <code>{col.name.clone()}</code>
                <span class="ns-muted">{renamed}</span>
            </th>
            <td>
                {if col.kept {
                    view! {
                        <select
                            id=select_id
                            class="ns-select ns-mapping__select"
                            aria-label=label_text
                            prop:value=value
                            disabled=move || state.busy()
                            on:change=move |ev| {
                                let picked = ColumnUse::from_id(&event_target_value(&ev));
                                draft.update(|d| match picked {
                                    Some(u) if u != current => {
                                        d.insert(name.clone(), u);
                                    }
                                    _ => {
                                        d.remove(&name);
                                    }
                                });
                            }
                        >
                            {ColumnUse::ALL
                                .into_iter()
                                .map(|u| view! { <option value=u.id() selected={u == current}>{u.label()}</option> })
                                .collect_view()}
                        </select>
                    }
                    .into_any()
                } else {
                    view! { <span class="ns-muted">"–"</span> }.into_any()
                }}
            </td>
            <td>{kind}</td>
            <td>
                <span class=format!("ns-mapping__status ns-mapping__status--{status}")>{status}</span>
            </td>
            <td class="ns-mapping__why">{col.reason.clone()}</td>
        </tr>
    }
}

/// A column name reduced to characters safe in an element id.
fn css_id(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}
