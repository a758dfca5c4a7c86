//! The command line's arguments (clap derive): every command, option and its help.

use clap::{Args as ClapArgs, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "async-patterns",
    version = crate::cli::version::short(),
    long_version = crate::cli::version::long(),
    about = "Async Python patterns as an Agent Skill, served over MCP",
    after_help = "Exit codes: 0 success; 1 the command ran and failed or found something \
(unknown id, failed demo, invalid skill, findings); 2 usage error (bad option or value) \
or a problem before the work (unreadable input, skill folder that does not load). \
docs/cli.md has the table for every command."
)]
pub struct Cli {
    /// Serve or query this skill folder instead of the embedded one.
    #[arg(long, global = true, value_name = "PATH")]
    pub skill_dir: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Serve MCP on stdin/stdout (what assistants spawn), or over HTTP with --http ADDR.
    Serve(ServeArgs),
    /// List the catalogue's entries (id, category, minimum Python, demo, title).
    List {
        /// Only this kind of entry: concept, pattern or pitfall.
        #[arg(long, value_name = "CATEGORY")]
        category: Option<String>,
        /// Only entries with this tag, e.g. gather.
        #[arg(long, value_name = "TAG")]
        tag: Option<String>,
        /// Only entries that run on this Python, e.g. 3.10.
        #[arg(long = "python", value_name = "VERSION")]
        for_python: Option<String>,
        /// Print the listing as JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Show one entry: its explanation, and its demo's parameters when it has one.
    Show {
        /// The entry's id, as `list` or `search` print it, e.g. semaphore.
        #[arg(value_name = "ID")]
        id: String,
        /// Print the entry as JSON (metadata, snippets, demo) instead of Markdown.
        #[arg(long)]
        json: bool,
    },
    /// Print a snippet's code.
    Snippet {
        /// The snippet's id (`show ID --json` lists an entry's snippets), e.g. gather.
        #[arg(value_name = "ID")]
        id: String,
        /// Target Python version, e.g. 3.10: picks the variant that runs there.
        #[arg(long = "python", value_name = "VERSION")]
        for_python: Option<String>,
        /// Print the snippet as JSON (code, variant chosen and why) instead of the code.
        #[arg(long)]
        json: bool,
    },
    /// Search by problem or error message.
    Search {
        /// What you are trying to do, or an error message you got.
        #[arg(required = true, value_name = "WORDS")]
        query: Vec<String>,
        /// How many matches to print at most (1-50).
        #[arg(long, default_value_t = 5, value_name = "N")]
        limit: usize,
        /// Print the matches as JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Run an entry's demo in the sandbox.
    Run {
        /// The entry's id; `show ID` lists its demo's parameters.
        #[arg(value_name = "ID")]
        id: String,
        /// A demo parameter, `name=value` (repeatable); `show ID` lists them.
        #[arg(long = "param", value_name = "NAME=VALUE")]
        params: Vec<String>,
        /// Deadline in milliseconds (1-60000), counted from the start of the command; the
        /// demo is killed past it.
        #[arg(long, default_value_t = crate::demo::DEFAULT_TIMEOUT_MS, value_name = "MS")]
        timeout_ms: u64,
        /// python runs the entry's script; native runs the built-in tokio mirror of the
        /// core patterns, without Python.
        #[arg(long, value_enum, default_value = "python")]
        engine: EngineArg,
        /// The Python to run on: an installed CPython version (3.12) or an interpreter's
        /// path (default: python3 on PATH; also ASYNC_PATTERNS_PYTHON).
        #[arg(long = "python", value_name = "VERSION|PATH")]
        on_python: Option<String>,
        /// Print the full report (timings, summary, output, isolation) as JSON.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        sandbox: crate::demo::SandboxArgs,
    },
    /// Find async pitfalls in Python files and folders (`-` reads stdin). Folders are
    /// walked for *.py and *.pyi, honouring .gitignore. Exit 1 when anything is found, 2
    /// on an unreadable file, a syntax error or a usage error, 0 when clean.
    Check {
        /// Files or folders to check; `-` is standard input.
        #[arg(required = true, value_name = "PATH")]
        files: Vec<PathBuf>,
        /// Target Python version, e.g. 3.10 (default: each file's nearest pyproject.toml
        /// `requires-python`, else the newest).
        #[arg(long = "python", value_name = "VERSION")]
        for_python: Option<String>,
        /// Output format.
        #[arg(long, value_name = "FORMAT", default_value = "text",
              value_parser = clap::builder::PossibleValuesParser::new(crate::check::format::Format::NAMES))]
        format: String,
        /// Same as --format json: one JSON object per file, the check_code tool's result
        /// plus `file`.
        #[arg(long)]
        json: bool,
        /// Report findings that `# noqa` comments would silence.
        #[arg(long)]
        ignore_noqa: bool,
    },
    /// Check a skill folder (default: --skill-dir, else the skill built into this binary).
    Validate {
        /// The skill folder to check.
        #[arg(value_name = "DIR")]
        dir: Option<PathBuf>,
        /// Print the report (valid, problems with file and line) as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Copy the skill into an assistant's skills folder (same folders as the `skills` CLI).
    Install(InstallArgs),
    /// Remove what `install` wrote (files changed since are kept).
    Uninstall(AgentTarget),
    /// Print (or --write) this server's entry for an MCP host's configuration.
    McpConfig {
        /// claude-code, claude-desktop, cursor, vscode or codex.
        #[arg(long)]
        host: String,
        /// Merge it into the host's config file (backup kept, other entries untouched).
        #[arg(long)]
        write: bool,
        /// How the host starts the server: this binary's path, `async-patterns` on PATH,
        /// npx or uvx. Default: the bare name in project files (claude-code, vscode) when
        /// it is on PATH, else the path.
        #[arg(long, value_enum, conflicts_with = "url")]
        via: Option<ViaArg>,
        /// Point the host at a server already running with `serve --http` instead.
        #[arg(long, value_name = "URL")]
        url: Option<String>,
    },
    /// Write a static skill-registry site (`.well-known/...`) for any static file server.
    Pack {
        /// Folder to write; created if missing. Existing files of the site are replaced.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Print a shell completion script: `async-patterns completions bash >
    /// ~/.local/share/bash-completion/completions/async-patterns`.
    Completions {
        /// The shell to complete for.
        #[arg(value_enum, value_name = "SHELL")]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff): `async-patterns man > ~/.local/share/man/man1/async-patterns.1`.
    Man,
}

/// Which assistant's skills folder, shared by `install` and `uninstall`.
#[derive(ClapArgs)]
pub struct AgentTarget {
    /// claude-code, cursor, codex, opencode, github-copilot, vscode, gemini-cli, or all
    /// (every agent found in your home folder).
    #[arg(long, value_name = "AGENT")]
    pub agent: String,
    /// The agent's folder in your home directory.
    #[arg(long, short = 'g', conflicts_with = "project")]
    pub global: bool,
    /// The current project's folder (the default).
    #[arg(long)]
    pub project: bool,
}

#[derive(ClapArgs)]
pub struct InstallArgs {
    #[command(flatten)]
    pub target: AgentTarget,
    /// Replace a copy that was changed since it was installed.
    #[arg(long)]
    pub force: bool,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum ViaArg {
    Binary,
    Path,
    Npx,
    Uvx,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum EngineArg {
    Python,
    Native,
}

#[derive(ClapArgs)]
pub struct ServeArgs {
    /// Python interpreter for demos (default: python3 on PATH; also ASYNC_PATTERNS_PYTHON).
    #[arg(long, value_name = "PATH")]
    pub python: Option<PathBuf>,
    /// Log level for stderr (also RUST_LOG): error, warn, info, debug, trace.
    #[arg(long, default_value = "warn")]
    pub log_level: String,
    /// Largest accepted message in bytes; longer lines (or HTTP bodies) are refused.
    #[arg(long, default_value_t = 4 * 1024 * 1024)]
    pub max_message_bytes: usize,
    #[command(flatten)]
    pub http: HttpArgs,
    #[command(flatten)]
    pub sandbox: crate::demo::SandboxArgs,
}

/// Streamable HTTP instead of stdio (`serve --http 127.0.0.1:8000`).
#[derive(ClapArgs)]
#[command(next_help_heading = "HTTP")]
pub struct HttpArgs {
    /// Serve MCP over Streamable HTTP at http://ADDR/mcp (plus the skill's well-known
    /// registry files) instead of stdio. Port 0 picks a free port; the address is printed.
    #[arg(long, value_name = "ADDR")]
    pub http: Option<String>,
    /// Once listening, print the MCP URL (http://HOST:PORT/mcp) as one line on stdout, for
    /// scripts that bind port 0 (stderr carries it too, among the logs).
    #[arg(long, requires = "http")]
    pub print_url: bool,
    /// Require `Authorization: Bearer TOKEN` on /mcp.
    #[arg(
        long,
        env = "ASYNC_PATTERNS_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    pub token: Option<String>,
    /// Also accept requests from this browser origin, e.g. https://app.example.com
    /// (localhost, 127.0.0.1 and [::1] origins are always accepted). Repeatable.
    #[arg(long = "allow-origin", value_name = "ORIGIN")]
    pub allow_origin: Vec<String>,
    /// Also accept this Host name (DNS-rebinding protection allows loopback names and the
    /// bound address). Repeatable.
    #[arg(long = "allow-host", value_name = "HOST")]
    pub allow_host: Vec<String>,
    /// Bind a non-loopback address without --token (anyone who can reach it may call).
    #[arg(long)]
    pub allow_remote_without_token: bool,
    /// Most connections served at once; more wait in the listen queue.
    #[arg(long, default_value_t = 256, value_name = "N")]
    pub max_connections: usize,
    /// Most legacy (initialize-based) sessions kept at once.
    #[arg(long, default_value_t = 1024, value_name = "N")]
    pub max_sessions: usize,
    /// A legacy session unused for this long is forgotten.
    #[arg(long, default_value_t = 1800, value_name = "SECS")]
    pub session_idle_secs: u64,
    /// Deadline of one MCP request (demos have their own, shorter ones).
    #[arg(long, default_value_t = 120, value_name = "SECS")]
    pub request_timeout_secs: u64,
    /// A client must send a request's headers (or, idle, its next request) within this.
    #[arg(long, default_value_t = 10, value_name = "SECS")]
    pub header_timeout_secs: u64,
    /// A client must send a request's body within this.
    #[arg(long, default_value_t = 30, value_name = "SECS")]
    pub body_timeout_secs: u64,
    /// On SIGINT/SIGTERM, in-flight requests get this long to finish.
    #[arg(long, default_value_t = 10, value_name = "SECS")]
    pub shutdown_grace_secs: u64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    /// Every option and positional of every command, with the command path, that has no
    /// help text (`--help` would show a bare name).
    fn undocumented(cmd: &clap::Command, path: &str, found: &mut Vec<String>) {
        for arg in cmd.get_arguments() {
            let id = arg.get_id().as_str();
            if id == "help" || id == "version" {
                continue;
            }
            if arg.get_help().is_none() && arg.get_long_help().is_none() {
                found.push(format!("{path} {id}"));
            }
        }
        for sub in cmd.get_subcommands() {
            if sub.get_about().is_none() {
                found.push(format!("{path} {} (command)", sub.get_name()));
            }
            undocumented(sub, &format!("{path} {}", sub.get_name()), found);
        }
    }

    #[test]
    fn every_command_and_option_has_help() {
        let mut found = Vec::new();
        undocumented(&Cli::command(), "async-patterns", &mut found);
        assert!(found.is_empty(), "no help text: {found:#?}");
    }

    #[test]
    fn the_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
