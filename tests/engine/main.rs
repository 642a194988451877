//! Engine integration tests: one binary, one module per area. Measurements that only print are
//! not tests: they are the subcommands of `examples/experiments`.

mod ae_reference; // the autoencoder against scikit-learn's MLPRegressor on a fixed data set
mod architecture; // the engine imports no browser crate
mod autotraits; // params, models and results are Send + Sync
mod capture_app; // DNS, TLS SNI and HTTP fields and ARP records from captures
mod capture_formats; // the capture reader against the pcap/pcapng specifications and real tools' files
mod contract; // the detector contract, checked the same way on all four detectors
mod enrich; // enrichment, advice and written analysis on crafted flows and alerts
mod ensemble; // votes, severity, ensemble score and agreement through the pipeline
mod explain; // explanations and permutation importance on the sample data
mod features; // feature encoding and scaling; the scaler against scikit-learn
mod feedback; // feedback, suppression and retraining
mod generate; // the sample-traffic generator
mod hostile; // hostile and malformed files: no panic, bounded time and memory, messages that name the place
mod iforest_reference; // Isolation Forest against scikit-learn
mod ingest; // every preset, the streaming reader and every bad-input message
mod ingest_formats; // real tools' exports reproduced by hand (CIC, UNSW-NB15, Zeek, nfdump, …)
mod ingest_presets; // one test per schema preset, encodings, compression, overrides, no-panic fuzzing
mod live; // live mode: the simulator's ground truth, rules and model on the stream, bounded state
mod lof_reference; // LOF against scikit-learn
mod metrics; // metrics against scikit-learn
mod model_file; // model files: export → import → score bit-identically, clear errors otherwise
mod netviews; // network views, alerts, enrichment and analyses on crafted flows and captures
mod ocsvm; // the One-Class SVM: contract, determinism, serde, subsampling, progress
mod ocsvm_reference; // the One-Class SVM against scikit-learn
mod pcap; // packet captures → flows: containers, link types, flow semantics, bad input, oracles
mod pipeline; // end-to-end runs on the sample data
mod report; // CSV and JSON exports
mod restore_scores; // a saved model gives its training data the scores of the run, bit for bit
mod rules; // behaviour rules: thresholds, windows, cooldown, beaconing
mod rules_attacks; // password guessing, DNS tunnelling, NXDOMAIN bursts, ARP spoofing: attacks and look-alikes
mod rules_stream; // the incremental rule engine raises exactly the batch engine's alerts
mod saved_models; // saved models as the worker uses them
mod storage; // the persisted workspace schema: round trips, migrations, failure paths
mod views; // the analysis views: PCA against scikit-learn, invariants, NSL-KDD timing (ignored)
