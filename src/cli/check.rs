//! `check`: the async-pitfall checker over files and folders, for people and CI. The
//! walking, the targets and the formats live in `crate::check`; this only parses the
//! command's words and prints.

use super::usage;
use std::path::PathBuf;
use std::process::ExitCode;

pub(super) fn check_files(
    paths: &[PathBuf],
    python: Option<&str>,
    format: &str,
    ignore_noqa: bool,
) -> ExitCode {
    use crate::check::{batch, format::Format};
    let python = match python.map(crate::check::parse_target).transpose() {
        Ok(python) => python,
        Err(e) => return usage(&e.to_string()),
    };
    let format: Format = match format.parse() {
        Ok(format) => format,
        Err(e) => return usage(&e),
    };
    let batch = batch::Batch {
        paths: paths.to_vec(),
        python,
        ignore_noqa,
    };
    let results = batch::run(&batch);
    let (stdout, stderr) = (std::io::stdout(), std::io::stderr());
    let written =
        crate::check::format::render(format, &results, &mut stdout.lock(), &mut stderr.lock());
    if let Err(e) = written {
        eprintln!("async-patterns: {e}");
        return ExitCode::from(2);
    }
    ExitCode::from(batch::exit_status(&results))
}
