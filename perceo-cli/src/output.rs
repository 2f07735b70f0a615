//! Writing results to stdout and messages to stderr, honouring `--json` and `--quiet`.

use std::io::{self, Write};

use perceo_core::Error;

/// How to print, from the global flags.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    /// `--json`: stdout holds only JSON.
    pub json: bool,
    /// `--quiet`.
    pub quiet: bool,
    /// `-v` count.
    pub verbose: u8,
}

/// Whether an I/O error is a closed pipe (`perceo … | head`), which is not a failure.
pub fn is_broken_pipe(err: &io::Error) -> bool {
    err.kind() == io::ErrorKind::BrokenPipe
}

impl Output {
    /// Writes a result line to stdout.
    pub fn result(&self, text: &str) -> io::Result<()> {
        let mut out = io::stdout().lock();
        writeln!(out, "{text}")
    }

    /// Writes a value as pretty JSON to stdout.
    pub fn json_value(&self, value: &serde_json::Value) -> io::Result<()> {
        let text = serde_json::to_string_pretty(value).map_err(io::Error::other)?;
        self.result(&text)
    }

    /// Writes a progress or information line to stderr (silenced by `--quiet`).
    pub fn info(&self, text: &str) {
        if !self.quiet {
            let _ = writeln!(io::stderr(), "{text}");
        }
    }

    /// Writes a warning to stderr (silenced by `--quiet`).
    pub fn warn(&self, text: &str) {
        if !self.quiet {
            let _ = writeln!(io::stderr(), "warning: {text}");
        }
    }

    /// Writes detail for `-v` to stderr.
    pub fn debug(&self, text: &str) {
        if self.verbose > 0 {
            let _ = writeln!(io::stderr(), "{text}");
        }
    }

    /// Reports an error once: plain words and its code on stderr; with `--json` also a JSON
    /// object `{error:{code,message}}` on stdout so scripts can read it.
    pub fn error(&self, err: &Error) {
        if self.json {
            let value = serde_json::json!({"error": {"code": err.code(), "message": err.to_string()}});
            let _ = self.json_value(&value);
        }
        let _ = writeln!(io::stderr(), "error[{}]: {err}", err.code());
    }
}
