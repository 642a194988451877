//! A live session: a source of flows (the [simulator](super::sim) or a replayed capture), the
//! behaviour rules and the ensemble scoring each flow as it arrives, and bounded state.
//!
//! The worker drives it with [`LiveSession::tick`]`(dt)`: the source produces the flows of the
//! next `dt` seconds of stream time, the rules see every flow, the model scores them in one batch,
//! and the tick returns a compact [`LiveBatch`]: counts, completed per-second aggregates, a
//! sample of scores, new alerts and a few recent anomalies.
//!
//! # Bounded memory
//! Nothing grows with the stream's length:
//! * **Rules** run in ONE long-lived incremental [`RuleEngine`] for the whole session: every flow
//!   is pushed as it arrives, the engine is advanced to the tick's stream time, and the alerts it
//!   raised go into that tick's batch, so an alert appears in the tick whose flows complete its
//!   condition (DDoS and traffic spikes after their correlation slack, see
//!   [`rules::run`](crate::engine::rules::run)). Windows are true sliding windows of their
//!   full length (an hour for long connections and uploads); the engine evicts state by time and
//!   bounds its long histories, and its closed alerts are dropped each tick.
//! * **Model anomalies** are counted per second and grouped per anomaly type into one feed entry
//!   per [`GROUP_S`] seconds; the batch carries at most [`RECENT`] of them in detail.
//! * **Warm-up**: a buffer of at most [`MAX_WARMUP`] flows, dropped once the model is trained.

use std::collections::{BTreeMap, VecDeque};

use serde::{Deserialize, Serialize};

use super::sim::{SimFlow, SimParams, Simulator};
use crate::engine::data::{Column, Meaning, Role, Table};
use crate::engine::enrich::{
    combined_severity, value_types, AnomalyType, Baseline, Facts, ModelFacts,
};
use crate::engine::ensemble::{Combined, TrainedEnsemble};
use crate::engine::error::Error;
use crate::engine::pipeline::{self, RunConfig};
use crate::engine::progress::NoProgress;
// The shared formatters under the names this file's sentences use.
use crate::engine::rules::{
    table_records, EngineSizes, FlowRecord, RuleAlert, RuleEngine, RulesConfig, ThreatLevel,
};
use crate::engine::text::{number as fmt_rate, span as fmt_span};

/// Model anomalies of one type are grouped into one feed entry per this many stream seconds.
pub const GROUP_S: f64 = 10.0;
/// Recent anomalies sent in detail per batch.
pub const RECENT: usize = 6;
/// Score samples sent per batch at most.
pub const SCORE_SAMPLES: usize = 120;
/// Most flows one tick processes (a longer slice is cut; the stream then runs slower than asked).
pub const MAX_FLOWS_PER_TICK: usize = 6000;
/// Largest warm-up window.
pub const MAX_WARMUP: usize = 1000;
/// Smallest warm-up window.
pub const MIN_WARMUP: usize = 100;
/// Empty seconds reported per batch at most (a long idle slice is summarised by its last ones).
const MAX_SECONDS_PER_BATCH: usize = 600;

/// Where the flows come from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum LiveSource {
    /// The seeded simulator.
    Simulator(SimParams),
    /// The current data set's flows in time order, at their own pace.
    Replay,
}

/// Where an alert comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AlertOrigin {
    /// A behaviour rule.
    Rule,
    /// The ensemble (a group of anomalies of one type).
    Model,
}

/// One entry of the alerts feed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiveAlert {
    /// Increasing id within the session.
    pub id: u64,
    /// Rule or model.
    pub origin: AlertOrigin,
    /// Rule id (`port_scan`, …) or anomaly type id (`LARGE_PACKET`, …).
    pub kind: String,
    /// Human title.
    pub title: String,
    /// How bad.
    pub severity: ThreatLevel,
    /// First flow, epoch seconds.
    pub start: f64,
    /// Last flow, epoch seconds.
    pub end: f64,
    /// Source address, when one.
    pub source: Option<String>,
    /// Target address, when one.
    pub target: Option<String>,
    /// Flows involved.
    pub flows: u64,
    /// One sentence.
    pub description: String,
}

/// One scored anomaly, in detail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiveAnomaly {
    /// Flow start, epoch seconds.
    pub t: f64,
    /// Source address.
    pub src: String,
    /// Destination address.
    pub dst: String,
    /// Destination port.
    pub dst_port: Option<u16>,
    /// Anomaly type title.
    pub kind: String,
    /// Ensemble score in [0, 1].
    pub score: f64,
    /// Anomaly votes.
    pub votes: u8,
    /// Detectors.
    pub n_models: u8,
    /// Combined severity.
    pub severity: ThreatLevel,
}

/// One completed stream second.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SecondAgg {
    /// Epoch second.
    pub t: i64,
    /// Flows starting in it.
    pub flows: u32,
    /// Of which the model flagged.
    pub anomalies: u32,
    /// Mean ensemble score of the scored flows (0 when none).
    pub mean_score: f32,
    /// Highest ensemble score.
    pub max_score: f32,
}

/// What the model is doing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ModelStatus {
    /// Collecting the warm-up window.
    WarmingUp {
        /// Flows collected.
        have: u32,
        /// Flows needed.
        need: u32,
    },
    /// Scoring every flow.
    Scoring,
    /// No model (training failed); rules only.
    RulesOnly,
}

/// The answer to one tick.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiveBatch {
    /// Stream time reached, epoch seconds.
    pub stream_time: f64,
    /// Stream seconds since the start.
    pub stream_elapsed: f64,
    /// Flows this tick.
    pub new_flows: u32,
    /// Flows so far.
    pub flows_total: u64,
    /// Model anomalies so far.
    pub anomalies_total: u64,
    /// Feed entries so far.
    pub alerts_total: u64,
    /// Seconds completed during this tick, oldest first.
    pub seconds: Vec<SecondAgg>,
    /// A sample of this tick's scores: (epoch seconds, score, anomaly).
    pub scores: Vec<(f64, f32, bool)>,
    /// New feed entries, oldest first.
    pub alerts: Vec<LiveAlert>,
    /// The last anomalies of this tick, newest first.
    pub recent: Vec<LiveAnomaly>,
    /// Model state.
    pub model: ModelStatus,
    /// Things to tell the analyst once (warm-up done, model choice, …).
    pub notes: Vec<String>,
    /// The slice asked for was cut to [`MAX_FLOWS_PER_TICK`] flows.
    pub capped: bool,
    /// A replay reached its end.
    pub ended: bool,
    /// Bytes of the worker's wasm memory (filled in by the worker; 0 natively).
    pub wasm_memory_bytes: u64,
}

/// What the session reports when it starts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiveStarted {
    /// One line about the source ("simulator, seed 7, 200 flows/s" / "replay of x.pcap").
    pub source: String,
    /// How flows are scored (the loaded model, or a warm-up window and why).
    pub model_note: String,
    /// Stream start, epoch seconds.
    pub start: f64,
    /// Rule thresholds changed for the stream, and how rule timing works live.
    pub rules_note: String,
}

// ------------------------------------------------------------------------------------------------

/// A replay cursor over a table's flows.
#[derive(Debug)]
struct Replay {
    records: Vec<FlowRecord>,
    pos: usize,
    now: f64,
}

#[derive(Debug)]
enum Feed {
    Sim(Box<Simulator>),
    Replay(Replay),
}

#[derive(Debug)]
enum Model {
    Ready {
        ensemble: Box<TrainedEnsemble>,
        baseline: Box<Baseline>,
    },
    Warming {
        /// Simulated flows, or replayed rows.
        sim: Vec<SimFlow>,
        rows: Vec<usize>,
        need: usize,
    },
    Off,
}

/// The flows of one tick.
struct Slice {
    /// Simulated flows (simulator).
    sims: Vec<SimFlow>,
    /// Rows of the data set (replay).
    rows: Vec<usize>,
    /// Whether the slice was cut to [`MAX_FLOWS_PER_TICK`] flows.
    capped: bool,
    /// Whether the replay has no more flows.
    ended: bool,
}

/// A slice scored by the ensemble.
struct Scored {
    combined: Combined,
    n_models: usize,
    /// Votes needed to flag a flow.
    k: usize,
    baseline: Box<Baseline>,
}

#[derive(Debug, Clone)]
struct Group {
    first: f64,
    last: f64,
    count: u64,
    max_score: f64,
    severity: ThreatLevel,
    example: String,
}

/// A running live session; see the module docs.
#[derive(Debug)]
pub struct LiveSession {
    feed: Feed,
    rules: RuleEngine,
    model: Model,
    config: RunConfig,
    start: f64,
    flows_total: u64,
    anomalies_total: u64,
    alerts_total: u64,
    next_id: u64,
    second: Option<SecondAgg>,
    score_sum: f64,
    scored_in_second: u32,
    groups: BTreeMap<AnomalyType, Group>,
    notes: Vec<String>,
}

/// One row of the simulated stream's table: the columns the warm-up model trains on.
pub const LIVE_COLUMNS: [&str; 10] = [
    "timestamp",
    "src_ip",
    "dst_ip",
    "src_port",
    "dst_port",
    "protocol",
    "packets",
    "bytes",
    "packet_size",
    "duration",
];

/// The simulated flows as a table: addresses and source port kept for display, destination
/// port, protocol, packets, bytes, mean packet size and duration (seconds) as features.
pub fn live_table(flows: &[SimFlow]) -> Table {
    let num = |g: &dyn Fn(&FlowRecord) -> f64| -> Vec<f64> {
        flows.iter().map(|f| g(&f.record)).collect()
    };
    let port = |p: Option<u16>| p.map_or(f64::NAN, f64::from);
    let columns = vec![
        Column::numeric("timestamp", num(&|x| x.ts)).with_role(Role::Timestamp),
        Column::categorical("src_ip", flows.iter().map(|f| f.record.src.as_str()))
            .with_role(Role::Ignore)
            .with_meaning(Meaning::SrcIp),
        Column::categorical("dst_ip", flows.iter().map(|f| f.record.dst.as_str()))
            .with_role(Role::Ignore)
            .with_meaning(Meaning::DstIp),
        Column::numeric("src_port", num(&|x| port(x.src_port)))
            .with_role(Role::Ignore)
            .with_meaning(Meaning::SrcPort),
        Column::numeric("dst_port", num(&|x| port(x.dst_port))).with_meaning(Meaning::DstPort),
        Column::categorical("protocol", flows.iter().map(|f| f.protocol_name))
            .with_meaning(Meaning::Protocol),
        Column::numeric("packets", num(&|x| x.packets().unwrap_or(0) as f64))
            .with_meaning(Meaning::Packets),
        Column::numeric("bytes", num(&|x| x.bytes().unwrap_or(0) as f64))
            .with_meaning(Meaning::Bytes),
        Column::numeric(
            "packet_size",
            num(&|x| {
                let p = x.packets().unwrap_or(0).max(1) as f64;
                x.bytes().unwrap_or(0) as f64 / p
            }),
        ),
        Column::numeric("duration", num(&|x| x.duration())).with_meaning(Meaning::Duration),
    ];
    Table { columns }
}

/// Rules config for a stream: the defaults, with the traffic-spike threshold raised to four
/// times the stream's expected packet rate when that is higher (a 1,000 flows/s stream carries
/// about 20,000 packets/s of ordinary traffic).
pub fn stream_rules(expected_pps: f64) -> RulesConfig {
    let mut cfg = RulesConfig::default();
    if expected_pps.is_finite() && 4.0 * expected_pps > cfg.spike_pps {
        cfg.spike_pps = (4.0 * expected_pps).ceil();
    }
    cfg
}

impl LiveSession {
    /// Starts a session.
    ///
    /// * `source`: the simulator or a replay of `table` (which must then be given, with source
    ///   and destination address columns and a timestamp).
    /// * `model`: the ensemble trained on the current data set, if any. A replay uses it (the
    ///   columns are the data set's); the simulator uses it only if its columns are all in the
    ///   stream. Otherwise the session trains `config` on a warm-up window of the stream first.
    pub fn start(
        source: LiveSource,
        config: RunConfig,
        model: Option<&TrainedEnsemble>,
        table: Option<&Table>,
    ) -> Result<(Self, LiveStarted), Error> {
        pipeline::validate_config(&config)?;
        let Opened {
            feed,
            start,
            source_line,
            rate,
            mean_packets,
        } = open_feed(&source, table)?;
        let rules_cfg = stream_rules(rate * mean_packets);
        let rules_note = rules_note(&rules_cfg);
        let warmup = ((rate * 20.0) as usize).clamp(MIN_WARMUP, MAX_WARMUP);
        let (model_state, model_note) = initial_model(&feed, model, table, warmup)?;
        let session = Self {
            feed,
            rules: RuleEngine::new(&rules_cfg)?,
            model: model_state,
            config,
            start,
            flows_total: 0,
            anomalies_total: 0,
            alerts_total: 0,
            next_id: 1,
            second: None,
            score_sum: 0.0,
            scored_in_second: 0,
            groups: BTreeMap::new(),
            notes: Vec::new(),
        };
        Ok((
            session,
            LiveStarted {
                source: source_line,
                model_note,
                start,
                rules_note,
            },
        ))
    }

    /// Stream time reached, epoch seconds.
    pub fn now(&self) -> f64 {
        match &self.feed {
            Feed::Sim(s) => s.now(),
            Feed::Replay(r) => r.now,
        }
    }

    /// What the session's rule engine holds (windows, histories, alerts), for tests.
    pub fn rule_sizes(&self) -> EngineSizes {
        self.rules.sizes()
    }

    /// Sizes of the session's own growable parts (warm-up buffer, rule alerts not yet closed,
    /// open groups, queued burst flows): all bounded, for tests.
    pub fn bounded_sizes(&self) -> [usize; 4] {
        let warm = match &self.model {
            Model::Warming { sim, rows, .. } => sim.len() + rows.len(),
            _ => 0,
        };
        let queued = match &self.feed {
            Feed::Sim(s) => s.queued(),
            Feed::Replay(_) => 0,
        };
        [warm, self.rules.sizes().alerts, self.groups.len(), queued]
    }

    /// Advances the stream by `dt` seconds (cut to [`MAX_FLOWS_PER_TICK`] flows) and processes
    /// the flows of that slice. `table` is the current data set (needed by a replay).
    pub fn tick(&mut self, dt: f64, table: Option<&Table>) -> LiveBatch {
        let dt = if dt.is_finite() {
            dt.clamp(0.0, 3600.0)
        } else {
            0.0
        };
        // 1. The flows of the slice.
        let Slice {
            sims,
            rows,
            capped,
            ended,
        } = self.next_slice(dt);
        let now = self.now();
        let records: Vec<FlowRecord> = match &self.feed {
            Feed::Sim(_) => sims.iter().map(|f| f.record.clone()).collect(),
            Feed::Replay(r) => {
                let from = r.pos - rows.len();
                r.records[from..r.pos].to_vec()
            }
        };
        let n = records.len();
        // 2. Rules.
        let rule_alerts = self.run_rules(&records, now, ended);
        // 3. Model.
        let batch_table = match &self.feed {
            Feed::Sim(_) => (n > 0).then(|| live_table(&sims)),
            Feed::Replay(_) => (n > 0)
                .then(|| table.map(|t| t.select_rows(&rows)))
                .flatten(),
        };
        self.warm_up(&sims, &rows, table);
        let scored = self.score(batch_table.as_ref());
        // 4. Per-second aggregates, score sample, anomalies.
        let mut seconds = Vec::new();
        let (scores, recent) = self.aggregate(
            &records,
            scored.as_ref(),
            batch_table.as_ref(),
            &mut seconds,
        );
        // Seconds wholly before `now` are complete.
        self.close_seconds_before(now.floor() as i64, &mut seconds);
        if seconds.len() > MAX_SECONDS_PER_BATCH {
            seconds.drain(..seconds.len() - MAX_SECONDS_PER_BATCH);
        }
        // 5. Feed: rule alerts, then model groups that are due.
        let mut alerts: Vec<LiveAlert> = rule_alerts
            .into_iter()
            .map(|a| self.rule_entry(a))
            .collect();
        self.due_groups(now, ended, &mut alerts);
        self.alerts_total += alerts.len() as u64;
        self.flows_total += n as u64;
        LiveBatch {
            stream_time: now,
            stream_elapsed: now - self.start,
            new_flows: n as u32,
            flows_total: self.flows_total,
            anomalies_total: self.anomalies_total,
            alerts_total: self.alerts_total,
            seconds,
            scores,
            alerts,
            recent: recent.into(),
            model: self.model_status(),
            notes: std::mem::take(&mut self.notes),
            capped,
            ended,
            wasm_memory_bytes: 0,
        }
    }

    /// Takes the next `dt` seconds of the feed (at most [`MAX_FLOWS_PER_TICK`] flows): the
    /// simulated flows, or the replayed rows.
    fn next_slice(&mut self, dt: f64) -> Slice {
        let mut capped = false;
        let mut ended = false;
        let (sims, rows) = match &mut self.feed {
            Feed::Sim(s) => {
                let max_dt = MAX_FLOWS_PER_TICK as f64 / s.params().rate;
                if dt > max_dt {
                    capped = true;
                }
                (s.advance(dt.min(max_dt)), Vec::new())
            }
            Feed::Replay(r) => {
                let end = r.now + dt;
                let from = r.pos;
                while r.pos < r.records.len()
                    && r.records[r.pos].ts < end
                    && r.pos - from < MAX_FLOWS_PER_TICK
                {
                    r.pos += 1;
                }
                if r.pos - from == MAX_FLOWS_PER_TICK && r.pos < r.records.len() {
                    capped = true;
                    r.now = r.records[r.pos].ts;
                } else {
                    r.now = end;
                }
                // Jump idle gaps longer than a minute.
                if let Some(next) = r.records.get(r.pos) {
                    if next.ts - r.now > 60.0 {
                        self.notes.push(format!(
                            "Skipped {} without traffic in the capture.",
                            fmt_span(next.ts - r.now)
                        ));
                        r.now = next.ts;
                    }
                } else {
                    ended = true;
                }
                (
                    Vec::new(),
                    (from..r.pos).map(|i| r.records[i].row).collect(),
                )
            }
        };
        Slice {
            sims,
            rows,
            capped,
            ended,
        }
    }

    /// Runs the rules over the slice's records; returns the alerts raised.
    fn run_rules(&mut self, records: &[FlowRecord], now: f64, ended: bool) -> Vec<RuleAlert> {
        for rec in records {
            self.rules.push(rec);
        }
        // At the end of a replay nothing more can arrive: alerts waiting for a correlation
        // partner are raised or folded now.
        self.rules.advance_to(now);
        if ended {
            self.rules.flush();
        }
        let rule_alerts = self.rules.take_raised();
        // Final forms are not shown again (the feed keeps the alert as raised).
        drop(self.rules.take_closed());
        rule_alerts
    }

    /// Scores the slice with the model when it is ready (a scoring error turns the model off).
    fn score(&mut self, batch_table: Option<&Table>) -> Option<Scored> {
        match (&self.model, batch_table) {
            (Model::Ready { ensemble, baseline }, Some(bt)) => {
                match ensemble.score(bt, &mut NoProgress) {
                    Ok((_, combined, _)) => Some(Scored {
                        combined,
                        n_models: ensemble.models.len(),
                        k: ensemble.k(),
                        baseline: baseline.clone(),
                    }),
                    Err(e) => {
                        self.notes
                            .push(format!("Scoring stopped: {e}. The rules keep running."));
                        self.model = Model::Off;
                        None
                    }
                }
            }
            _ => None,
        }
    }

    /// Adds the slice's records to the per-second aggregates (closed seconds go to `seconds`)
    /// and, when scored, to the score sample and the anomaly groups; returns the score sample
    /// and the most recent anomalies.
    fn aggregate(
        &mut self,
        records: &[FlowRecord],
        scored: Option<&Scored>,
        batch_table: Option<&Table>,
        seconds: &mut Vec<SecondAgg>,
    ) -> (Vec<(f64, f32, bool)>, VecDeque<LiveAnomaly>) {
        let mut scores = Vec::new();
        let mut recent: VecDeque<LiveAnomaly> = VecDeque::new();
        let n = records.len();
        let stride = n.div_ceil(SCORE_SAMPLES).max(1);
        for (i, rec) in records.iter().enumerate() {
            let sec = rec.ts.floor() as i64;
            self.close_seconds_before(sec, seconds);
            let agg = self.second.get_or_insert(SecondAgg {
                t: sec,
                flows: 0,
                anomalies: 0,
                mean_score: 0.0,
                max_score: 0.0,
            });
            agg.flows += 1;
            let Some(Scored {
                combined: c,
                n_models,
                k,
                baseline,
            }) = scored
            else {
                continue;
            };
            let score = c.ensemble_score.get(i).copied().unwrap_or(0.0);
            let is_anom = c.is_anomaly.get(i).copied().unwrap_or(false);
            agg.max_score = agg.max_score.max(score as f32);
            self.score_sum += score;
            self.scored_in_second += 1;
            if i % stride == 0 || is_anom && scores.len() < 2 * SCORE_SAMPLES {
                scores.push((rec.ts, score as f32, is_anom));
            }
            if !is_anom {
                continue;
            }
            agg.anomalies += 1;
            self.anomalies_total += 1;
            let Some(bt) = &batch_table else { continue };
            let facts = Facts::read(bt, i);
            let types = value_types(&facts, baseline);
            let kind = types.first().copied().unwrap_or(AnomalyType::Behavioral);
            let votes = c.votes.get(i).copied().unwrap_or(0);
            let conf = c.confidence.get(i).copied().unwrap_or(0.0);
            let vote_margin = (f64::from(votes) - *k as f64 + 1.0) / (n_models - k + 1) as f64;
            let mf = ModelFacts {
                votes,
                n_models: *n_models,
                min_votes: *k,
                ensemble_score: score,
                score_margin: (2.0 * conf - vote_margin).clamp(0.0, 1.0),
            };
            let (severity, _) = combined_severity(Some(&mf), &types, &[]);
            let a = LiveAnomaly {
                t: rec.ts,
                src: rec.src.clone(),
                dst: rec.dst.clone(),
                dst_port: rec.dst_port,
                kind: kind.title().to_owned(),
                score,
                votes,
                n_models: *n_models as u8,
                severity,
            };
            let g = self.groups.entry(kind).or_insert(Group {
                first: rec.ts,
                last: rec.ts,
                count: 0,
                max_score: 0.0,
                severity,
                example: String::new(),
            });
            g.last = rec.ts;
            g.count += 1;
            if score >= g.max_score {
                g.max_score = score;
                g.example = format!(
                    "{} → {}{}",
                    a.src,
                    a.dst,
                    a.dst_port.map(|p| format!(":{p}")).unwrap_or_default()
                );
            }
            g.severity = g.severity.max(severity);
            recent.push_front(a);
            recent.truncate(RECENT);
        }
        (scores, recent)
    }

    /// Moves the anomaly groups that are due (open for [`GROUP_S`], or the stream ended) to the
    /// feed.
    fn due_groups(&mut self, now: f64, ended: bool, alerts: &mut Vec<LiveAlert>) {
        let due: Vec<AnomalyType> = self
            .groups
            .iter()
            .filter(|(_, g)| now - g.first >= GROUP_S || ended)
            .map(|(k, _)| *k)
            .collect();
        for k in due {
            if let Some(g) = self.groups.remove(&k) {
                let id = self.take_id();
                alerts.push(LiveAlert {
                    id,
                    origin: AlertOrigin::Model,
                    kind: serde_json::to_value(k)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default(),
                    title: k.title().to_owned(),
                    severity: g.severity,
                    start: g.first,
                    end: g.last,
                    source: None,
                    target: None,
                    flows: g.count,
                    description: format!(
                        "{} flow(s) flagged by the ensemble in {:.0} s; highest score {:.2} ({}).",
                        g.count,
                        (g.last - g.first).max(0.0),
                        g.max_score,
                        g.example
                    ),
                });
            }
        }
    }

    fn model_status(&self) -> ModelStatus {
        match &self.model {
            Model::Ready { .. } => ModelStatus::Scoring,
            Model::Warming { sim, rows, need } => ModelStatus::WarmingUp {
                have: (sim.len() + rows.len()) as u32,
                need: *need as u32,
            },
            Model::Off => ModelStatus::RulesOnly,
        }
    }

    fn take_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    fn rule_entry(&mut self, a: RuleAlert) -> LiveAlert {
        LiveAlert {
            id: self.take_id(),
            origin: AlertOrigin::Rule,
            kind: a.rule.id().to_owned(),
            title: a.rule.title().to_owned(),
            severity: a.severity,
            start: a.window_start,
            end: a.window_end,
            source: a.source,
            target: a.target,
            flows: a.flow_count as u64,
            description: a.description,
        }
    }

    fn close_seconds_before(&mut self, sec: i64, out: &mut Vec<SecondAgg>) {
        loop {
            let Some(cur) = self.second else {
                return;
            };
            if cur.t >= sec {
                return;
            }
            let mut done = cur;
            if self.scored_in_second > 0 {
                done.mean_score = (self.score_sum / f64::from(self.scored_in_second)) as f32;
            }
            self.score_sum = 0.0;
            self.scored_in_second = 0;
            out.push(done);
            if out.len() > 2 * MAX_SECONDS_PER_BATCH {
                out.drain(..MAX_SECONDS_PER_BATCH);
            }
            // Empty seconds up to `sec` (at most a batch's worth).
            let gap_from = (done.t + 1).max(sec - MAX_SECONDS_PER_BATCH as i64);
            self.second = None;
            for t in gap_from..sec {
                out.push(SecondAgg {
                    t,
                    flows: 0,
                    anomalies: 0,
                    mean_score: 0.0,
                    max_score: 0.0,
                });
            }
            if let Some(last) = out.last().copied() {
                if last.t + 1 < sec {
                    continue;
                }
            }
            return;
        }
    }

    /// Collects warm-up flows and trains once enough are in.
    fn warm_up(&mut self, sims: &[SimFlow], rows: &[usize], table: Option<&Table>) {
        let Model::Warming {
            sim,
            rows: held,
            need,
        } = &mut self.model
        else {
            return;
        };
        let room = need.saturating_sub(sim.len() + held.len());
        sim.extend(sims.iter().take(room).cloned());
        held.extend(rows.iter().take(room).copied());
        if sim.len() + held.len() < *need {
            return;
        }
        let train_table = if sim.is_empty() {
            match table {
                Some(t) => t.select_rows(held),
                None => return,
            }
        } else {
            live_table(sim)
        };
        let n = train_table.n_rows();
        match pipeline::run(&self.config, &train_table, &mut NoProgress) {
            Ok((ensemble, _)) => {
                let all: Vec<usize> = (0..n).collect();
                let baseline = Baseline::fit(&train_table, &all);
                self.notes.push(format!(
                    "Warm-up done: a model ({}) was trained on the first {n} flows; scoring every flow from now on.",
                    ensemble.kinds().iter().map(|k| format!("{k:?}")).collect::<Vec<_>>().join(", ")
                ));
                self.model = Model::Ready {
                    ensemble: Box::new(ensemble),
                    baseline: Box::new(baseline),
                };
            }
            Err(e) => {
                self.notes.push(format!(
                    "Training on the warm-up window failed: {e}. Live mode continues with the rules only; \
                     change the settings on the Analyze page and start again to retry."
                ));
                self.model = Model::Off;
            }
        }
    }
}

/// A feed just opened, with what the session needs to know about it.
struct Opened {
    feed: Feed,
    /// Stream time of its first flow.
    start: f64,
    /// One line saying what the source is.
    source_line: String,
    /// Expected flows per second.
    rate: f64,
    /// Mean packets per flow.
    mean_packets: f64,
}

/// Opens the simulator or a replay of `table`'s flows (sorted by time).
fn open_feed(source: &LiveSource, table: Option<&Table>) -> Result<Opened, Error> {
    let (feed, start, source_line, rate, mean_packets) = match &source {
        LiveSource::Simulator(p) => {
            let sim = Simulator::new(p.clone())?;
            let line = format!(
                "simulator · seed {} · {} flows/s · {:.0} % record anomalies{}",
                p.seed,
                fmt_rate(p.rate),
                p.anomaly_ratio * 100.0,
                if p.attacks {
                    format!(" · an attack burst every {:.0} s", p.attack_every_s)
                } else {
                    String::new()
                }
            );
            (Feed::Sim(Box::new(sim)), p.start, line, p.rate, 20.0)
        }
        LiveSource::Replay => {
            let table = table.ok_or_else(|| {
                Error::Unsupported(
                    "replay needs a loaded data set; load a capture or a flow CSV first".into(),
                )
            })?;
            let tr = table_records(table)?;
            let mut records = tr.records;
            records.sort_by(|a, b| a.ts.total_cmp(&b.ts).then(a.row.cmp(&b.row)));
            let (Some(first), Some(last)) = (records.first(), records.last()) else {
                return Err(Error::Unsupported(
                    "replay found no flow with addresses and a timestamp in this data set; \
                         it needs source/destination address columns and a time column"
                        .into(),
                ));
            };
            let span = (last.ts - first.ts).max(1.0);
            let rate = records.len() as f64 / span;
            let pkts: f64 = records
                .iter()
                .take(1000)
                .map(|r| r.packets().unwrap_or(1) as f64)
                .sum::<f64>()
                / records.len().min(1000) as f64;
            let start = first.ts;
            let line = format!(
                "replay · {} flows over {} of capture time",
                records.len(),
                fmt_span(span)
            );
            (
                Feed::Replay(Replay {
                    records,
                    pos: 0,
                    now: start,
                }),
                start,
                line,
                rate,
                pkts,
            )
        }
    };
    Ok(Opened {
        feed,
        start,
        source_line,
        rate,
        mean_packets,
    })
}

/// What the page says about the rules of a stream with `cfg`.
fn rules_note(rules_cfg: &RulesConfig) -> String {
    format!(
        "Rules run on the whole stream with true sliding windows; an alert appears as soon as \
             the flows completing it arrive (DDoS and spikes after a short correlation wait). \
             Traffic-spike threshold: {} packets/s{}.",
        rules_cfg.spike_pps,
        if rules_cfg.spike_pps > RulesConfig::default().spike_pps {
            " (raised to 4× this stream's ordinary packet rate)"
        } else {
            ""
        }
    )
}

/// The model a session starts with, and the note saying so: the given ensemble when it fits the
/// stream's columns (for a replay, always), otherwise warm-up on the first `warmup` flows.
fn initial_model(
    feed: &Feed,
    model: Option<&TrainedEnsemble>,
    table: Option<&Table>,
    warmup: usize,
) -> Result<(Model, String), Error> {
    let warming = Model::Warming {
        sim: Vec::new(),
        rows: Vec::new(),
        need: warmup,
    };
    Ok(match (feed, model) {
            (Feed::Replay(_), Some(m)) => {
                let t = table.map(|t| t.n_rows()).unwrap_or(0);
                let rows: Vec<usize> = (0..t).step_by((t / 5000).max(1)).collect();
                let baseline = table.map(|t| Baseline::fit(t, &rows)).unwrap_or_default();
                (
                    Model::Ready {
                        ensemble: Box::new(m.clone()),
                        baseline: Box::new(baseline),
                    },
                    "Scoring with the ensemble trained on this data set.".to_owned(),
                )
            }
            (Feed::Replay(_), None) => (
                warming,
                format!("No trained model yet: training one on the first {warmup} replayed flows, then scoring the rest."),
            ),
            (Feed::Sim(_), m) => {
                let probe = {
                    let mut s = Simulator::new(SimParams { attacks: false, ..SimParams::default() })?;
                    live_table(&s.advance(2.0))
                };
                match m {
                    Some(m) if m.preprocessor.transform(&probe).is_ok() => (
                        Model::Ready {
                            ensemble: Box::new(m.clone()),
                            baseline: Box::new(Baseline::fit(&probe, &(0..probe.n_rows()).collect::<Vec<_>>())),
                        },
                        "Scoring with the trained ensemble (its columns are all in the stream).".to_owned(),
                    ),
                    Some(_) => (
                        warming,
                        format!(
                            "The trained model's columns differ from the stream's ({}), so a model \
                             is trained on the first {warmup} flows of the stream itself (warm-up), \
                             with the current settings; those flows are checked by the rules only.",
                            LIVE_COLUMNS[3..].join(", ")
                        ),
                    ),
                    None => (
                        warming,
                        format!(
                            "No trained model yet: a model is trained on the first {warmup} flows \
                             of the stream (warm-up), with the current settings; those flows are \
                             checked by the rules only."
                        ),
                    ),
                }
            }
        })
}
