//! Feedback: the verdict counts, the editable suppression rules and retraining with feedback.

use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::engine::feedback::{Op, RetrainDiff, SuppressionRule};
use crate::ui::components::anomalies::use_anomalies;
use crate::ui::components::ProgressBar;
use crate::ui::format;
use crate::ui::hooks::use_worker::use_worker;
use crate::ui::state::{use_app_state, JobKind};
use crate::worker::protocol::Retrain;

/// Confirmed, false positives, unreviewed and the precision of the reviewed alerts.
#[component]
pub fn FeedbackBar() -> impl IntoView {
    let ctx = use_anomalies();
    let stat = move |f: fn(&crate::engine::feedback::FeedbackStats) -> String| {
        move || {
            ctx.page.with(|p| {
                p.as_ref()
                    .map(|p| f(&p.stats))
                    .unwrap_or_else(|| "–".into())
            })
        }
    };
    view! {
        <div id="ns-feedback-stats" class="ns-cards ns-anom__stats">
            <div class="ns-card ns-card--alert">
                <span class="ns-card__value" data-stat="fb-anomalies">{stat(|s| format::count(s.anomalies))}</span>
                <span class="ns-card__label">"flagged"</span>
            </div>
            <div class="ns-card">
                <span class="ns-card__value" data-stat="fb-tp">{stat(|s| format::count(s.true_positives))}</span>
                <span class="ns-card__label">"confirmed attacks"</span>
            </div>
            <div class="ns-card">
                <span class="ns-card__value" data-stat="fb-fp">{stat(|s| format::count(s.false_positives))}</span>
                <span class="ns-card__label">"false positives"</span>
            </div>
            <div class="ns-card">
                <span class="ns-card__value" data-stat="fb-unreviewed">{stat(|s| format::count(s.unreviewed))}</span>
                <span class="ns-card__label">"unreviewed"</span>
            </div>
            <div class="ns-card">
                <span class="ns-card__value" data-stat="fb-precision">{stat(|s| s.reviewed_precision.map(format::percent).unwrap_or_else(|| "–".into()))}</span>
                <span class="ns-card__label">"precision of reviewed"</span>
            </div>
        </div>
    }
}

/// The suppression rules, editable: enable, rename, change numbers, drop conditions, delete.
#[component]
pub fn SuppressionRules() -> impl IntoView {
    let state = use_app_state();
    let ctx = use_anomalies();
    let count_of = move |id: &str| {
        ctx.page.with(|p| {
            p.as_ref()
                .and_then(|p| p.suppressed_counts.iter().find(|(i, _)| i == id))
                .map_or(0, |(_, n)| *n)
        })
    };
    view! {
        <section class="ns-panel ns-anom__rules" aria-labelledby="ns-rules-title">
            <div class="ns-panel__head">
                <h2 id="ns-rules-title" class="ns-panel__title">"Suppression rules"</h2>
            </div>
            <p class="ns-hint">"Alerts a rule matches stay in the table, dimmed and labelled; nothing is deleted. Use “Suppress similar” in a row's detail to add one."</p>
            <ul id="ns-rules" class="ns-anom__rule-list">
                {move || {
                    let rules = state.suppressions.get();
                    if rules.is_empty() {
                        return view! { <li class="ns-empty">"No rules yet."</li> }.into_any();
                    }
                    rules.into_iter().enumerate().map(|(i, rule)| {
                        let id = rule.id.clone();
                        let n = count_of(&id);
                        view! {
                            <li class="ns-anom__rule" data-rule=id.clone()>
                                <div class="ns-anom__rule-head">
                                    <label class="ns-anom__rule-on">
                                        <input type="checkbox" prop:checked=rule.enabled
                                            on:change=move |ev| {
                                                let on = event_target_checked(&ev);
                                                state.suppressions.update(|rs| if let Some(r) = rs.get_mut(i) { r.enabled = on; });
                                            } />
                                        <span class="ns-visually-hidden">"Enabled"</span>
                                    </label>
                                    <input class="ns-input ns-anom__rule-name" aria-label="Rule name" prop:value=rule.name.clone()
                                        on:change=move |ev| {
                                            let v = event_target_value(&ev);
                                            state.suppressions.update(|rs| if let Some(r) = rs.get_mut(i) { r.name = v; });
                                        } />
                                    <span class="ns-muted ns-anom__rule-count">{format!("{} matching", format::count(n))}</span>
                                    <button class="ns-button ns-button--ghost" type="button" aria-label=format!("Delete rule {}", rule.name)
                                        on:click=move |_| state.suppressions.update(|rs| { if i < rs.len() { rs.remove(i); } })>"Delete"</button>
                                </div>
                                <ul class="ns-anom__conds">
                                    {rule.conditions.iter().enumerate().map(|(j, c)| condition_view(state, i, j, c)).collect_view()}
                                </ul>
                            </li>
                        }.into_any()
                    }).collect_view().into_any()
                }}
            </ul>
        </section>
    }
}

fn set_num(state: crate::ui::state::AppState, i: usize, j: usize, slot: usize, text: String) {
    let Ok(x) = text.trim().replace([',', ' '], "").parse::<f64>() else {
        return;
    };
    if !x.is_finite() {
        return;
    }
    state.suppressions.update(|rs| {
        let Some(c) = rs
            .get_mut(i)
            .and_then(|r: &mut SuppressionRule| r.conditions.get_mut(j))
        else {
            return;
        };
        match (&mut c.op, slot) {
            (Op::Between(lo, _), 0) => *lo = x,
            (Op::Between(_, hi), _) => *hi = x,
            (Op::Lt(v) | Op::Le(v) | Op::Gt(v) | Op::Ge(v), _) => *v = x,
            (Op::Eq(crate::engine::feedback::RuleValue::Number(v)), _) => *v = x,
            _ => {}
        }
    });
}

fn condition_view(
    state: crate::ui::state::AppState,
    i: usize,
    j: usize,
    c: &crate::engine::feedback::Condition,
) -> impl IntoView {
    let num_input = move |label: String, value: f64, slot: usize| {
        view! {
            <input class="ns-input ns-anom__cond-num" type="text" inputmode="decimal" aria-label=label
                prop:value=crate::engine::data::format_number(if value.abs() >= 1.0 { (value * 1e4).round() / 1e4 } else { value })
                on:change=move |ev| set_num(state, i, j, slot, event_target_value(&ev)) />
        }
    };
    let col = c.column.clone();
    let editor = match &c.op {
        Op::Between(lo, hi) => view! {
            <span>{num_input(format!("{col} from"), *lo, 0)}" – "{num_input(format!("{col} to"), *hi, 1)}</span>
        }
        .into_any(),
        Op::Lt(v) | Op::Le(v) | Op::Gt(v) | Op::Ge(v) => {
            let sym = match &c.op {
                Op::Lt(_) => "<",
                Op::Le(_) => "≤",
                Op::Gt(_) => ">",
                _ => "≥",
            };
            view! { <span>{sym}" "{num_input(format!("{col} {sym}"), *v, 0)}</span> }.into_any()
        }
        Op::Eq(crate::engine::feedback::RuleValue::Number(v)) => {
            view! { <span>"= "{num_input(format!("{col} equals"), *v, 0)}</span> }.into_any()
        }
        _ => view! { <span class="ns-mono">{c.describe()}</span> }.into_any(),
    };
    view! {
        <li class="ns-anom__cond">
            <span class="ns-mono ns-anom__cond-col">{c.column.clone()}</span>
            {editor}
            <button class="ns-button ns-button--ghost" type="button" aria-label=format!("Remove the condition on {}", c.column)
                on:click=move |_| state.suppressions.update(|rs| {
                    if let Some(r) = rs.get_mut(i) { if j < r.conditions.len() { r.conditions.remove(j); } }
                })>"×"</button>
        </li>
    }
}

/// Retrain with feedback and the before/after diff.
#[component]
pub fn RetrainPanel() -> impl IntoView {
    let state = use_app_state();
    let ctx = use_anomalies();
    let worker = use_worker();
    let n_verdicts = move || state.feedback.with(Vec::len);
    let retrain = move |_| {
        let req = Retrain {
            config: state.config.get_untracked(),
            feedback: state.feedback.get_untracked(),
        };
        let answer = worker.run(JobKind::Task("Retraining with feedback"), req, &[]);
        spawn_local(async move {
            match answer.await {
                Ok(b) => {
                    let (result, diff) = *b;
                    ctx.diff.set(Some(diff));
                    worker.show_result(Arc::new(result));
                    state.notice.set(Some(
                        "Retrained with your feedback; the new result is current.".into(),
                    ));
                }
                Err(e) => state.fail("Retraining failed", e),
            }
        });
    };
    view! {
        <section class="ns-panel ns-anom__retrain" aria-labelledby="ns-retrain-title">
            <div class="ns-panel__head">
                <h2 id="ns-retrain-title" class="ns-panel__title">"Retrain with feedback"</h2>
                <div class="ns-panel__actions">
                    <button id="ns-retrain" class="ns-button ns-button--primary" type="button"
                        disabled=move || state.result.with(Option::is_none) || state.busy() || n_verdicts() == 0
                        on:click=retrain>"Retrain"</button>
                </div>
            </div>
            <p class="ns-hint">
                "Rows you marked false positive join the training rows as normal traffic; rows you confirmed as attacks leave them. "
                "Detectors, seeds and contamination stay as configured, so the difference is your feedback's doing, and your verdicts are kept for the next retrain. "
                "Training still needs at least 10 rows after that (LOF: its k + 1). "
                "A false positive can stay flagged when it is rarer than the contamination share of the new training rows: the thresholds are set so that share of training rows scores as anomalous."
            </p>
            <p class="ns-hint">{move || if n_verdicts() == 0 { "Mark at least one row first." } else { "" }}</p>
            <ProgressBar id="ns-anom-progress" />
            {move || ctx.diff.get().map(|d| view! { <DiffView diff=d /> })}
        </section>
    }
}

#[component]
fn DiffView(
    /// What the retrain changed.
    diff: RetrainDiff,
) -> impl IntoView {
    let metrics = diff.metrics.map(|m| {
        let rows = [
            ("accuracy", m.accuracy),
            ("precision", m.precision),
            ("recall", m.recall),
            ("F1", m.f1),
            ("ROC-AUC", m.roc_auc),
            ("PR-AUC", m.pr_auc),
        ];
        view! {
            <table id="ns-retrain-metrics" class="ns-table ns-table--compact">
                <thead><tr><th scope="col">"metric"</th><th scope="col" class="ns-num">"before"</th><th scope="col" class="ns-num">"after"</th><th scope="col" class="ns-num">"change"</th></tr></thead>
                <tbody>
                    {rows.into_iter().map(|(name, c)| view! {
                        <tr><th scope="row">{name}</th><td class="ns-num">{format!("{:.3}", c.before)}</td><td class="ns-num">{format!("{:.3}", c.after)}</td><td class="ns-num">{format!("{:+.3}", c.delta)}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        }
    });
    let still = diff.false_positives_still_flagged.clone();
    let lost = diff.true_positives_lost.clone();
    let rows_list = |v: &[usize]| {
        v.iter()
            .take(20)
            .map(|r| (r + 1).to_string())
            .collect::<Vec<_>>()
            .join(", ")
            + if v.len() > 20 { ", …" } else { "" }
    };
    view! {
        <div id="ns-retrain-diff" class="ns-anom__diff"
            data-before=diff.anomalies_before.to_string() data-after=diff.anomalies_after.to_string()
            data-cleared=diff.cleared.len().to_string() data-newly=diff.newly_flagged.len().to_string()
            data-fp-still=still.len().to_string()>
            <dl class="ns-anom__diff-list">
                <div><dt>"anomalies"</dt><dd>{format!("{} → {}", format::count(diff.anomalies_before), format::count(diff.anomalies_after))}</dd></div>
                <div><dt>"no longer flagged"</dt><dd>{format::count(diff.cleared.len())}</dd></div>
                <div><dt>"newly flagged"</dt><dd>{format::count(diff.newly_flagged.len())}</dd></div>
                <div><dt>"training rows"</dt><dd>{format!("{} → {} (+{} false positives, −{} attacks)", format::count(diff.train_rows_before), format::count(diff.train_rows_after), diff.plan.added_as_normal.len(), diff.plan.removed.len())}</dd></div>
            </dl>
            {(!still.is_empty()).then(|| view! {
                <p class="ns-hint" id="ns-retrain-still">{format!("{} row(s) you marked false positive are still flagged (rows {}): they remain rarer than the contamination share of the training rows; lower the contamination or add more examples like them.", still.len(), rows_list(&still))}</p>
            })}
            {(!lost.is_empty()).then(|| view! {
                <p class="ns-hint">{format!("{} confirmed attack(s) are no longer flagged (rows {}).", lost.len(), rows_list(&lost))}</p>
            })}
            {metrics}
        </div>
    }
}
