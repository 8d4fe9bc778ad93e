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
                "{spinner} {msg} {human_pos}/{human_len} [{bar:30}] {per_sec} eta {eta}",
            )
            .expect("valid template")
            .progress_chars("=> "),
        );
        bar.set_message("samples");
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
    /// A counted phase gets a bar of its own; an uncounted one a spinner with the elapsed time.
    fn phase(&self, what: &str, total: u64) {
        if total > 0 {
            self.bar.disable_steady_tick();
            self.bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} {msg} {human_pos}/{human_len} [{bar:30}] {per_sec} eta {eta}",
                )
                .expect("valid template")
                .progress_chars("=> "),
            );
            self.bar.set_length(total);
        } else {
            self.bar.set_style(
                ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
                    .expect("valid template"),
            );
            self.bar.enable_steady_tick(Duration::from_millis(200));
        }
        self.bar.set_position(0);
        self.bar.set_message(what.to_string());
        self.advanced(0);
    }

    fn advanced(&self, samples: u64) {
        if self.started.elapsed() > Duration::from_secs(1) {
            let mut shown = self.shown.lock().expect("not poisoned");
            if !*shown {
                // stderr() hides itself when stderr is not a terminal.
                self.bar.set_draw_target(ProgressDrawTarget::stderr());
                *shown = true;
            }
        }
        if samples > 0 {
            self.bar.set_position(samples.max(self.bar.position()));
        }
    }
}
