//! The rule-thresholds form: the default thresholds, inline validation, "Reset to defaults".
//! Applying a valid form sets `state.rules_config`, which re-runs the rules.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use crate::engine::rules::RulesConfig;
use crate::ui::state::use_app_state;

/// Reads a field as text.
type Getter = fn(&RulesConfig) -> String;
/// Parses and stores a field; the message says what is accepted.
type Setter = fn(&mut RulesConfig, &str) -> Result<(), String>;
/// A field's name, draft text and error message.
type Draft = (&'static str, RwSignal<String>, RwSignal<Option<String>>);

/// One editable threshold.
struct Field {
    /// `RulesConfig` field name (also the error's `field`, and the element id suffix).
    name: &'static str,
    /// Visible label.
    label: &'static str,
    /// Unit shown after the input.
    unit: &'static str,
    /// The current value as text.
    get: Getter,
    /// Parses and stores a value; the message says what is accepted.
    set: Setter,
}

fn count(s: &str) -> Result<u32, String> {
    s.trim()
        .parse::<u32>()
        .map_err(|_| "enter a whole number (0 to 4294967295)".into())
}

fn number(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(x),
        _ => Err("enter a number".into()),
    }
}

macro_rules! field {
    ($name:ident, $label:expr, $unit:expr, count) => {
        Field {
            name: stringify!($name),
            label: $label,
            unit: $unit,
            get: |c| c.$name.to_string(),
            set: |c, s| count(s).map(|v| c.$name = v),
        }
    };
    ($name:ident, $label:expr, $unit:expr, number) => {
        Field {
            name: stringify!($name),
            label: $label,
            unit: $unit,
            get: |c| c.$name.to_string(),
            set: |c, s| number(s).map(|v| c.$name = v),
        }
    };
}

/// The fields in form order, grouped by rule.
fn groups() -> Vec<(&'static str, Vec<Field>)> {
    vec![
        (
            "Port scan",
            vec![
                field!(port_scan_ports, "distinct ports", "ports", count),
                field!(port_scan_window_s, "within", "s", number),
            ],
        ),
        (
            "IP scan",
            vec![
                field!(ip_scan_hosts, "distinct hosts", "hosts", count),
                field!(ip_scan_window_s, "within", "s", number),
            ],
        ),
        (
            "SYN flood",
            vec![
                field!(syn_flood_syns, "half-open SYNs", "SYNs", count),
                field!(syn_flood_window_s, "within", "s", number),
            ],
        ),
        (
            "DDoS",
            vec![
                field!(ddos_sources, "distinct sources", "sources", count),
                field!(ddos_window_s, "within", "s", number),
            ],
        ),
        (
            "Traffic spike",
            vec![field!(spike_pps, "packets per second", "pkt/s", number)],
        ),
        (
            "Beaconing",
            vec![
                field!(beacon_min_connections, "connections at least", "", count),
                field!(beacon_min_score, "regularity score at least", "0–1", number),
            ],
        ),
        (
            "Long connection / upload",
            vec![
                field!(long_connection_s, "conversation lasting", "s", number),
                Field {
                    name: "outbound_bytes",
                    label: "bytes sent",
                    unit: "B",
                    get: |c| c.outbound_bytes.to_string(),
                    set: |c, s| {
                        s.trim()
                            .parse::<u64>()
                            .map(|v| c.outbound_bytes = v)
                            .map_err(|_| "enter a whole number of bytes".into())
                    },
                },
            ],
        ),
        (
            "De-duplication",
            vec![field!(cooldown_s, "cooldown", "s", number)],
        ),
    ]
}

/// The thresholds of every rule, editable; "Apply" re-runs the rules.
#[component]
pub fn RulesForm() -> impl IntoView {
    let state = use_app_state();
    let groups = groups();
    // Draft text and error message per field, in form order.
    let drafts: Vec<Draft> = {
        let c = state.rules_config.get_untracked();
        groups
            .iter()
            .flat_map(|(_, fs)| fs.iter())
            .map(|f| (f.name, RwSignal::new((f.get)(&c)), RwSignal::new(None)))
            .collect()
    };
    let drafts = StoredValue::new(drafts);
    let setters: Vec<(&'static str, Setter)> = groups
        .iter()
        .flat_map(|(_, fs)| fs.iter().map(|f| (f.name, f.set)))
        .collect();
    let setters = StoredValue::new(setters);
    let getters: Vec<Getter> = groups
        .iter()
        .flat_map(|(_, fs)| fs.iter().map(|f| f.get))
        .collect();
    let getters = StoredValue::new(getters);
    let form_error = RwSignal::new(None::<String>);

    let apply = move |ev: SubmitEvent| {
        ev.prevent_default();
        let mut c = state.rules_config.get_untracked();
        let mut ok = true;
        drafts.with_value(|d| {
            setters.with_value(|s| {
                for ((_, text, err), (_, set)) in d.iter().zip(s.iter()) {
                    match set(&mut c, &text.get_untracked()) {
                        Ok(()) => err.set(None),
                        Err(m) => {
                            err.set(Some(m));
                            ok = false;
                        }
                    }
                }
            })
        });
        if !ok {
            form_error.set(Some(
                "Fix the marked fields; the rules still run with the last valid thresholds.".into(),
            ));
            return;
        }
        if let Err(e) = c.validate() {
            let mut placed = false;
            drafts.with_value(|d| {
                if let Some((_, _, err)) = d.iter().find(|(n, _, _)| *n == e.field) {
                    err.set(Some(e.message.clone()));
                    placed = true;
                }
            });
            form_error.set(Some(if placed {
                "Fix the marked field; the rules still run with the last valid thresholds.".into()
            } else {
                format!("{}: {}", e.field, e.message)
            }));
            return;
        }
        form_error.set(None);
        state.rules_config.set(c);
    };
    let reset = move |_| {
        let c = RulesConfig::default();
        drafts.with_value(|d| {
            getters.with_value(|g| {
                for ((_, text, err), get) in d.iter().zip(g.iter()) {
                    text.set(get(&c));
                    err.set(None);
                }
            })
        });
        form_error.set(None);
        state.rules_config.set(c);
    };

    let mut index = 0usize;
    let fieldsets = groups
        .into_iter()
        .map(|(title, fields)| {
            let inputs = fields
                .into_iter()
                .map(|f| {
                    let (_, text, err) = drafts.with_value(|d| d[index]);
                    index += 1;
                    let id = format!("ns-rule-{}", f.name);
                    let err_id = format!("{id}-error");
                    let err_id2 = err_id.clone();
                    view! {
                        <div class="ns-rules__field">
                            <label class="ns-field__label" for=id.clone()>{f.label}</label>
                            <span class="ns-rules__input">
                                <input
                                    id=id
                                    class="ns-input"
                                    inputmode="decimal"
                                    autocomplete="off"
                                    prop:value=move || text.get()
                                    aria-invalid=move || err.with(Option::is_some).to_string()
                                    aria-describedby=err_id.clone()
                                    on:input=move |ev| text.set(event_target_value(&ev))
                                />
                                <span class="ns-rules__unit ns-muted">{f.unit}</span>
                            </span>
                            <p id=err_id2 class="ns-field-error" role="status">
                                {move || err.get()}
                            </p>
                        </div>
                    }
                })
                .collect_view();
            view! {
                <fieldset class="ns-fieldset ns-rules__group">
                    <legend class="ns-fieldset__legend">{title}</legend>
                    {inputs}
                </fieldset>
            }
        })
        .collect_view();

    view! {
        <form id="ns-rules-form" class="ns-rules" on:submit=apply novalidate=true>
            <div class="ns-rules__grid">{fieldsets}</div>
            <p class="ns-hint">
                "Windows slide; repeated triggers of one rule and key within the cooldown extend one alert."
            </p>
            <Show when=move || form_error.with(Option::is_some)>
                <p class="ns-field-error" role="alert">{move || form_error.get()}</p>
            </Show>
            <div class="ns-panel__actions">
                <button id="ns-rules-apply" type="submit" class="ns-button ns-button--primary">
                    "Apply thresholds"
                </button>
                <button id="ns-rules-reset" type="button" class="ns-button ns-button--ghost" on:click=reset>
                    "Reset to defaults"
                </button>
            </div>
        </form>
    }
}
