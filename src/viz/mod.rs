//! Pure functions from results to plotly chart specs; no DOM, so they are tested natively as JSON.
