//! One progress display on stderr for a whole run (an adaptive run's batches and every later phase included): shown only after a second, hidden when stderr is not a terminal.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

use crate::engine::{Observer, Settling};
use crate::report::format::{fmt_count, fmt_error, fmt_rate};

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
    pub fn new(total: u64) -> Self {
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
        bar.set_style(counted_style("samples"));
        Progress {
            bar,
            started: Instant::now(),
            shown: Mutex::new(false),
            offset: AtomicU64::new(0),
        }
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl Observer for Progress {
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
    }

    fn stage(&self, done: u64, target: u64, settling: Option<&Settling>) {
        self.offset.store(done, Ordering::Relaxed);
        self.bar.set_length(target);
        if let Some(s) = settling {
            self.bar.set_message(format!(
                "· {} statistics unsettled after {} samples (largest error ±{} pp{})",
                s.unsettled,
                fmt_count(done),
                fmt_error(100.0 * s.largest_probability_error),
                if s.largest_rank_error > 0.0 {
                    format!(", ranks within {}", s.largest_rank_error)
                } else {
                    String::new()
                }
            ));
        }
    }

    fn phase(&self, what: &str, total: u64) {
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
