//! Progress of long work, on stderr: on a terminal a bar with throughput and time left
//! (indicatif); elsewhere (CI, logs, a pipe) a plain line every tenth of a large job, since
//! a redrawn bar would only litter a log.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Jobs smaller than this many units print no plain lines: they are over before anyone
/// reads them.
const LARGE_JOB: usize = 50;

/// Reports `done` of `total` units of one job; the bar, if any, is cleared when dropped,
/// so an error printed after it stands alone.
pub struct Progress {
    bar: Option<ProgressBar>,
    unit: &'static str,
}

impl Progress {
    /// A bar when stderr is a terminal, plain lines otherwise.
    pub fn on_stderr(unit: &'static str) -> Progress {
        if std::io::stderr().is_terminal() {
            Self::with_bar(ProgressDrawTarget::stderr(), unit)
        } else {
            Progress { bar: None, unit }
        }
    }

    fn with_bar(target: ProgressDrawTarget, unit: &'static str) -> Progress {
        let bar = ProgressBar::with_draw_target(None, target).with_style(style(unit));
        Progress {
            bar: Some(bar),
            unit,
        }
    }

    /// `done` of `total` units are done.
    pub fn update(&self, done: usize, total: usize) {
        match &self.bar {
            Some(bar) => {
                bar.set_length(total as u64);
                bar.set_position(done as u64);
            }
            None => {
                if let Some(line) = plain_line(done, total, self.unit) {
                    eprintln!("{line}");
                }
            }
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

fn style(unit: &str) -> ProgressStyle {
    let template = format!("  [{{bar:30}}] {{pos}}/{{len}} {unit} · {{per_sec}} · {{eta}} left");
    // The template is ours, not input; a plain bar is still a bar if it ever failed.
    ProgressStyle::with_template(&template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
}

/// The plain line for `done` of `total`: one every tenth of a large job, none otherwise.
fn plain_line(done: usize, total: usize, unit: &str) -> Option<String> {
    (total >= LARGE_JOB && done.is_multiple_of(total / 10))
        .then(|| format!("  {done}/{total} {unit}"))
}

#[cfg(test)]
mod tests {
    use indicatif::InMemoryTerm;

    use super::*;

    #[test]
    fn the_bar_shows_count_throughput_and_time_left() {
        let term = InMemoryTerm::new(4, 120);
        let progress = Progress::with_bar(
            ProgressDrawTarget::term_like(Box::new(term.clone())),
            "articles",
        );
        progress.update(30, 60);
        if let Some(bar) = &progress.bar {
            bar.force_draw();
        }
        let screen = term.contents();
        assert!(screen.contains("30/60 articles"), "{screen:?}");
        assert!(
            screen.contains("/s") && screen.contains("left"),
            "{screen:?}"
        );
        drop(progress);
        assert!(
            term.contents().trim().is_empty(),
            "cleared: {:?}",
            term.contents()
        );
    }

    #[test]
    fn plain_lines_come_every_tenth_of_a_large_job_only() {
        let lines: Vec<String> = (0..60)
            .filter_map(|d| plain_line(d, 60, "articles"))
            .collect();
        assert_eq!(lines.len(), 10);
        assert_eq!(lines[5], "  30/60 articles");
        assert!((0..49).all(|d| plain_line(d, 49, "articles").is_none()));
    }
}
