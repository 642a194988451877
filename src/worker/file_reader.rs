//! Reading a `File` in slices for the worker's file loads (wasm only), on a second thread.
//!
//! Chromium serves `Blob.arrayBuffer()` through a data pipe that is drained by the thread that
//! asked, between its tasks. The engine worker parses each slice in one synchronous call, so while
//! it parses nothing is read: reading and parsing took turns (measured on the 200 MB capture:
//! 0.7 s of waiting for slices beside 0.33 s of parsing), and yielding between smaller parse steps
//! to let the pipe drain cost more than it saved. So the slices are read by a tiny helper worker
//! (its script is [`READER_JS`], started from a `blob:` URL when the engine worker starts) that
//! transfers each `ArrayBuffer` to the engine worker without copying, at most [`AHEAD`] slices
//! ahead of the parser (it waits for an acknowledgement per slice), so memory stays bounded.
//! Slices grow from [`FIRST_SLICE`] to [`MAX_SLICE`]: parsing starts after a 1 MiB read instead of
//! a 16 MiB one.
//!
//! Where a worker cannot start another worker (old browsers, a CSP without `worker-src blob:`)
//! the slices are read in this thread, as before, still with growing slice sizes and
//! [`AHEAD`] requests in flight; a helper that fails mid-file hands over to that path at the first
//! byte not yet received.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use js_sys::{Array, ArrayBuffer, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, BlobPropertyBag, File, MessageEvent, Url, Worker};

use crate::worker::protocol::WorkerError;
use crate::worker::runtime::{failure, js_error_text};

/// The first slice (1 MiB): parsing starts as soon as it is there.
pub const FIRST_SLICE: u64 = 1 << 20;

/// Slices double up to this size (16 MiB: fewer, larger reads were faster in Chromium).
pub const MAX_SLICE: u64 = 16 << 20;

/// Slices read ahead of the one being parsed (at most `AHEAD + 1` slices, 64 MiB, in memory).
pub const AHEAD: u32 = 3;

/// The helper worker's script: reads the posted `File` in doubling slices, transfers each to the
/// engine worker with its generation and offset, and keeps at most `ahead` unacknowledged. A new
/// file (a higher generation) abandons the old one.
pub const READER_JS: &str = r#"
let gen = 0, file = null, offset = 0, size = 0, max = 0, credit = 0, busy = false;
onmessage = (e) => {
  const m = e.data;
  if (m.file) {
    gen = m.gen; file = m.file; offset = 0; size = m.first; max = m.max; credit = m.ahead;
  } else if (m.gen === gen) {
    credit += 1;
  }
  pump();
};
async function pump() {
  if (busy) return;
  busy = true;
  while (file && credit > 0 && offset < file.size) {
    const g = gen, f = file, at = offset, end = Math.min(at + size, f.size);
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
    offset = end;
    credit -= 1;
    size = Math.min(size * 2, max);
  }
  busy = false;
}
"#;

/// The helper worker and what it has sent that was not yet taken.
struct Helper {
    worker: Worker,
    /// Messages (`{gen, offset, buf | error}`) in arrival order.
    queue: RefCell<VecDeque<JsValue>>,
    /// Resolves the promise the reader is waiting on, if it is waiting.
    waker: RefCell<Option<js_sys::Function>>,
    /// Generation of the current file; stale messages are dropped.
    generation: std::cell::Cell<u32>,
    /// Set when the helper reported an error event (it cannot run).
    broken: std::cell::Cell<bool>,
}

impl Helper {
    fn wake(&self) {
        if let Some(w) = self.waker.borrow_mut().take() {
            let _ = w.call0(&JsValue::UNDEFINED);
        }
    }
}

thread_local! {
    static HELPER: RefCell<Option<Rc<Helper>>> = const { RefCell::new(None) };
}

/// Starts the helper worker (called once when the engine worker starts, so that it is ready by
/// the first load). Does nothing, and loads read in this thread, when it cannot start.
pub fn start_helper() {
    if HELPER.with(|h| h.borrow().is_some()) {
        return;
    }
    if let Some(helper) = spawn_helper() {
        HELPER.with(|h| *h.borrow_mut() = Some(helper));
    }
}

fn spawn_helper() -> Option<Rc<Helper>> {
    let parts = Array::of1(&JsValue::from_str(READER_JS));
    let bag = BlobPropertyBag::new();
    bag.set_type("text/javascript");
    let blob = Blob::new_with_str_sequence_and_options(&parts, &bag).ok()?;
    let url = Url::create_object_url_with_blob(&blob).ok()?;
    let worker = Worker::new(&url).ok();
    let _ = Url::revoke_object_url(&url);
    let helper = Rc::new(Helper {
        worker: worker?,
        queue: RefCell::new(VecDeque::new()),
        waker: RefCell::new(None),
        generation: std::cell::Cell::new(0),
        broken: std::cell::Cell::new(false),
    });
    let weak = Rc::downgrade(&helper);
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
        if let Some(h) = weak.upgrade() {
            h.queue.borrow_mut().push_back(ev.data());
            h.wake();
        }
    });
    let weak = Rc::downgrade(&helper);
    let on_error = Closure::<dyn FnMut(JsValue)>::new(move |_: JsValue| {
        if let Some(h) = weak.upgrade() {
            h.broken.set(true);
            h.wake();
        }
    });
    helper
        .worker
        .set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    helper
        .worker
        .set_onerror(Some(on_error.as_ref().unchecked_ref()));
    // Both live as long as the engine worker.
    on_message.forget();
    on_error.forget();
    Some(helper)
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
    Helper(Rc<Helper>, u32),
    Direct {
        /// Reads in flight, in file order.
        ahead: VecDeque<Promise>,
        /// Where the next request starts, and its size.
        requested: u64,
        size: u64,
    },
}

impl<'a> Slices<'a> {
    /// Starts reading `file` (on the helper when there is one).
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

    fn ask_helper(&self, h: &Helper) -> Result<(), JsValue> {
        let g = h.generation.get().wrapping_add(1);
        h.generation.set(g);
        h.queue.borrow_mut().clear();
        let msg = Object::new();
        Reflect::set(&msg, &"file".into(), self.file)?;
        Reflect::set(&msg, &"gen".into(), &g.into())?;
        Reflect::set(&msg, &"first".into(), &(FIRST_SLICE as f64).into())?;
        Reflect::set(&msg, &"max".into(), &(MAX_SLICE as f64).into())?;
        Reflect::set(&msg, &"ahead".into(), &AHEAD.into())?;
        h.worker.post_message(&msg)
    }

    /// Keeps [`AHEAD`] direct reads in flight (fallback path).
    fn fill_direct(&mut self) -> Result<(), WorkerError> {
        let Mode::Direct {
            ahead,
            requested,
            size,
        } = &mut self.mode
        else {
            return Ok(());
        };
        while *requested < self.total && ahead.len() < AHEAD as usize {
            let end = (*requested + *size).min(self.total);
            let promise = self
                .file
                .slice_with_f64_and_f64(*requested as f64, end as f64)
                .map(|blob| blob.array_buffer())
                .map_err(|_| {
                    failure(format!("could not slice {} at byte {requested}", self.name))
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

    /// Waits for the helper's next slice of generation `g`; `None` when the helper broke.
    async fn helper_slice(&self, h: &Helper, g: u32) -> Result<Option<Uint8Array>, WorkerError> {
        loop {
            let msg = h.queue.borrow_mut().pop_front();
            if let Some(msg) = msg {
                if get(&msg, "gen").as_f64() != Some(f64::from(g)) {
                    continue;
                }
                if let Some(err) = get(&msg, "error").as_string() {
                    return Err(self.read_failed(&err));
                }
                let buf = get(&msg, "buf");
                let Some(buf) = buf.dyn_ref::<ArrayBuffer>() else {
                    return Err(self.read_failed("the reader sent no data"));
                };
                if get(&msg, "offset").as_f64() != Some(self.offset as f64) {
                    return Err(self.read_failed("slices arrived out of order"));
                }
                // Acknowledge: the helper may read one more slice ahead.
                let ack = Object::new();
                let _ = Reflect::set(&ack, &"gen".into(), &g.into());
                let _ = h.worker.post_message(&ack);
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
        failure(format!(
            "could not read {} at byte {} ({why}); is the file still there?",
            self.name, self.offset
        ))
    }
}

fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &key.into()).unwrap_or(JsValue::UNDEFINED)
}
