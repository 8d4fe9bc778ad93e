//! One progress display on stderr for a whole run (an adaptive run's batches included): shown only after a second, hidden when stderr is not a terminal.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

use ranksense::engine::{Observer, Settling};
use ranksense::report::format::{fmt_count, fmt_error, fmt_rate};

/// Engine observer that draws an indicatif bar once a run has taken more than a second. An
/// adaptive run keeps the same bar: its position counts every sample so far, its length grows
/// with each batch, and its message says what is still unsettled.
pub struct Progress {
    bar: ProgressBar,
    started: Instant,
    shown: Mutex<bool>,
    /// Samples done before the current batch.
    offset: AtomicU64,
}

impl Progress {
    pub fn new(total: u64) -> Self {
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} {human_pos}/{human_len} samples [{bar:30}] {rate} {msg}",
            )
            .expect("valid template")
            .with_key(
                "rate",
                |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = w.write_str(&fmt_rate(state.per_sec(), "samples"));
                },
            )
            .progress_chars("=> "),
        );
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
    fn advanced(&self, samples: u64) {
        if self.started.elapsed() > Duration::from_secs(1) {
            let mut shown = self.shown.lock().expect("not poisoned");
            if !*shown {
                // stderr() hides itself when stderr is not a terminal.
                self.bar.set_draw_target(ProgressDrawTarget::stderr());
                *shown = true;
            }
        }
        let position = self.offset.load(Ordering::Relaxed) + samples;
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
}
