//! Small helpers for what commands print.

/// Prints a line to stdout like `println!`; a reader that went away (`report --json | head`)
/// ends the output quietly instead of a panic, and the command goes on to its end.
macro_rules! say {
    () => {
        $crate::output::write_stdout(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::output::write_stdout(format_args!("{}\n", format_args!($($arg)*)))
    };
}
pub(crate) use say;

pub fn write_stdout(text: std::fmt::Arguments) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    // Only a closed pipe is ignored: anything else is as loud as `println!`.
    if let Err(e) = out.write_fmt(text).and_then(|()| out.flush()) {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            panic!("failed printing to stdout: {e}");
        }
    }
}

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use migrationai_ingest::inspect::Progress;
use std::collections::HashMap;
use std::io::IsTerminal;
use std::sync::Mutex;

/// One spinner per table on an interactive terminal; nothing otherwise.
pub struct TableBars {
    multi: Option<MultiProgress>,
    bars: Mutex<HashMap<String, ProgressBar>>,
}

impl TableBars {
    /// Bars show only on a terminal and only when the input is large enough to wait for.
    pub fn new(total_bytes: u64) -> TableBars {
        let show = std::io::stderr().is_terminal() && total_bytes > 20 * 1024 * 1024;
        TableBars {
            multi: show.then(MultiProgress::new),
            bars: Mutex::new(HashMap::new()),
        }
    }
}

impl Progress for TableBars {
    fn table_started(&self, table: &str, _bytes: u64) {
        let Some(multi) = &self.multi else { return };
        let bar = multi.add(ProgressBar::new_spinner());
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} {human_pos} rows ({per_sec})")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.set_message(table.to_string());
        if let Ok(mut bars) = self.bars.lock() {
            bars.insert(table.to_string(), bar);
        }
    }

    fn rows(&self, table: &str, rows: u64) {
        if let Ok(bars) = self.bars.lock() {
            if let Some(b) = bars.get(table) {
                b.set_position(rows);
            }
        }
    }

    fn table_done(&self, table: &str, rows: u64) {
        if let Ok(bars) = self.bars.lock() {
            if let Some(b) = bars.get(table) {
                b.set_position(rows);
                b.finish();
            }
        }
    }
}
