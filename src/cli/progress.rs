//! A progress bar on stderr for long runs: shown only after a second, hidden when stderr is not a terminal.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use ranksense::engine::Observer;

/// Engine observer that draws an indicatif bar once a run has taken more than a second.
pub struct Progress {
    bar: ProgressBar,
    started: Instant,
    shown: Mutex<bool>,
}

impl Progress {
    pub fn new(total: u64) -> Self {
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} {human_pos}/{human_len} samples [{bar:30}] {per_sec} eta {eta}",
            )
            .expect("valid template")
            .progress_chars("=> "),
        );
        Progress {
            bar,
            started: Instant::now(),
            shown: Mutex::new(false),
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
        self.bar.set_position(samples.max(self.bar.position()));
    }
}
