//! The terminal side of progress reporting: indicatif bars on stderr, one per stage phase,
//! shown only when stderr is a terminal and neither `-q` nor `--no-progress` was given.
//! Warnings go to stderr whatever the bars do, above any bar that is drawn. With `-v` each
//! phase's wall time and the stage's peak memory so far are printed when the phase ends. When
//! the flags name a [`crate::Sink`] (the Python package), each phase is a line given to it, and
//! so are the warnings.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use tifa_core::Progress;

/// A [`Progress`] that draws indicatif bars.
pub struct Bars {
    visible: bool,
    quiet: bool,
    verbose: bool,
    current: Mutex<Option<ProgressBar>>,
    phase: Mutex<Option<(String, Instant)>>,
    warnings: Mutex<u64>,
    /// Whether each phase is a line given to the sink.
    phases: bool,
    sink: crate::Sink,
}

impl Bars {
    /// Bars drawn only when progress is wanted (no `--no-progress`), stderr is a terminal and
    /// no sink is set; warnings silenced when `quiet`; phase timings printed when `verbose`
    /// (and not `quiet`). With a sink, each phase is a line given to it unless `quiet` or
    /// `--no-progress`.
    pub fn new(flags: &crate::Global) -> Bars {
        let (show, quiet, verbose) = (!flags.no_progress, flags.quiet, flags.verbose);
        Bars {
            visible: show && !quiet && !flags.sink.is_set() && std::io::stderr().is_terminal(),
            quiet,
            verbose: verbose && !quiet,
            current: Mutex::new(None),
            phase: Mutex::new(None),
            warnings: Mutex::new(0),
            phases: show && !quiet && flags.sink.is_set(),
            sink: flags.sink.clone(),
        }
    }

    /// Ends the timed phase, if any, printing its time when verbose.
    fn end_phase(&self) {
        let ended = self.phase.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some((name, t)) = ended {
            crate::to_stderr(&format!(
                "{:>10}  {name}: {:.2} s{}",
                "",
                t.elapsed().as_secs_f64(),
                crate::memory::note(crate::memory::peak())
            ));
        }
    }

    /// Number of warnings reported so far.
    pub fn warnings(&self) -> u64 {
        *self.warnings.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn bar(&self) -> std::sync::MutexGuard<'_, Option<ProgressBar>> {
        self.current.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Progress for Bars {
    fn start(&self, phase: &str, total: u64) {
        let mut cur = self.bar();
        if let Some(old) = cur.take() {
            old.finish_and_clear();
        }
        if self.verbose {
            self.end_phase();
            *self.phase.lock().unwrap_or_else(|e| e.into_inner()) =
                Some((phase.to_string(), Instant::now()));
        }
        if self.phases {
            self.sink.say(&format!("tifa: {phase}"));
        }
        if !self.visible {
            return;
        }
        let bar = if total > 0 {
            ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr()).with_style(
                ProgressStyle::with_template(
                    "{prefix:>10.bold} [{bar:30}] {percent:>3}% {human_pos}/{human_len} {elapsed}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
            )
        } else {
            ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()).with_style(
                ProgressStyle::with_template("{prefix:>10.bold} {spinner} {elapsed}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            )
        };
        bar.set_prefix(phase.to_string());
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        *cur = Some(bar);
    }

    fn inc(&self, n: u64) {
        // Stages call this from every worker, often: without a bar, no lock is taken.
        if !self.visible {
            return;
        }
        if let Some(bar) = self.bar().as_ref() {
            bar.inc(n);
        }
    }

    fn finish(&self) {
        if let Some(bar) = self.bar().take() {
            bar.finish_and_clear();
        }
        if self.verbose {
            self.end_phase();
        }
    }

    fn warn(&self, message: &str) {
        *self.warnings.lock().unwrap_or_else(|e| e.into_inner()) += 1;
        if self.quiet {
            return;
        }
        // One line each: a file name may hold a line break or a tab, shown escaped.
        let message: String = message
            .chars()
            .map(|c| match c {
                c if c.is_control() => c.escape_default().to_string(),
                c => c.to_string(),
            })
            .collect();
        let line = format!("warning: {message}");
        match self.bar().as_ref() {
            Some(bar) => bar.suspend(|| crate::to_stderr(&line)),
            None => self.sink.say(&line),
        }
    }
}
