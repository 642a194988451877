//! The Analyze page: data source and training on the side, results and the data overview in the
//! main column.

use leptos::prelude::*;

use crate::ui::components::{
    AnalysisCharts, BenchPanel, DataOverview, DataSource, Results, TrainPanel,
};

/// Data → train → results.
#[component]
pub fn AnalyzePage(
    /// Show the NSL-KDD benchmark panel (`?bench`).
    bench: bool,
) -> impl IntoView {
    view! {
        <div class="ns-layout">
            <aside class="ns-layout__side">
                <DataSource />
                <TrainPanel />
                {bench.then(|| view! { <BenchPanel /> })}
            </aside>
            <div class="ns-layout__main">
                <Results />
                <AnalysisCharts />
                <DataOverview />
            </div>
        </div>
    }
}
