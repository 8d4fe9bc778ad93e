//! Running a facade call off the interpreter's thread: the GIL is released while it computes,
//! Ctrl-C (a pending signal) cancels it and raises `KeyboardInterrupt` at once, and an optional
//! Python callable is told the progress ten times a second.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use ranksense::Observer;
use ranksense::Settling;

use crate::errors::to_py;

/// How often the waiting interpreter thread looks at signals and progress.
const POLL: Duration = Duration::from_millis(100);

/// The engine's progress reports, kept for the interpreter thread to read, and its stop flag.
#[derive(Default)]
pub struct Watch {
    cancel: AtomicBool,
    /// Items done in the current phase (samples: counted over the whole adaptive run).
    done: AtomicU64,
    /// Samples done before the current batch of an adaptive run.
    offset: AtomicU64,
    total: AtomicU64,
    phase: Mutex<String>,
}

impl Observer for Watch {
    fn advanced(&self, done: u64) {
        let position = self.offset.load(Ordering::Relaxed) + done;
        self.done.fetch_max(position, Ordering::Relaxed);
    }

    fn stage(&self, done: u64, target: u64, _settling: Option<&Settling>) {
        self.offset.store(done, Ordering::Relaxed);
        self.total.store(target, Ordering::Relaxed);
    }

    fn phase(&self, what: &str, total: u64) {
        *self.phase.lock().expect("not poisoned") = what.to_string();
        self.offset.store(0, Ordering::Relaxed);
        self.done.store(0, Ordering::Relaxed);
        self.total.store(total, Ordering::Relaxed);
    }

    fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
}

impl Watch {
    fn new() -> Self {
        Watch {
            phase: Mutex::new("samples".to_string()),
            ..Watch::default()
        }
    }

    /// (phase, done, total) for the progress callable; total 0 = not counted.
    fn snapshot(&self) -> (String, u64, u64) {
        (
            self.phase.lock().expect("not poisoned").clone(),
            self.done.load(Ordering::Relaxed),
            self.total.load(Ordering::Relaxed),
        )
    }
}

/// Runs `work` on its own thread with the GIL released and waits for it, checking for signals
/// (a `KeyboardInterrupt` cancels the run and is raised at once; the thread stops at its next
/// chunk of work) and calling `progress(phase, done, total)` if given.
pub fn run<T, F>(py: Python<'_>, progress: Option<Py<PyAny>>, work: F) -> PyResult<T>
where
    T: Send + 'static,
    F: FnOnce(&Watch) -> Result<T, ranksense::Error> + Send + 'static,
{
    let watch = Arc::new(Watch::new());
    let worker_watch = Arc::clone(&watch);
    let (sender, mut receiver) = mpsc::channel();
    std::thread::Builder::new()
        .name("ranksense".into())
        .spawn(move || {
            let outcome = catch_unwind(AssertUnwindSafe(|| work(&worker_watch)));
            let _ = sender.send(outcome);
        })
        .map_err(|e| PyRuntimeError::new_err(format!("cannot start a thread: {e}")))?;
    loop {
        let (back, received) = py.detach(move || {
            let received = receiver.recv_timeout(POLL);
            (receiver, received)
        });
        receiver = back;
        match received {
            Ok(Ok(result)) => {
                if let Some(callback) = &progress {
                    let (phase, done, total) = watch.snapshot();
                    callback.call1(py, (phase, done.max(total), total))?;
                }
                return result.map_err(|error| to_py(py, &error));
            }
            Ok(Err(_)) | Err(RecvTimeoutError::Disconnected) => {
                return Err(PyRuntimeError::new_err(
                    "ranksense failed inside (a bug): please report it with the data and options",
                ));
            }
            Err(RecvTimeoutError::Timeout) => {}
        }
        let checked = py.check_signals().and_then(|()| match &progress {
            Some(callback) => callback.call1(py, watch.snapshot()).map(drop),
            None => Ok(()),
        });
        if let Err(error) = checked {
            watch.cancel.store(true, Ordering::Relaxed);
            return Err(error);
        }
    }
}
