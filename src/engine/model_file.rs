//! Saved models: one JSON file holding a trained ensemble — encoders, scaler, training
//! profiles, detectors, thresholds — with its feature schema, format version and a content hash.
//!
//! ```text
//! {"format": "netsift-model", "version": 1, "created": 1735689600.0,
//!  "meta": {...}, "feature_schema": [{"name": "duration", "role": "Feature", "kind": "Numeric", ...}],
//!  "content_sha256": "9f86d0…", "model": {...}}
//! ```
//!
//! The hash is SHA-256 over the canonical serialisation of the `model` value: compact JSON
//! of the model as a `serde_json::Value` (object keys in the order the `Value` map keeps
//! them). Import parses the file, re-serialises its `model` value the same way and compares,
//! so any edit of the model part is caught. Floats survive exactly (serde_json's
//! `float_roundtrip` feature), so an imported model scores bit-identically to the exported one.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::engine::data::{ColumnKind, Role, Table, Values};
use crate::engine::ensemble::TrainedEnsemble;
use crate::engine::features::ColumnEncoder;

pub(crate) mod validate;
pub use self::validate::{validate, MAX_ABS_RAW, MAX_ABS_SCALED, MAX_ABS_WEIGHT};

/// The `format` value of every model file.
pub const FORMAT: &str = "netsift-model";

/// The version this build writes.
pub const VERSION: u32 = 1;

/// Oldest version this build reads.
pub const OLDEST_READABLE: u32 = 1;

/// Descriptive data saved with a model.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ModelMeta {
    /// Name shown in lists.
    #[serde(default)]
    pub name: String,
    /// When the model was saved, seconds since the Unix epoch (the caller's clock).
    #[serde(default)]
    pub created: f64,
    /// The schema the training data had (e.g. "NSL-KDD", "connection features"), when known.
    #[serde(default)]
    pub schema_name: Option<String>,
    /// Where the training data came from (a file name, generator parameters, …).
    #[serde(default)]
    pub source: Option<String>,
    /// Free text.
    #[serde(default)]
    pub notes: String,
    /// The netsift version that saved the file.
    #[serde(default)]
    pub app_version: String,
}

/// How a raw column feeds the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Encoding {
    /// Imputed and standard-scaled.
    Numeric,
    /// One input per level.
    OneHot,
    /// The level's training share, scaled.
    Frequency,
}

/// One raw column the model reads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SchemaColumn {
    /// Column name.
    pub name: String,
    /// Its role (always `Feature` for model inputs).
    pub role: Role,
    /// Numbers or categories.
    pub kind: ColumnKind,
    /// How it is encoded.
    pub encoding: Encoding,
    /// Training levels (categorical columns).
    pub levels: Vec<String>,
}

/// The raw feature schema of a trained ensemble, in input order.
pub fn feature_schema(model: &TrainedEnsemble) -> Vec<SchemaColumn> {
    model
        .preprocessor
        .encoders
        .iter()
        .map(|e| match e {
            ColumnEncoder::Numeric { name, .. } => SchemaColumn {
                name: name.clone(),
                role: Role::Feature,
                kind: ColumnKind::Numeric,
                encoding: Encoding::Numeric,
                levels: Vec::new(),
            },
            ColumnEncoder::OneHot { name, levels, .. } => SchemaColumn {
                name: name.clone(),
                role: Role::Feature,
                kind: ColumnKind::Categorical,
                encoding: Encoding::OneHot,
                levels: levels.clone(),
            },
            ColumnEncoder::Frequency { name, levels, .. } => SchemaColumn {
                name: name.clone(),
                role: Role::Feature,
                kind: ColumnKind::Categorical,
                encoding: Encoding::Frequency,
                levels: levels.clone(),
            },
        })
        .collect()
}

/// Why a file could not be imported.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize, Deserialize)]
pub enum ModelFileError {
    /// Not JSON, or JSON without `"format": "netsift-model"`.
    #[error("this is not a netsift model file ({0})")]
    NotAModel(String),
    /// Written by a newer netsift.
    #[error("this model file has format version {found}; this netsift reads versions {oldest} to {supported} — update netsift to open it")]
    TooNew {
        /// The file's version.
        found: u32,
        /// Oldest version read.
        oldest: u32,
        /// Newest version read.
        supported: u32,
    },
    /// Older than anything this build can migrate.
    #[error("this model file has format version {found}, which is too old to open (this netsift reads versions {oldest} to {supported}); retrain and save the model again")]
    TooOld {
        /// The file's version.
        found: u32,
        /// Oldest version read.
        oldest: u32,
        /// Newest version read.
        supported: u32,
    },
    /// The model part was altered after saving.
    #[error("the model file was altered after it was saved (content hash {found} instead of {expected})")]
    HashMismatch {
        /// Hash recorded in the file.
        expected: String,
        /// Hash of the content found.
        found: String,
    },
    /// The structure is not a valid model.
    #[error("the model file is damaged: {0}")]
    Corrupt(String),
    /// A field holds a value that does not fit the rest of the model (a shape, an index or a
    /// number out of range). Checked before anything scores, so a damaged or hand-edited file
    /// cannot crash the engine or silently score garbage.
    #[error("the model file is damaged: {field} {problem}")]
    Invalid {
        /// Where, e.g. `models[3] (autoencoder).layers[2].b`.
        field: String,
        /// What is wrong, e.g. `has 7 values; the layer has 8 outputs`.
        problem: String,
    },
    /// Larger than the model-file size limit.
    #[error("the model file is {} MB, above the {} MB limit for model files (netsift-cli: raise it with --max-model-mb)", mb(*.size), mb(*.limit))]
    TooLarge {
        /// Size of the file in bytes.
        size: u64,
        /// The limit in bytes.
        limit: u64,
    },
}

fn mb(bytes: u64) -> String {
    let m = bytes as f64 / 1_048_576.0;
    if m >= 10.0 {
        format!("{m:.0}")
    } else {
        format!("{m:.1}")
    }
}

/// Default largest model file read: 256 MB. A model trained with the default parameters on
/// 150,000 NSL-KDD rows is about a tenth of that; parsing takes about 4 bytes of memory per file
/// byte. [`import_limited`] takes another limit (`netsift-cli --max-model-mb`).
pub const DEFAULT_MAX_MODEL_BYTES: u64 = 256 << 20;

impl ModelFileError {
    /// An [`ModelFileError::Invalid`] for `field`.
    pub fn invalid(field: impl Into<String>, problem: impl Into<String>) -> Self {
        Self::Invalid {
            field: field.into(),
            problem: problem.into(),
        }
    }
}

/// A table lacks columns the model reads, or has them with another kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SchemaMismatch {
    /// Model columns the table does not have.
    pub missing: Vec<String>,
    /// Columns present with another kind: (name, kind the model expects, kind found).
    pub wrong_kind: Vec<(String, ColumnKind, ColumnKind)>,
    /// The model's schema name, when known (for the message).
    pub model_schema: Option<String>,
    /// The data's schema name, when known (for the message).
    pub data_schema: Option<String>,
}

impl SchemaMismatch {
    /// Adds schema names for the message.
    pub fn with_names(mut self, model: Option<&str>, data: Option<&str>) -> Self {
        self.model_schema = model.map(str::to_string);
        self.data_schema = data.map(str::to_string);
        self
    }
}

/// Most column names a message lists before "…".
const LIST_NAMES: usize = 6;

fn list(names: &[String]) -> String {
    let mut s = names
        .iter()
        .take(LIST_NAMES)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > LIST_NAMES {
        s += &format!(", … ({} in all)", names.len());
    }
    s
}

impl std::fmt::Display for SchemaMismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.model_schema, &self.data_schema) {
            (Some(m), Some(d)) => write!(
                f,
                "this model was trained on the {m} schema; the file has the {d} schema: "
            )?,
            (Some(m), None) => write!(f, "this model was trained on the {m} schema: ")?,
            _ => write!(f, "the data does not fit this model: ")?,
        }
        let mut parts = Vec::new();
        if !self.missing.is_empty() {
            parts.push(format!(
                "missing column{} {}",
                if self.missing.len() == 1 { "" } else { "s" },
                list(&self.missing)
            ));
        }
        for (name, want, got) in &self.wrong_kind {
            let k = |c: &ColumnKind| match c {
                ColumnKind::Numeric => "numbers",
                ColumnKind::Categorical => "text",
            };
            parts.push(format!(
                "column {name} holds {} but the model expects {}",
                k(got),
                k(want)
            ));
        }
        write!(f, "{}", parts.join("; "))
    }
}

impl std::error::Error for SchemaMismatch {}

/// Checks that `table` has every column `model` reads, with the same kind.
pub fn check_schema(model: &TrainedEnsemble, table: &Table) -> Result<(), SchemaMismatch> {
    let mut missing = Vec::new();
    let mut wrong_kind = Vec::new();
    for col in feature_schema(model) {
        match table.column(&col.name) {
            None => missing.push(col.name),
            Some(c) => {
                let kind = match c.values {
                    Values::Numeric(_) => ColumnKind::Numeric,
                    Values::Categorical { .. } => ColumnKind::Categorical,
                };
                if kind != col.kind {
                    wrong_kind.push((col.name, col.kind, kind));
                }
            }
        }
    }
    if missing.is_empty() && wrong_kind.is_empty() {
        Ok(())
    } else {
        Err(SchemaMismatch {
            missing,
            wrong_kind,
            model_schema: None,
            data_schema: None,
        })
    }
}

/// Lower-case hex of bytes.
fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s += &format!("{b:02x}");
    }
    s
}

/// SHA-256 (hex) of the canonical serialisation of a model value.
fn content_hash(model: &serde_json::Value) -> Result<String, ModelFileError> {
    let bytes = serde_json::to_vec(model).map_err(|e| ModelFileError::Corrupt(e.to_string()))?;
    Ok(hex(&Sha256::digest(&bytes)))
}

#[derive(Serialize)]
struct FileOut<'a> {
    format: &'a str,
    version: u32,
    created: f64,
    meta: &'a ModelMeta,
    feature_schema: Vec<SchemaColumn>,
    content_sha256: String,
    model: serde_json::Value,
}

/// Writes `model` with `meta` as one JSON model file.
///
/// Errors only if the model holds a non-finite number JSON cannot carry (a trained model does
/// not); the error says which.
pub fn export(model: &TrainedEnsemble, meta: &ModelMeta) -> Result<Vec<u8>, ModelFileError> {
    let value = serde_json::to_value(model).map_err(|e| ModelFileError::Corrupt(e.to_string()))?;
    let out = FileOut {
        format: FORMAT,
        version: VERSION,
        created: meta.created,
        meta,
        feature_schema: feature_schema(model),
        content_sha256: content_hash(&value)?,
        model: value,
    };
    serde_json::to_vec(&out).map_err(|e| ModelFileError::Corrupt(e.to_string()))
}

/// Reads a model file of at most [`DEFAULT_MAX_MODEL_BYTES`] (see [`import_limited`]).
pub fn import(bytes: &[u8]) -> Result<(TrainedEnsemble, ModelMeta), ModelFileError> {
    import_limited(bytes, DEFAULT_MAX_MODEL_BYTES)
}

/// Reads a model file: checks the size, the format, the version (migrating older versions
/// where a migration exists) and the content hash, rebuilds the ensemble, then checks every
/// shape, index and value range of it ([`validate`]) so that nothing that scores afterwards
/// can index out of range or produce non-finite scores from the model itself.
pub fn import_limited(
    bytes: &[u8],
    max_bytes: u64,
) -> Result<(TrainedEnsemble, ModelMeta), ModelFileError> {
    let size = bytes.len() as u64;
    if size > max_bytes {
        return Err(ModelFileError::TooLarge {
            size,
            limit: max_bytes,
        });
    }
    let mut doc: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| ModelFileError::NotAModel(format!("not JSON: {e}")))?;
    let obj = doc
        .as_object()
        .ok_or_else(|| ModelFileError::NotAModel("not a JSON object".into()))?;
    match obj.get("format").and_then(|f| f.as_str()) {
        Some(FORMAT) => {}
        Some(other) => {
            return Err(ModelFileError::NotAModel(format!(
                "its format is \"{other}\""
            )))
        }
        None => return Err(ModelFileError::NotAModel("no \"format\" field".into())),
    }
    let version = obj
        .get("version")
        .and_then(|v| v.as_u64())
        .and_then(|v| u32::try_from(v).ok())
        .ok_or_else(|| ModelFileError::Corrupt("no valid \"version\" field".into()))?;
    if version > VERSION {
        return Err(ModelFileError::TooNew {
            found: version,
            oldest: OLDEST_READABLE,
            supported: VERSION,
        });
    }
    if version < OLDEST_READABLE {
        return Err(ModelFileError::TooOld {
            found: version,
            oldest: OLDEST_READABLE,
            supported: VERSION,
        });
    }
    migrate(&mut doc, version)?;
    let obj = doc
        .as_object_mut()
        .ok_or_else(|| ModelFileError::Corrupt("not a JSON object".into()))?;
    let expected = obj
        .get("content_sha256")
        .and_then(|h| h.as_str())
        .ok_or_else(|| ModelFileError::Corrupt("no \"content_sha256\" field".into()))?
        .to_string();
    let model_value = obj
        .remove("model")
        .ok_or_else(|| ModelFileError::Corrupt("no \"model\" field".into()))?;
    let found = content_hash(&model_value)?;
    if found != expected {
        return Err(ModelFileError::HashMismatch { expected, found });
    }
    let meta: ModelMeta = match obj.remove("meta") {
        Some(m) => serde_json::from_value(m).map_err(|e| ModelFileError::Corrupt(e.to_string()))?,
        None => ModelMeta::default(),
    };
    let model: TrainedEnsemble = serde_json::from_value(model_value)
        .map_err(|e| ModelFileError::Corrupt(format!("model: {e}")))?;
    validate(&model)?;
    Ok((model, meta))
}

/// Upgrades a parsed file of `version` to [`VERSION`] in place. Version 1 is the first; a
/// future version 2 adds its step here (`1 => { …; version 2 }`), each step one version.
fn migrate(_doc: &mut serde_json::Value, version: u32) -> Result<(), ModelFileError> {
    let mut v = version;
    while v < VERSION {
        // No older format exists yet: every readable version is current.
        v += 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_matches_the_standard_test_vector() {
        // FIPS 180-2: SHA-256("abc").
        assert_eq!(
            hex(&Sha256::digest(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn foreign_json_is_not_a_model() {
        assert!(matches!(
            import(br#"{"format": "something-else"}"#),
            Err(ModelFileError::NotAModel(_))
        ));
        assert!(matches!(
            import(b"PK\x03\x04"),
            Err(ModelFileError::NotAModel(_))
        ));
    }

    #[test]
    fn newer_version_is_refused_with_both_versions() {
        let e = import(br#"{"format": "netsift-model", "version": 7}"#).unwrap_err();
        assert!(matches!(e, ModelFileError::TooNew { found: 7, .. }));
        assert!(e.to_string().contains("version 7"), "{e}");
    }
}
