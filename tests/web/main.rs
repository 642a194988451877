//! Browser tests (wasm-bindgen-test in headless Chromium) plus the native half of the
//! bit-identity goldens.
//!
//! ```text
//! cargo test --test web                                                     # native goldens
//! CHROMEDRIVER=/usr/bin/chromedriver \
//!   cargo test --release --target wasm32-unknown-unknown --test web        # the same goldens + browser pieces
//! ```
//! (`.cargo/config.toml` sets `wasm-bindgen-test-runner` as the wasm32 runner.)

mod golden;

use netsift::engine::models::DetectorKind;

#[cfg(target_arch = "wasm32")]
mod browser;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

macro_rules! golden_test {
    ($name:ident, $compute:expr, $expected:expr) => {
        #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
        #[cfg_attr(not(target_arch = "wasm32"), test)]
        fn $name() {
            let got: u64 = $compute;
            println!("{} = {got:#018x}", stringify!($name));
            assert_eq!(got, $expected, "{} changed: {got:#018x}", stringify!($name));
        }
    };
}

golden_test!(
    rng_stream_is_bit_identical,
    golden::rng_stream_hash(),
    golden::RNG_STREAM
);
golden_test!(math_is_bit_identical, golden::math_hash(), golden::MATH);
golden_test!(
    sample_data_is_bit_identical,
    golden::sample_hash(),
    golden::SAMPLE
);
golden_test!(
    isolation_forest_run_is_bit_identical,
    golden::detector_run_hash(DetectorKind::IsolationForest),
    golden::ISOLATION_FOREST_RUN
);
golden_test!(
    one_class_svm_run_is_bit_identical,
    golden::detector_run_hash(DetectorKind::OneClassSvm),
    golden::ONE_CLASS_SVM_RUN
);
golden_test!(
    lof_run_is_bit_identical,
    golden::detector_run_hash(DetectorKind::Lof),
    golden::LOF_RUN
);
golden_test!(
    autoencoder_run_is_bit_identical,
    golden::detector_run_hash(DetectorKind::Autoencoder),
    golden::AUTOENCODER_RUN
);
golden_test!(
    ensemble_run_is_bit_identical,
    golden::ensemble_run_hash(),
    golden::ENSEMBLE_RUN
);
