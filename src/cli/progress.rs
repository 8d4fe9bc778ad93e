//! One progress display on stderr for a whole run (an adaptive run's batches and every later
//! phase included): on a terminal a bar shown after a second; in a batch log (stderr a file or a
//! pipe, as under Slurm, Kubernetes or GNU parallel) one plain line per interval and one at the
//! end of each phase, never a carriage return; nothing with `--quiet`.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

use crate::engine::memory::fmt_bytes;
use crate::engine::{MemoryEstimate, Observer, Settling};
use crate::report::format::{fmt_count, fmt_duration, fmt_error, fmt_rate};

/// Set by `--quiet`: no progress display at all.
static QUIET: AtomicBool = AtomicBool::new(false);

/// Silences every progress display of this process (`--quiet`).
pub fn set_quiet(quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
}

/// Seconds between two progress lines in a batch log, unless the environment sets
/// `RANKSENSE_PROGRESS_INTERVAL` (seconds, e.g. `0.1` in tests): often enough to tell a running
/// job from a hung one, rarely enough to keep a week's log short.
const LOG_INTERVAL_SECONDS: f64 = 30.0;

fn log_interval() -> Duration {
    std::env::var("RANKSENSE_PROGRESS_INTERVAL")
        .ok()
        .and_then(|text| text.trim().parse::<f64>().ok())
        .filter(|seconds| seconds.is_finite() && *seconds > 0.0)
        .map_or(Duration::from_secs_f64(LOG_INTERVAL_SECONDS), |seconds| {
            Duration::from_secs_f64(seconds.min(1e6))
        })
}

/// Where a phase stands, for the batch-log lines.
struct LogState {
    /// What the phase counts ("samples", "Sobol model runs") or does; empty before the first.
    what: String,
    /// Items in the phase (0: not counted).
    total: u64,
    position: u64,
    started: Instant,
    /// A line has been printed: from then on each phase's end is too. A run done within the
    /// first interval prints nothing, as the terminal's bar shows only after a second.
    printing: bool,
}

impl LogState {
    fn new(what: &str, total: u64, printing: bool) -> Self {
        LogState {
            what: what.to_string(),
            total,
            position: 0,
            started: Instant::now(),
            printing,
        }
    }

    /// One progress line: phase, done/total (share), rate, elapsed and the time still to go;
    /// `ended` for the phase's last line.
    fn line(&self, ended: bool) -> String {
        let elapsed = self.started.elapsed();
        let mut line = format!("progress: {}", self.what);
        if self.total > 0 {
            let rate = self.position as f64 / elapsed.as_secs_f64().max(1e-9);
            line += &format!(
                " {}/{} ({}%), {}",
                fmt_count(self.position),
                fmt_count(self.total),
                100 * self.position.min(self.total) / self.total,
                fmt_rate(rate, &self.what)
            );
        }
        line += &format!(", elapsed {}", fmt_duration(elapsed));
        if ended {
            line += ", done";
        } else if self.total > 0 && self.position > 0 && self.position < self.total {
            let left =
                elapsed.as_secs_f64() * (self.total - self.position) as f64 / self.position as f64;
            line += &format!(", ETA {}", fmt_duration(Duration::from_secs_f64(left)));
        }
        line
    }
}

/// The batch-log display: the phase's state and the thread that prints it every interval (a
/// thread, not the engine's ticks, so that a phase that cannot be counted, such as a long MILP,
/// still shows it is running).
struct LogLines {
    state: Arc<Mutex<LogState>>,
    /// Dropping the sender stops the printing thread; taken by [`Progress::finish`].
    ticker: Mutex<Option<(Sender<()>, JoinHandle<()>)>>,
}

impl LogLines {
    fn start(what: &str, total: u64) -> Self {
        let state = Arc::new(Mutex::new(LogState::new(what, total, false)));
        let (stop, stopped) = mpsc::channel::<()>();
        let interval = log_interval();
        let shared = Arc::clone(&state);
        let thread = std::thread::spawn(move || {
            while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(interval) {
                let mut state = shared.lock().expect("not poisoned");
                if !state.what.is_empty() {
                    eprintln!("{}", state.line(false));
                    state.printing = true;
                }
            }
        });
        LogLines {
            state,
            ticker: Mutex::new(Some((stop, thread))),
        }
    }

    /// Ends the current phase with its last line (if it is a phase at all) and starts `what`.
    fn phase(&self, what: &str, total: u64) {
        let mut state = self.state.lock().expect("not poisoned");
        if state.printing && !state.what.is_empty() {
            eprintln!("{}", state.line(true));
        }
        *state = LogState::new(what, total, state.printing);
    }

    fn finish(&self) {
        if let Some((stop, thread)) = self.ticker.lock().expect("not poisoned").take() {
            drop(stop);
            let _ = thread.join();
            self.phase("", 0);
        }
    }
}

/// Engine observer that draws an indicatif bar once a run has taken more than a second. An
/// adaptive run keeps the same bar: its position counts every sample so far, its length grows
/// with each batch, and its message says what is still unsettled. A later phase (Sobol model
/// runs, the bootstrap, bounds, merging) restarts the bar with its own unit, or shows a spinner
/// with the elapsed time when it cannot be counted.
pub struct Progress {
    bar: ProgressBar,
    started: Instant,
    shown: Mutex<bool>,
    /// Samples done before the current batch.
    offset: AtomicU64,
    /// The memory estimate last noted (0: none yet).
    memory_noted: AtomicU64,
    /// Plain lines instead of the bar, when stderr is not a terminal.
    log: Option<LogLines>,
}

/// A counted bar whose position, length and rate are in `unit` ("samples", "Sobol model runs").
fn counted_style(unit: &str) -> ProgressStyle {
    let rate_unit = unit.to_string();
    ProgressStyle::with_template(&format!(
        "{{spinner}} {{human_pos}}/{{human_len}} {unit} [{{bar:30}}] {{rate}} {{msg}}"
    ))
    .expect("valid template")
    .with_key(
        "rate",
        move |state: &ProgressState, w: &mut dyn std::fmt::Write| {
            let _ = w.write_str(&fmt_rate(state.per_sec(), &rate_unit));
        },
    )
    .progress_chars("=> ")
}

impl Progress {
    /// A display for a run that starts with `total` Monte Carlo samples (0: with a phase of its
    /// own, announced by [`Observer::phase`]).
    pub fn new(total: u64) -> Self {
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
        bar.set_style(counted_style("samples"));
        let quiet = QUIET.load(Ordering::Relaxed);
        let log = (!quiet && !std::io::stderr().is_terminal())
            .then(|| LogLines::start(if total > 0 { "samples" } else { "" }, total));
        Progress {
            bar,
            started: Instant::now(),
            // A quiet run or a batch log never shows the bar.
            shown: Mutex::new(quiet || log.is_some()),
            offset: AtomicU64::new(0),
            memory_noted: AtomicU64::new(0),
            log,
        }
    }

    /// Ends the display: clears the bar, or prints the last phase's closing line.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
        if let Some(log) = &self.log {
            log.finish();
        }
    }
}

impl Drop for Progress {
    /// A run that fails stops the printing thread too.
    fn drop(&mut self) {
        if let Some(log) = &self.log
            && let Some((stop, thread)) = log.ticker.lock().expect("not poisoned").take()
        {
            drop(stop);
            let _ = thread.join();
        }
    }
}

/// Units from which a run notes its memory estimate before it starts, whatever its size.
const MEMORY_NOTE_UNITS: usize = 1_000;

/// Estimated bytes from which a run of any index notes its memory estimate.
const MEMORY_NOTE_BYTES: u64 = 1_000_000_000;

/// The `note:` line of a large run's memory estimate, with what to do if it is too much.
fn memory_note(estimate: &MemoryEstimate) -> String {
    let how = if estimate.shared_histograms {
        "and the rank histograms, held once for all threads"
    } else {
        "then the merged total"
    };
    format!(
        "note: the counts of this run take up to {} ({} per thread × {} threads, {how}; exact rank histograms {}, pair counts {}); if that is too much: fewer --threads, --bin-width W (ranks in bins of W, quantiles within ±(W−1)/2 ranks), or --pairs focus",
        fmt_bytes(estimate.total),
        fmt_bytes(estimate.per_thread),
        estimate.threads,
        fmt_bytes(estimate.histograms),
        fmt_bytes(estimate.pairs),
    )
}

impl Observer for Progress {
    /// Notes the estimate of a large run once, and again if a later batch of an adaptive run
    /// needs twice as much.
    fn memory(&self, estimate: &MemoryEstimate) {
        if estimate.units <= MEMORY_NOTE_UNITS && estimate.total < MEMORY_NOTE_BYTES {
            return;
        }
        let noted = self.memory_noted.load(Ordering::Relaxed);
        if noted > 0 && estimate.total < 2 * noted {
            return;
        }
        self.memory_noted.store(estimate.total, Ordering::Relaxed);
        self.bar.suspend(|| eprintln!("{}", memory_note(estimate)));
    }

    fn advanced(&self, done: u64) {
        if self.started.elapsed() > Duration::from_secs(1) {
            let mut shown = self.shown.lock().expect("not poisoned");
            if !*shown {
                // stderr() hides itself when stderr is not a terminal.
                self.bar.set_draw_target(ProgressDrawTarget::stderr());
                *shown = true;
            }
        }
        let position = self.offset.load(Ordering::Relaxed) + done;
        self.bar.set_position(position.max(self.bar.position()));
        if let Some(log) = &self.log {
            let mut state = log.state.lock().expect("not poisoned");
            state.position = state.position.max(position);
        }
    }

    fn stage(&self, done: u64, target: u64, settling: Option<&Settling>) {
        self.offset.store(done, Ordering::Relaxed);
        self.bar.set_length(target);
        if let Some(log) = &self.log {
            log.state.lock().expect("not poisoned").total = target;
        }
        if let Some(s) = settling {
            let message = format!(
                "{} statistics unsettled after {} samples (largest error ±{} pp{})",
                s.unsettled,
                fmt_count(done),
                fmt_error(100.0 * s.largest_probability_error),
                if s.largest_rank_error > 0.0 {
                    format!(", ranks within {}", s.largest_rank_error)
                } else {
                    String::new()
                }
            );
            // A batch log shows why the run goes on, once per batch, once it prints at all
            // (a run done within the first interval prints nothing).
            if let Some(log) = &self.log
                && log.state.lock().expect("not poisoned").printing
            {
                eprintln!(
                    "progress: stop rule: {message}; sampling on to {}",
                    fmt_count(target)
                );
            }
            self.bar.set_message(format!("· {message}"));
        }
    }

    fn phase(&self, what: &str, total: u64) {
        if let Some(log) = &self.log {
            log.phase(what, total);
        }
        self.offset.store(0, Ordering::Relaxed);
        self.bar.set_message("");
        if total > 0 {
            self.bar.disable_steady_tick();
            self.bar.set_style(counted_style(what));
            self.bar.set_length(total);
        } else {
            self.bar.set_style(
                ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
                    .expect("valid template"),
            );
            self.bar.set_message(what.to_string());
            self.bar.enable_steady_tick(Duration::from_millis(200));
        }
        self.bar.set_position(0);
        self.advanced(0);
    }
}
