//! The analysis charts under the results: model comparison, voting, severity, feature
//! distributions, PCA, correlation, and (with labels) confusion matrix and ROC/PR curves.
//!
//! When a result arrives the page asks the worker for its [`ResultViews`] (histograms, PCA,
//! correlation, per-row truth; `engine::views`), then draws the charts one per task, so the page
//! keeps answering input between them. The label tiles and the confusion matrix are plain HTML
//! recounted from the per-row truth whenever the threshold moves: one O(n) pass, no worker trip.

use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use crate::engine::metrics::Confusion;
use crate::engine::pipeline::RunResult;
use crate::engine::summary::is_flagged;
use crate::engine::views::ResultViews;
use crate::ui::chart;
use crate::ui::error::AppError;
use crate::ui::format;
use crate::ui::hooks::use_worker;
use crate::ui::state::use_app_state;
use crate::viz::palette::Palette;
use crate::worker::protocol::Views;

/// One chart of the section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ChartKind {
    Comparison,
    Voting,
    Severity,
    Roc,
    Pr,
    Pca,
    Correlation,
    Feature(usize),
}

impl ChartKind {
    /// Element id of the chart's container.
    fn id(self) -> String {
        match self {
            ChartKind::Comparison => "ns-chart-comparison".into(),
            ChartKind::Voting => "ns-chart-votes".into(),
            ChartKind::Severity => "ns-chart-severity".into(),
            ChartKind::Roc => "ns-chart-roc".into(),
            ChartKind::Pr => "ns-chart-pr".into(),
            ChartKind::Pca => "ns-chart-pca".into(),
            ChartKind::Correlation => "ns-chart-correlation".into(),
            ChartKind::Feature(i) => format!("ns-chart-feature-{i}"),
        }
    }

    /// Whether the chart is drawn with WebGL (the PCA scatter above its SVG size).
    fn uses_webgl(self, v: &ResultViews) -> bool {
        self == ChartKind::Pca
            && v.projection
                .as_ref()
                .is_some_and(|p| p.rows.len() > crate::viz::projection::PCA_SVG_MAX_POINTS)
    }

    /// Height of the chart's box in pixels.
    fn height(self, v: &ResultViews) -> usize {
        match self {
            ChartKind::Comparison | ChartKind::Voting | ChartKind::Severity => 300,
            ChartKind::Roc | ChartKind::Pr => crate::viz::curves::HEIGHT,
            ChartKind::Pca => 420,
            ChartKind::Correlation => correlation_height(v),
            ChartKind::Feature(_) => 230,
        }
    }

    /// The plotly spec (`None` when the chart has nothing to show).
    fn build(self, v: &ResultViews, r: &RunResult, palette: &Palette) -> Option<plotly::Plot> {
        use crate::viz::{comparison, curves, distributions, projection};
        match self {
            ChartKind::Comparison => Some(comparison::model_comparison(r, palette)),
            ChartKind::Voting => Some(comparison::voting(&v.vote_counts, r.min_votes, palette)),
            ChartKind::Severity => Some(comparison::severity(r, palette)),
            ChartKind::Roc => curves::curves(r, curves::Curve::Roc, palette),
            ChartKind::Pr => curves::curves(r, curves::Curve::Pr, palette),
            ChartKind::Pca => v
                .projection
                .as_ref()
                .map(|p| projection::pca(p, r, palette)),
            ChartKind::Correlation => v
                .correlation
                .as_ref()
                .map(|c| projection::correlation(c, palette)),
            ChartKind::Feature(i) => v
                .histograms
                .get(i)
                .map(|h| distributions::feature_histogram(h, palette)),
        }
    }
}

/// The charts present for these views, in drawing order (top of the page first).
fn chart_list(v: &ResultViews, r: &RunResult) -> Vec<ChartKind> {
    let mut list = vec![
        ChartKind::Comparison,
        ChartKind::Voting,
        ChartKind::Severity,
    ];
    if r.metrics.is_some() && v.truth.is_some() {
        list.extend([ChartKind::Roc, ChartKind::Pr]);
    }
    if v.projection.is_some() {
        list.push(ChartKind::Pca);
    }
    if v.correlation.is_some() {
        list.push(ChartKind::Correlation);
    }
    list.extend((0..v.histograms.len()).map(ChartKind::Feature));
    list
}

/// Milliseconds without scrolling, pointer or key input before a chart off screen is drawn.
const IDLE_MS: f64 = 400.0;

/// Milliseconds between two looks for a chart to draw while none is due.
const POLL_MS: u32 = 150;

/// A chart this close to the window (pixels above or below it) counts as on screen.
const NEAR_PX: f64 = 300.0;

/// The page's clock (`performance.now()`, ms).
fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// The container of a chart, when it is in the page.
fn chart_box(kind: ChartKind) -> Option<web_sys::HtmlElement> {
    document()
        .get_element_by_id(&kind.id())
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
}

/// Whether `el` is in the window or within [`NEAR_PX`] of it (the document scrolls).
fn near_view(el: &web_sys::HtmlElement) -> bool {
    let Some(w) = web_sys::window() else {
        return true;
    };
    let scroll = w.scroll_y().unwrap_or(0.0);
    let height = w
        .inner_height()
        .ok()
        .and_then(|h| h.as_f64())
        .unwrap_or(800.0);
    let mut top = 0.0;
    let mut node = Some(el.clone());
    while let Some(n) = node {
        top += f64::from(n.offset_top());
        node = n
            .offset_parent()
            .and_then(|p| p.dyn_into::<web_sys::HtmlElement>().ok());
    }
    let bottom = top + f64::from(el.offset_height());
    bottom >= scroll - NEAR_PX && top <= scroll + height + NEAR_PX
}

/// Height of the correlation heatmap (0 without one): grows with the number of features.
fn correlation_height(v: &ResultViews) -> usize {
    v.correlation
        .as_ref()
        .map_or(0, |c| (220 + 16 * c.names.len()).clamp(320, 640))
}

/// The charts that explain a run (empty until a result exists).
#[component]
pub fn AnalysisCharts() -> impl IntoView {
    let state = use_app_state();
    let worker = use_worker();
    let views: RwSignal<Option<Arc<ResultViews>>> = RwSignal::new(None);
    let loading = RwSignal::new(false);
    // Generations: an answer or a drawing loop that belongs to an older result gives up.
    let request_gen = StoredValue::new(0u32);
    let draw_gen = StoredValue::new(0u32);

    // -- effects --
    // The views of each new result: from the cache when this result's are there (a return to
    // the tab), else from the worker.
    Effect::new(move |_| {
        let result = state.result.get();
        let g = request_gen.get_value().wrapping_add(1);
        request_gen.set_value(g);
        let Some(result) = result else {
            views.set(None);
            loading.set(false);
            state.analysis_views.set(None);
            return;
        };
        let cached = state.analysis_views.with_untracked(|c| {
            c.as_ref()
                .filter(|(r, _)| Arc::ptr_eq(r, &result))
                .map(|(_, v)| v.clone())
        });
        if let Some(v) = cached {
            loading.set(false);
            views.set(Some(v));
            return;
        }
        views.set(None);
        state.analysis_views.set(None);
        loading.set(true);
        let answer = worker.request(Views);
        spawn_local(async move {
            let answer = answer.await;
            if request_gen.try_get_value() != Some(g) {
                return;
            }
            loading.try_set(false);
            match answer {
                Ok(v) => {
                    let v = Arc::new(*v);
                    state.analysis_views.try_set(Some((result, v.clone())));
                    views.try_set(Some(v));
                }
                Err(e) => state.fail_then(
                    "The analysis charts could not be computed",
                    e,
                    "the results above are unaffected; train again to retry the charts.",
                ),
            }
        });
    });

    // The last scroll, pointer or key input (performance.now()): charts off screen wait for a
    // pause in the analyst's input.
    let last_input = StoredValue::new(0.0f64);
    let handles: Vec<_> = ["scroll", "wheel", "pointerdown", "keydown"]
        .into_iter()
        .map(|name| window_event_listener_untyped(name, move |_| last_input.set_value(now_ms())))
        .collect();
    on_cleanup(move || handles.into_iter().for_each(|h| h.remove()));

    // Draw (or redraw, on a theme change) every chart, one per task: the ones on screen (or
    // about to be) first; the others only once the input has paused for IDLE_MS, so scrolling,
    // dragging the threshold or switching tabs never queues behind a chart nobody looks at.
    Effect::new(move |_| {
        let v = views.get();
        let result = state.result.get();
        let palette = state.theme.get().palette();
        let my = draw_gen.get_value().wrapping_add(1);
        draw_gen.set_value(my);
        let (Some(v), Some(r)) = (v, result) else {
            return;
        };
        let mut pending = chart_list(&v, &r);
        spawn_local(async move {
            while !pending.is_empty() {
                // A task of its own per chart, so the page answers input in between.
                gloo_timers::future::TimeoutFuture::new(0).await;
                if draw_gen.try_get_value() != Some(my) {
                    return;
                }
                // Charts whose box is gone (the section re-rendered) are dropped.
                let boxes: Vec<Option<web_sys::HtmlElement>> =
                    pending.iter().map(|k| chart_box(*k)).collect();
                let next = boxes
                    .iter()
                    .position(|b| b.as_ref().is_some_and(near_view))
                    .or_else(|| {
                        let idle = now_ms() - last_input.get_value() >= IDLE_MS;
                        idle.then(|| boxes.iter().position(Option::is_some))
                            .flatten()
                    });
                let Some(i) = next else {
                    if boxes.iter().all(Option::is_none) {
                        return;
                    }
                    gloo_timers::future::TimeoutFuture::new(POLL_MS).await;
                    continue;
                };
                let kind = pending.remove(i);
                let Some(el) = boxes.into_iter().nth(i).flatten() else {
                    continue;
                };
                let Some(plot) = kind.build(&v, &r, &palette) else {
                    continue;
                };
                if kind.uses_webgl(&v) && el.child_element_count() == 0 {
                    // The WebGL context and shaders in a task of their own, before the data.
                    let warm = crate::viz::frame::webgl_placeholder(&palette, kind.height(&v));
                    let _ = chart::render(&el, &warm).await;
                    gloo_timers::future::TimeoutFuture::new(0).await;
                    if draw_gen.try_get_value() != Some(my) {
                        return;
                    }
                }
                if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
                    let _ = p.mark(&format!("ns-draw:{}", kind.id()));
                }
                match chart::render(&el, &plot).await {
                    Ok(()) => {
                        let _ = el.set_attribute("data-state", "drawn");
                    }
                    Err(e) => {
                        state.fail_then(
                            "An analysis chart could not be drawn",
                            AppError::Browser(format!("{e} ({})", kind.id())),
                            "the numbers are still in the cards, the table and the downloads; reload the page to retry.",
                        );
                        return;
                    }
                }
            }
        });
    });

    let status = move || {
        if state.result.with(Option::is_none) {
            "Train to see the analysis charts."
        } else if loading.get() {
            "Computing the analysis views…"
        } else {
            ""
        }
    };

    view! {
        <section
            id="ns-analysis"
            class="ns-panel ns-analysis"
            aria-labelledby="ns-analysis-title"
            data-state=move || {
                if views.with(Option::is_some) { "ready" } else if loading.get() { "loading" } else { "empty" }
            }
        >
            <div class="ns-panel__head">
                <h2 id="ns-analysis-title" class="ns-panel__title">"4 · Analysis"</h2>
                <span class="ns-muted ns-analysis__status" aria-live="polite">{status}</span>
            </div>
            {move || {
                let v = views.get()?;
                let r = state.result.get()?;
                Some(view! { <AnalysisBody views=v result=r /> })
            }}
        </section>
    }
}

/// A chart container with its fixed height (no jump when plotly fills it).
#[component]
fn ChartBox(
    /// Which chart.
    kind: ChartKind,
    /// Height in pixels (the plotly layout's).
    height: usize,
    /// Extra class (`ns-analysis__wide`, …).
    #[prop(optional)]
    class: &'static str,
) -> impl IntoView {
    view! {
        <div
            id=kind.id()
            class=format!("ns-analysis__plot {class}")
            style=format!("height:{height}px")
            data-state="empty"
        ></div>
    }
}

/// The charts and tiles of one result.
#[component]
fn AnalysisBody(
    /// The views of the result.
    views: Arc<ResultViews>,
    /// The result.
    result: Arc<RunResult>,
) -> impl IntoView {
    let has_labels = views.truth.is_some();
    let has_curves = has_labels && result.metrics.is_some();
    let n_hist = views.histograms.len();
    let corr_height = correlation_height(&views);
    let feature_caption = format!(
        "{} of {} features, most discriminating first: ordered by how differently normal and \
         anomalous rows (the vote decision) are distributed — the total-variation distance \
         between the two histograms. Bars are shares of each group; numeric bins span p1–p99.",
        n_hist, views.n_features
    );
    let pca_caption = views.projection.as_ref().map(|p| {
        format!(
            "The matrix the detectors saw (encoded and scaled), projected on its first two \
             principal components. {} rows shown: every anomaly up to 2,500 plus a seeded \
             sample of normal rows; outlined points are anomalies ({} in the data).",
            p.rows.len(),
            format::count(p.n_anomalies)
        )
    });
    view! {
        <div class="ns-analysis__grid">
            <ChartBox kind=ChartKind::Comparison height=ChartKind::Comparison.height(&views) />
            <ChartBox kind=ChartKind::Voting height=ChartKind::Voting.height(&views) />
            <ChartBox kind=ChartKind::Severity height=ChartKind::Severity.height(&views) />
            {has_labels.then(|| view! { <LabelPanel views=views.clone() /> })}
        </div>
        {has_curves.then(|| view! {
            <div class="ns-analysis__grid">
                <ChartBox kind=ChartKind::Roc height=ChartKind::Roc.height(&views) />
                <ChartBox kind=ChartKind::Pr height=ChartKind::Pr.height(&views) />
            </div>
        })}
        {pca_caption.map(|caption| view! {
            <figure class="ns-chart ns-analysis__figure">
                <figcaption class="ns-chart__caption">{caption}</figcaption>
                <ChartBox kind=ChartKind::Pca height=ChartKind::Pca.height(&views) />
            </figure>
        })}
        {(corr_height > 0).then(|| view! {
            <figure class="ns-chart ns-analysis__figure">
                <figcaption class="ns-chart__caption">
                    "Raw values of the numeric features; missing cells count as the column mean. Blue: negative, red: positive."
                </figcaption>
                <ChartBox kind=ChartKind::Correlation height=corr_height />
            </figure>
        })}
        {(n_hist > 0).then(|| view! {
            <figure class="ns-chart ns-analysis__figure">
                <figcaption class="ns-chart__caption">
                    <strong>"Feature distributions · "</strong>{feature_caption}
                </figcaption>
                <div id="ns-feature-grid" class="ns-analysis__features">
                    {(0..n_hist)
                        .map(|i| view! { <ChartBox kind=ChartKind::Feature(i) height=ChartKind::Feature(i).height(&views) /> })
                        .collect_view()}
                </div>
            </figure>
        })}
    }
}

/// Accuracy, precision, recall, F1 and the confusion matrix at the current threshold.
#[component]
fn LabelPanel(
    /// The views (with the per-row truth).
    views: Arc<ResultViews>,
) -> impl IntoView {
    let state = use_app_state();
    let truth = views.truth.clone().unwrap_or_default();
    let confusion = Memo::new(move |_| {
        let threshold = state.threshold.get();
        state.result.with(|r| {
            r.as_deref().map_or_else(Confusion::default, |r| {
                let flagged: Vec<bool> = (0..r.ensemble_score.len())
                    .map(|i| is_flagged(r, threshold, i))
                    .collect();
                Confusion::from_labelled(truth.iter().copied(), &flagged)
            })
        })
    });
    let at = move || match state.threshold.get() {
        None => "at the vote decision".to_owned(),
        Some(t) => format!("at ensemble score ≥ {t:.3}"),
    };
    let tile = move |name: &'static str, label: &'static str, f: fn(&Confusion) -> f64| {
        view! {
            <div class="ns-analysis__tile">
                <span class="ns-analysis__tile-value" data-metric=name>
                    {move || format!("{:.3}", f(&confusion.get()))}
                </span>
                <span class="ns-analysis__tile-label">{label}</span>
            </div>
        }
    };
    let cell = move |name: &'static str, class: &'static str, f: fn(&Confusion) -> usize| {
        view! {
            <td class=format!("ns-num ns-analysis__cell {class}") data-cell=name>
                {move || format::count(f(&confusion.get()))}
            </td>
        }
    };
    view! {
        <div id="ns-label-metrics" class="ns-analysis__labels">
            <h3 class="ns-panel__subtitle">
                "Against the labels "<span class="ns-muted">{at}</span>
            </h3>
            <div class="ns-analysis__tiles">
                {tile("accuracy", "accuracy", Confusion::accuracy)}
                {tile("precision", "precision", Confusion::precision)}
                {tile("recall", "recall", Confusion::recall)}
                {tile("f1", "F1", Confusion::f1)}
            </div>
            <table id="ns-confusion" class="ns-table ns-analysis__confusion">
                <caption class="ns-muted">"Confusion matrix (rows: label, columns: decision)"</caption>
                <thead>
                    <tr>
                        <th scope="col"></th>
                        <th scope="col" class="ns-num">"flagged"</th>
                        <th scope="col" class="ns-num">"passed"</th>
                    </tr>
                </thead>
                <tbody>
                    <tr>
                        <th scope="row">"attack"</th>
                        {cell("tp", "ns-analysis__cell--good", |c| c.tp)}
                        {cell("fn", "ns-analysis__cell--bad", |c| c.fn_)}
                    </tr>
                    <tr>
                        <th scope="row">"normal"</th>
                        {cell("fp", "ns-analysis__cell--bad", |c| c.fp)}
                        {cell("tn", "ns-analysis__cell--good", |c| c.tn)}
                    </tr>
                </tbody>
            </table>
        </div>
    }
}
