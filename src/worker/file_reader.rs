//! Reading a `File` in slices for the worker's file loads (wasm only), on helper threads.
//!
//! Chromium serves `Blob.arrayBuffer()` through a data pipe that is drained by the thread that
//! asked, between its tasks. The engine worker parses each slice in one synchronous call, so while
//! it parses nothing is read: reading and parsing took turns (measured on the 200 MB capture:
//! 0.7 s of waiting for slices beside 0.33 s of parsing), and yielding between smaller parse steps
//! to let the pipe drain cost more than it saved. So the slices are read by tiny helper workers
//! (their script is [`READER_JS`], started from a `blob:` URL when the engine worker starts) that
//! transfer each `ArrayBuffer` to the engine worker without copying.
//!
//! There are [`HELPERS`] of them, reading alternate slices at the same time: one reader thread
//! delivered only 230–330 MB/s on the 200 MB capture whatever the method (`Blob.arrayBuffer()`
//! at 1–64 MiB with 1–8 reads in flight, `FileReaderSync`, `blob.stream()` with a default or BYOB
//! reader all measured within the noise of each other), two delivered 430–570 MB/s; with a parser
//! at ≈ 1.2 ms per MiB the whole load took 0.50–0.61 s with two readers against 0.73–0.85 s with
//! one (throwaway page, load average ≈ 3). Each helper keeps at most [`AHEAD`] slices
//! unacknowledged, so at most `HELPERS × AHEAD + 1` slices (80 MiB) are in memory; the engine
//! takes them in file order whichever helper sent them. Slices grow from [`FIRST_SLICE`] to
//! [`MAX_SLICE`] and the first two are read at once by different helpers: parsing starts after a
//! 1 MiB read instead of a 16 MiB one.
//!
//! Where a worker cannot start another worker (old browsers, a CSP without `worker-src blob:`)
//! the slices are read in this thread, as before, still with growing slice sizes and
//! [`DIRECT_AHEAD`] requests in flight; a helper that fails mid-file hands over to that path at the first
//! byte not yet received.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

use js_sys::{Array, ArrayBuffer, Float64Array, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, BlobPropertyBag, File, MessageEvent, Url, Worker};

use crate::worker::protocol::WorkerError;
use crate::worker::runtime::js_error_text;

/// The first slice (1 MiB): parsing starts as soon as it is there.
pub const FIRST_SLICE: u64 = 1 << 20;

/// Slices double up to this size (16 MiB: fewer, larger reads were faster in Chromium).
pub const MAX_SLICE: u64 = 16 << 20;

/// Slices each helper reads ahead of the parser.
pub const AHEAD: u32 = 2;

/// Reads in flight on the fallback path (no helpers), ahead of the slice being parsed.
pub const DIRECT_AHEAD: usize = 3;

/// Helper reader workers, each reading every `HELPERS`-th slice.
pub const HELPERS: usize = 2;

/// The helper workers' script: given a `File` and its list of slices (`[start, end, …]`), reads
/// them in order and transfers each to the engine worker with its generation and offset, keeping
/// at most `ahead` unacknowledged. A new file (a higher generation) abandons the old one.
pub const READER_JS: &str = r#"
let gen = 0, file = null, jobs = null, next = 0, credit = 0, busy = false;
onmessage = (e) => {
  const m = e.data;
  if (m.file) {
    gen = m.gen; file = m.file; jobs = m.jobs; next = 0; credit = m.ahead;
  } else if (m.gen === gen) {
    credit += 1;
  }
  pump();
};
async function pump() {
  if (busy) return;
  busy = true;
  while (file && credit > 0 && next + 1 < jobs.length) {
    const g = gen, f = file, at = jobs[next], end = jobs[next + 1];
    let buf;
    try {
      buf = await f.slice(at, end).arrayBuffer();
    } catch (err) {
      if (g === gen) {
        postMessage({ gen: g, offset: at, error: String((err && err.message) || err) });
        file = null;
      }
      break;
    }
    if (g !== gen) continue;
    postMessage({ gen: g, offset: at, buf }, [buf]);
    next += 2;
    credit -= 1;
  }
  busy = false;
}
"#;

/// The helper workers and what they have sent that was not yet taken.
struct Pool {
    workers: Vec<Worker>,
    /// Messages (`{gen, offset, buf | error}`, tagged with the sender's index) in arrival order;
    /// they may arrive out of file order (the helpers read in parallel).
    queue: RefCell<VecDeque<(usize, JsValue)>>,
    /// Resolves the promise the reader is waiting on, if it is waiting.
    waker: RefCell<Option<js_sys::Function>>,
    /// Generation of the current file; stale messages are dropped.
    generation: Cell<u32>,
    /// Set when a helper reported an error event (it cannot run).
    broken: Cell<bool>,
}

impl Pool {
    fn wake(&self) {
        if let Some(w) = self.waker.borrow_mut().take() {
            let _ = w.call0(&JsValue::UNDEFINED);
        }
    }
}

thread_local! {
    static HELPER: RefCell<Option<Rc<Pool>>> = const { RefCell::new(None) };
}

/// Starts the helper workers (called once when the engine worker starts, so that they are ready
/// by the first load). Does nothing, and loads read in this thread, when they cannot start.
pub fn start_helper() {
    if HELPER.with(|h| h.borrow().is_some()) {
        return;
    }
    if let Some(pool) = spawn_pool() {
        HELPER.with(|h| *h.borrow_mut() = Some(pool));
    }
}

fn spawn_pool() -> Option<Rc<Pool>> {
    let parts = Array::of1(&JsValue::from_str(READER_JS));
    let bag = BlobPropertyBag::new();
    bag.set_type("text/javascript");
    let blob = Blob::new_with_str_sequence_and_options(&parts, &bag).ok()?;
    let url = Url::create_object_url_with_blob(&blob).ok()?;
    let workers: Option<Vec<Worker>> = (0..HELPERS).map(|_| Worker::new(&url).ok()).collect();
    let _ = Url::revoke_object_url(&url);
    let pool = Rc::new(Pool {
        workers: workers?,
        queue: RefCell::new(VecDeque::new()),
        waker: RefCell::new(None),
        generation: Cell::new(0),
        broken: Cell::new(false),
    });
    for (i, worker) in pool.workers.iter().enumerate() {
        let weak = Rc::downgrade(&pool);
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            if let Some(p) = weak.upgrade() {
                p.queue.borrow_mut().push_back((i, ev.data()));
                p.wake();
            }
        });
        let weak = Rc::downgrade(&pool);
        let on_error = Closure::<dyn FnMut(JsValue)>::new(move |_: JsValue| {
            if let Some(p) = weak.upgrade() {
                p.broken.set(true);
                p.wake();
            }
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        // Both live as long as the engine worker.
        on_message.forget();
        on_error.forget();
    }
    Some(pool)
}

/// The slice boundaries of a file of `total` bytes, from `from` on: sizes double from
/// [`FIRST_SLICE`] to [`MAX_SLICE`]. Returns `(start, end)` pairs.
pub fn slice_plan(from: u64, total: u64) -> Vec<(u64, u64)> {
    let mut plan = Vec::new();
    let (mut at, mut size) = (from, FIRST_SLICE);
    while at < total {
        let end = (at + size).min(total);
        plan.push((at, end));
        at = end;
        size = (size * 2).min(MAX_SLICE);
    }
    plan
}

/// The slices of one file, in order: [`next`](Self::next) until it returns `None`.
pub struct Slices<'a> {
    file: &'a File,
    name: &'a str,
    total: u64,
    /// Bytes handed out so far (the next slice starts here).
    offset: u64,
    mode: Mode,
}

enum Mode {
    Helper(Rc<Pool>, u32),
    Direct {
        /// Reads in flight, in file order.
        ahead: VecDeque<Promise>,
        /// Where the next request starts, and its size.
        requested: u64,
        size: u64,
    },
}

impl<'a> Slices<'a> {
    /// Starts reading `file` (on the helpers when there are any).
    pub fn new(file: &'a File, name: &'a str) -> Result<Self, WorkerError> {
        let total = file.size() as u64;
        let helper = HELPER
            .with(|h| h.borrow().clone())
            .filter(|h| !h.broken.get());
        let mut s = Slices {
            file,
            name,
            total,
            offset: 0,
            mode: Mode::Direct {
                ahead: VecDeque::new(),
                requested: 0,
                size: FIRST_SLICE,
            },
        };
        match helper {
            Some(h) if s.ask_helper(&h).is_ok() => {
                let g = h.generation.get();
                s.mode = Mode::Helper(h, g);
            }
            _ => s.fill_direct()?,
        }
        Ok(s)
    }

    /// Gives every helper its share of the slices (slice `i` to helper `i % HELPERS`).
    fn ask_helper(&self, h: &Pool) -> Result<(), JsValue> {
        let g = h.generation.get().wrapping_add(1);
        h.generation.set(g);
        h.queue.borrow_mut().clear();
        let plan = slice_plan(0, self.total);
        let n = h.workers.len();
        for (k, worker) in h.workers.iter().enumerate() {
            let jobs: Vec<f64> = plan
                .iter()
                .skip(k)
                .step_by(n)
                .flat_map(|&(a, b)| [a as f64, b as f64])
                .collect();
            let msg = Object::new();
            Reflect::set(&msg, &"file".into(), self.file)?;
            Reflect::set(&msg, &"gen".into(), &g.into())?;
            Reflect::set(&msg, &"jobs".into(), &Float64Array::from(&jobs[..]))?;
            Reflect::set(&msg, &"ahead".into(), &AHEAD.into())?;
            worker.post_message(&msg)?;
        }
        Ok(())
    }

    /// Keeps [`DIRECT_AHEAD`] direct reads in flight (fallback path).
    fn fill_direct(&mut self) -> Result<(), WorkerError> {
        let Mode::Direct {
            ahead,
            requested,
            size,
        } = &mut self.mode
        else {
            return Ok(());
        };
        while *requested < self.total && ahead.len() < DIRECT_AHEAD {
            let end = (*requested + *size).min(self.total);
            let promise = self
                .file
                .slice_with_f64_and_f64(*requested as f64, end as f64)
                .map(|blob| blob.array_buffer())
                .map_err(|_| {
                    WorkerError::Browser(format!(
                        "could not slice {} at byte {requested}",
                        self.name
                    ))
                })?;
            ahead.push_back(promise);
            *requested = end;
            *size = (*size * 2).min(MAX_SLICE);
        }
        Ok(())
    }

    /// The next slice, `None` at the end of the file.
    pub async fn next(&mut self) -> Result<Option<Uint8Array>, WorkerError> {
        if self.offset >= self.total {
            return Ok(None);
        }
        let view = match &self.mode {
            Mode::Helper(h, g) => {
                let (h, g) = (h.clone(), *g);
                match self.helper_slice(&h, g).await? {
                    Some(v) => v,
                    None => {
                        // The helper cannot run: read the rest here.
                        self.mode = Mode::Direct {
                            ahead: VecDeque::new(),
                            requested: self.offset,
                            size: FIRST_SLICE,
                        };
                        self.fill_direct()?;
                        return Box::pin(self.next()).await;
                    }
                }
            }
            Mode::Direct { .. } => {
                let Mode::Direct { ahead, .. } = &mut self.mode else {
                    return Ok(None);
                };
                let Some(pending) = ahead.pop_front() else {
                    return Ok(None);
                };
                let buf = JsFuture::from(pending)
                    .await
                    .map_err(|e| self.read_failed(&js_error_text(&e)))?;
                self.fill_direct()?;
                Uint8Array::new(&buf)
            }
        };
        self.offset += u64::from(view.length());
        Ok(Some(view))
    }

    /// Waits for the slice of generation `g` that starts at `self.offset`, whichever helper
    /// reads it (later slices that arrive first stay queued); `None` when a helper broke.
    async fn helper_slice(&self, h: &Pool, g: u32) -> Result<Option<Uint8Array>, WorkerError> {
        loop {
            let found = {
                let mut q = h.queue.borrow_mut();
                q.retain(|(_, m)| get(m, "gen").as_f64() == Some(f64::from(g)));
                let at = self.offset as f64;
                q.iter()
                    .position(|(_, m)| get(m, "offset").as_f64() == Some(at))
                    .and_then(|i| q.remove(i))
            };
            if let Some((from, msg)) = found {
                if let Some(err) = get(&msg, "error").as_string() {
                    return Err(self.read_failed(&err));
                }
                let buf = get(&msg, "buf");
                let Some(buf) = buf.dyn_ref::<ArrayBuffer>() else {
                    return Err(self.read_failed("the reader sent no data"));
                };
                // Acknowledge: that helper may read one more slice ahead.
                let ack = Object::new();
                let _ = Reflect::set(&ack, &"gen".into(), &g.into());
                if let Some(w) = h.workers.get(from) {
                    let _ = w.post_message(&ack);
                }
                return Ok(Some(Uint8Array::new(buf)));
            }
            if h.broken.get() {
                return Ok(None);
            }
            let wait = Promise::new(&mut |resolve, _| {
                *h.waker.borrow_mut() = Some(resolve);
            });
            let _ = JsFuture::from(wait).await;
        }
    }

    fn read_failed(&self, why: &str) -> WorkerError {
        WorkerError::Browser(format!(
            "could not read {} at byte {} ({why}); is the file still there?",
            self.name, self.offset
        ))
    }
}

fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &key.into()).unwrap_or(JsValue::UNDEFINED)
}
