//! Model files: `model_file::import` on raw bytes never panics; and since the fuzzer cannot forge
//! a content hash, the model part is also deserialised and validated directly — whatever
//! `validate` accepts must score a small table of its own schema without a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use netsift::engine::data::{Column, ColumnKind, Table};
use netsift::engine::ensemble::TrainedEnsemble;
use netsift::engine::model_file::{feature_schema, import, validate};
use netsift::engine::pipeline;
use netsift::engine::progress::NoProgress;

/// Three rows in the model's schema: zeros, ones and a large value; the first level, the
/// second (or the first) and an unseen one.
fn table_for(model: &TrainedEnsemble) -> Option<Table> {
    let cols: Vec<Column> = feature_schema(model)
        .into_iter()
        .map(|c| match c.kind {
            ColumnKind::Numeric => Column::numeric(c.name, vec![0.0, 1.0, 1e6]),
            ColumnKind::Categorical => {
                let a = c.levels.first().cloned().unwrap_or_default();
                let b = c.levels.get(1).cloned().unwrap_or_else(|| a.clone());
                Column::categorical(c.name, [a, b, "unseen-level".to_string()])
            }
        })
        .collect();
    Table::new(cols).ok()
}

fuzz_target!(|data: &[u8]| {
    let _ = import(data);
    let Ok(model) = serde_json::from_slice::<TrainedEnsemble>(data) else {
        return;
    };
    if validate(&model).is_err() {
        return;
    }
    let Some(table) = table_for(&model) else {
        return;
    };
    // Scoring may refuse (a typed error) but must not panic.
    if let Ok(r) = pipeline::score(&model, &table, &mut NoProgress) {
        assert_eq!(r.ensemble_score.len(), 3);
    }
});
