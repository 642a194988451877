//! One-Class SVM behaviour: the detector contract, determinism, serde, subsampling.
