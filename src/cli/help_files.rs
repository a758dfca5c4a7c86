//! Shell completions and the man page, generated from the same clap definitions that parse
//! the command line, so they cannot drift from it.

use super::args::Cli;
use clap::CommandFactory;
use std::io::Write;
use std::process::ExitCode;

pub(super) fn completions(shell: clap_complete::Shell) -> ExitCode {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "async-patterns", &mut out);
    if shell == clap_complete::Shell::Bash {
        out = fix_bash_states(&out);
    }
    write_stdout(&out)
}

/// clap_complete's bash script spells a hyphenated program's subcommand states two ways
/// (clap-rs/clap#6421, open in 4.6.12): the word loop makes `async__patterns__subcmd__run`,
/// the option arms match `async__subcmd__patterns__subcmd__run`, so no option of any
/// subcommand would ever complete. The arms are respelled the way the loop spells them.
fn fix_bash_states(script: &[u8]) -> Vec<u8> {
    String::from_utf8_lossy(script)
        .replace("async__subcmd__patterns", "async__patterns")
        .into_bytes()
}

pub(super) fn man() -> ExitCode {
    let mut out = Vec::new();
    if let Err(e) = clap_mangen::Man::new(Cli::command()).render(&mut out) {
        eprintln!("async-patterns: cannot render the man page: {e}");
        return ExitCode::from(1);
    }
    write_stdout(&out)
}

fn write_stdout(bytes: &[u8]) -> ExitCode {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("async-patterns: cannot write to stdout: {e}");
            ExitCode::from(1)
        }
    }
}
