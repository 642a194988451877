//! The engine's params, models and results are `Send + Sync` (and `'static`): a caller may move
//! a trained model or a result to another thread, or share it behind an `Arc`. An `Rc` or a
//! `RefCell` slipped into one of them breaks this file's build, not a caller's.

use netsift::engine::data::Table;
use netsift::engine::ensemble::TrainedEnsemble;
use netsift::engine::features::{FeatureParams, Preprocessor};
use netsift::engine::models::{
    AnyModel, AnyParams, Autoencoder, AutoencoderParams, Calibration, DetectorKind, Fitted,
    IsolationForest, IsolationForestParams, Lof, LofParams, OneClassSvm, OneClassSvmParams,
};
use netsift::engine::pipeline::{RunConfig, RunResult};

fn assert_send_sync<T: Send + Sync + 'static>() {}

#[test]
fn params_are_send_and_sync() {
    assert_send_sync::<AnyParams>();
    assert_send_sync::<IsolationForestParams>();
    assert_send_sync::<LofParams>();
    assert_send_sync::<OneClassSvmParams>();
    assert_send_sync::<AutoencoderParams>();
    assert_send_sync::<DetectorKind>();
    assert_send_sync::<FeatureParams>();
    assert_send_sync::<RunConfig>();
}

#[test]
fn models_are_send_and_sync() {
    assert_send_sync::<AnyModel>();
    assert_send_sync::<IsolationForest>();
    assert_send_sync::<Lof>();
    assert_send_sync::<OneClassSvm>();
    assert_send_sync::<Autoencoder>();
    assert_send_sync::<Fitted<AnyModel>>();
    assert_send_sync::<Calibration>();
    assert_send_sync::<Preprocessor>();
    assert_send_sync::<TrainedEnsemble>();
}

#[test]
fn data_and_results_are_send_and_sync() {
    assert_send_sync::<Table>();
    assert_send_sync::<RunResult>();
}
