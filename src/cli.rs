//! The command line: argument parsing and printing only. Every command calls the same
//! service functions the MCP tools call, and `--json` prints exactly the tool's
//! `structuredContent`.

use crate::catalog::{Catalog, Category};
use crate::demo::{DemoRunner, Engine, ProgressEvent};
use crate::mcp::tools::{
    get_pattern, get_snippet, list_patterns, run_demo, search_patterns, ToolFailure,
};
use crate::service::SkillService;
use clap::{Args as ClapArgs, Parser, Subcommand};
use serde::Serialize;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Parser)]
#[command(
    name = "async-patterns",
    version,
    about = "Async Python patterns as an Agent Skill, served over MCP"
)]
pub struct Cli {
    /// Serve or query this skill folder instead of the embedded one.
    #[arg(long, global = true, value_name = "PATH")]
    skill_dir: Option<PathBuf>,
    /// Process engine for Python demos: the platform's strongest (auto), or the portable
    /// one (session, rlimits, deadline, group kill) everywhere.
    #[arg(
        long,
        global = true,
        value_enum,
        default_value = "auto",
        env = "ASYNC_PATTERNS_SANDBOX"
    )]
    sandbox: crate::demo::platform::SandboxMode,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve MCP on stdin/stdout (what assistants spawn), or over HTTP with --http ADDR.
    Serve(ServeArgs),
    /// List the catalogue's entries.
    List {
        #[arg(long)]
        category: Option<String>,
        #[arg(long)]
        tag: Option<String>,
        /// Only entries that run on this Python, e.g. 3.10.
        #[arg(long = "python", value_name = "VERSION")]
        for_python: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Show one entry.
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Print a snippet's code.
    Snippet {
        id: String,
        /// Target Python version, e.g. 3.10: picks the variant that runs there.
        #[arg(long = "python", value_name = "VERSION")]
        for_python: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Search by problem or error message.
    Search {
        #[arg(required = true)]
        query: Vec<String>,
        #[arg(long, default_value_t = 5)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },
    /// Find async pitfalls in Python files (`-` reads stdin). Exit 1 when anything is
    /// found, 2 on an unreadable file or a syntax error, 0 when clean.
    Check {
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Target Python version, e.g. 3.10 (default: the newest).
        #[arg(long = "python", value_name = "VERSION")]
        for_python: Option<String>,
        /// One JSON object per file and line: the check_code tool's result plus `file`.
        #[arg(long)]
        json: bool,
    },
    /// Check a skill folder (default: the embedded skill's source, or --skill-dir).
    Validate {
        /// The skill folder to check.
        dir: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Copy the skill into an assistant's skills folder (same folders as the `skills` CLI).
    Install(InstallArgs),
    /// Remove what `install` wrote (files changed since are kept).
    Uninstall(InstallArgs),
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
    /// Run an entry's demo in the sandbox.
    Run {
        id: String,
        /// A demo parameter, `name=value` (repeatable).
        #[arg(long = "param", value_name = "NAME=VALUE")]
        params: Vec<String>,
        #[arg(long, default_value_t = crate::demo::DEFAULT_TIMEOUT_MS)]
        timeout_ms: u64,
        #[arg(long, value_enum, default_value = "python")]
        engine: EngineArg,
        /// Run on this installed CPython version, e.g. 3.12.
        /// A CPython version to run on (`3.12`), or an interpreter's path.
        #[arg(long = "python", value_name = "VERSION|PATH")]
        on_python: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(ClapArgs)]
struct InstallArgs {
    /// claude-code, cursor, codex, opencode, github-copilot, vscode, gemini-cli, or all
    /// (every agent found in your home folder).
    #[arg(long)]
    agent: String,
    /// Into the agent's folder in your home directory.
    #[arg(long, short = 'g', conflicts_with = "project")]
    global: bool,
    /// Into the current project (the default).
    #[arg(long)]
    project: bool,
    /// Replace a copy that was changed (install only).
    #[arg(long)]
    force: bool,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ViaArg {
    Binary,
    Path,
    Npx,
    Uvx,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum EngineArg {
    Python,
    Native,
}

#[derive(ClapArgs)]
struct ServeArgs {
    /// Python interpreter for demos (default: python3 on PATH; also ASYNC_PATTERNS_PYTHON).
    #[arg(long, value_name = "PATH")]
    python: Option<PathBuf>,
    /// Log level for stderr (also RUST_LOG): error, warn, info, debug, trace.
    #[arg(long, default_value = "warn")]
    log_level: String,
    /// Largest accepted message in bytes; longer lines (or HTTP bodies) are refused.
    #[arg(long, default_value_t = 4 * 1024 * 1024)]
    max_message_bytes: usize,
    #[command(flatten)]
    http: HttpArgs,
}

/// Streamable HTTP instead of stdio (`serve --http 127.0.0.1:8000`).
#[derive(ClapArgs)]
#[command(next_help_heading = "HTTP")]
struct HttpArgs {
    /// Serve MCP over Streamable HTTP at http://ADDR/mcp (plus the skill's well-known
    /// registry files) instead of stdio. Port 0 picks a free port; the address is printed.
    #[arg(long, value_name = "ADDR")]
    http: Option<String>,
    /// Require `Authorization: Bearer TOKEN` on /mcp.
    #[arg(
        long,
        env = "ASYNC_PATTERNS_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    token: Option<String>,
    /// Also accept requests from this browser origin, e.g. https://app.example.com
    /// (localhost, 127.0.0.1 and [::1] origins are always accepted). Repeatable.
    #[arg(long = "allow-origin", value_name = "ORIGIN")]
    allow_origin: Vec<String>,
    /// Also accept this Host name (DNS-rebinding protection allows loopback names and the
    /// bound address). Repeatable.
    #[arg(long = "allow-host", value_name = "HOST")]
    allow_host: Vec<String>,
    /// Bind a non-loopback address without --token (anyone who can reach it may call).
    #[arg(long)]
    allow_remote_without_token: bool,
    /// Most connections served at once; more wait in the listen queue.
    #[arg(long, default_value_t = 256, value_name = "N")]
    max_connections: usize,
    /// Most legacy (initialize-based) sessions kept at once.
    #[arg(long, default_value_t = 1024, value_name = "N")]
    max_sessions: usize,
    /// A legacy session unused for this long is forgotten.
    #[arg(long, default_value_t = 1800, value_name = "SECS")]
    session_idle_secs: u64,
    /// Deadline of one MCP request (demos have their own, shorter ones).
    #[arg(long, default_value_t = 120, value_name = "SECS")]
    request_timeout_secs: u64,
    /// A client must send a request's headers (or, idle, its next request) within this.
    #[arg(long, default_value_t = 10, value_name = "SECS")]
    header_timeout_secs: u64,
    /// A client must send a request's body within this.
    #[arg(long, default_value_t = 30, value_name = "SECS")]
    body_timeout_secs: u64,
    /// On SIGINT/SIGTERM, in-flight requests get this long to finish.
    #[arg(long, default_value_t = 10, value_name = "SECS")]
    shutdown_grace_secs: u64,
}

fn init_tracing(level: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init();
}

fn load(cli: &Cli) -> Result<SkillService, String> {
    let demos = DemoRunner::new(interpreter_path(&cli.command)).with_sandbox(cli.sandbox);
    let catalog = match &cli.skill_dir {
        // A folder given by hand is checked before serving: its errors belong at start-up.
        Some(dir) => Catalog::from_dir(dir)
            .map(crate::catalog::LazyCatalog::ready)
            .map_err(|e| format!("invalid skill content: {e}"))?,
        None => crate::catalog::LazyCatalog::embedded_in_background(),
    };
    Ok(SkillService::with_catalog(catalog, demos))
}

/// `--python` names an interpreter for `serve`, and for `run` when it is a path rather
/// than a version like `3.12`.
fn interpreter_path(command: &Command) -> Option<PathBuf> {
    match command {
        Command::Serve(args) => args.python.clone(),
        Command::Run {
            on_python: Some(raw),
            ..
        } if raw.parse::<crate::catalog::PyVersion>().is_err() => Some(PathBuf::from(raw)),
        _ => None,
    }
}

/// Stdio serving has one runtime thread plus the short-lived thread that parses the
/// catalogue; glibc would give that thread an arena of its own and keep it for the life
/// of the process. One shared arena keeps the resident size near what one thread needs.
fn one_malloc_arena() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only adjusts allocator tuning; called before any other thread runs.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
    }
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    // Validation reports every problem of a folder, so it must not need a loadable one.
    if let Command::Validate { dir, json } = &cli.command {
        let dir = dir
            .clone()
            .or_else(|| cli.skill_dir.clone())
            .unwrap_or_else(|| PathBuf::from("skill/async-python-patterns"));
        return validate(&dir, *json);
    }
    // Checking user code needs no catalogue: a broken --skill-dir must not stop it.
    if let Command::Check {
        files,
        for_python,
        json,
    } = &cli.command
    {
        return check_files(files, for_python.as_deref(), *json);
    }
    if matches!(&cli.command, Command::Serve(args) if args.http.http.is_none()) {
        one_malloc_arena();
    }
    let service = match load(&cli) {
        Ok(service) => Arc::new(service),
        Err(message) => {
            eprintln!("async-patterns: {message}");
            return ExitCode::from(2);
        }
    };
    match cli.command {
        Command::Serve(args) => serve(service, args),
        Command::List {
            category,
            tag,
            for_python,
            json,
        } => {
            let category = match category.as_deref().map(parse_category).transpose() {
                Ok(c) => c,
                Err(e) => return usage(&e),
            };
            let args = list_patterns::Args {
                category,
                tag,
                python: for_python,
            };
            report(list_patterns::run(&service, args), json, |out| {
                for p in &out.patterns {
                    println!(
                        "{:<24} {:<8} {:<5} {:<4} {}",
                        p.id,
                        p.category.as_str(),
                        p.min_python,
                        if p.has_demo { "demo" } else { "" },
                        p.title
                    );
                }
                eprintln!("{} entries", out.patterns.len());
            })
        }
        Command::Show { id, json } => report(
            get_pattern::run(&service, get_pattern::Args { id }),
            json,
            |out| {
                println!("{}", out.markdown.trim_end());
            },
        ),
        Command::Snippet {
            id,
            for_python,
            json,
        } => {
            let args = get_snippet::Args {
                id,
                python: for_python,
            };
            report(get_snippet::run(&service, args), json, |out| {
                eprintln!("# {} ({}; {})", out.id, out.pattern, out.chosen_because);
                print!("{}", out.code);
            })
        }
        Command::Search { query, limit, json } => {
            let args = search_patterns::Args {
                query: query.join(" "),
                limit: Some(limit),
            };
            if let Err(e) = args.validate() {
                return usage(&e.to_string());
            }
            report(search_patterns::run(&service, args), json, |out| {
                if out.hits.is_empty() {
                    eprintln!("no match; try other words or `async-patterns list`");
                }
                for hit in &out.hits {
                    println!(
                        "{:<24} {:>7.3}  {}  [{}]",
                        hit.id, hit.score, hit.title, hit.reason
                    );
                }
            })
        }
        Command::Pack { out } => pack(&service, &out),
        Command::Validate { .. } | Command::Check { .. } => {
            unreachable!("handled before loading")
        }
        Command::Install(args) => install_command(&service, &args, false),
        Command::McpConfig {
            host,
            write,
            via,
            url,
        } => mcp_config(&host, write, via, url),
        Command::Uninstall(args) => install_command(&service, &args, true),
        Command::Run {
            id,
            params,
            timeout_ms,
            engine,
            on_python,
            json,
        } => run_demo_command(service, id, params, timeout_ms, engine, on_python, json),
    }
}

/// Reads one input of `check`; `-` is standard input.
fn read_source(path: &std::path::Path) -> Result<String, String> {
    use std::io::Read;
    let mut bytes = Vec::new();
    let read = if path.as_os_str() == "-" {
        std::io::stdin().lock().read_to_end(&mut bytes).map(|_| ())
    } else {
        std::fs::File::open(path).and_then(|mut f| f.read_to_end(&mut bytes).map(|_| ()))
    };
    read.map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_string())
}

fn check_files(files: &[PathBuf], python: Option<&str>, json: bool) -> ExitCode {
    use crate::check::CheckError;
    let python = match python
        .map(str::parse::<crate::catalog::PyVersion>)
        .transpose()
    {
        Ok(python) => python,
        Err(e) => return usage(&e.to_string()),
    };
    let (mut failed, mut found) = (0usize, 0usize);
    for path in files {
        let label = if path.as_os_str() == "-" {
            "<stdin>".to_string()
        } else {
            path.display().to_string()
        };
        let result = read_source(path).map_err(|e| (None, e)).and_then(|code| {
            crate::check::check(&code, python).map_err(|e| match &e {
                CheckError::Syntax {
                    line,
                    column,
                    message,
                } => (Some((*line, *column)), format!("syntax error: {message}")),
                _ => (None, e.to_string()),
            })
        });
        match result {
            Ok(report) => {
                found += report.findings.len();
                if json {
                    let mut value = serde_json::to_value(&report).unwrap_or_default();
                    value["file"] = serde_json::Value::String(label);
                    println!("{value}");
                    continue;
                }
                for f in &report.findings {
                    println!(
                        "{label}:{}:{}: {} [{}] {} (pattern: {})",
                        f.line,
                        f.column,
                        f.rule,
                        f.severity.as_str(),
                        f.message,
                        f.pattern
                    );
                }
                if report.truncated {
                    eprintln!(
                        "{label}: more findings than the {} listed",
                        report.findings.len()
                    );
                }
            }
            Err((position, message)) => {
                failed += 1;
                if json {
                    let (line, column) = position.unzip();
                    println!(
                        "{}",
                        serde_json::json!({
                            "file": label,
                            "error": {"message": message, "line": line, "column": column},
                        })
                    );
                } else {
                    match position {
                        Some((line, column)) => eprintln!("{label}:{line}:{column}: {message}"),
                        None => eprintln!("async-patterns: {label}: {message}"),
                    }
                }
            }
        }
    }
    if !json {
        let checked = files.len() - failed;
        eprintln!(
            "{found} finding{} in {checked} file{}{}",
            if found == 1 { "" } else { "s" },
            if checked == 1 { "" } else { "s" },
            if failed > 0 {
                format!("; {failed} could not be checked")
            } else {
                String::new()
            }
        );
    }
    if failed > 0 {
        ExitCode::from(2)
    } else if found > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn mcp_config(host: &str, write: bool, via: Option<ViaArg>, url: Option<String>) -> ExitCode {
    use crate::mcp_config::Launch;
    let binary = std::env::current_exe()
        .and_then(std::fs::canonicalize)
        .unwrap_or_else(|_| PathBuf::from(crate::mcp_config::COMMAND));
    let launch = match (url, via) {
        (Some(url), _) if url.starts_with("http://") || url.starts_with("https://") => {
            Launch::Url(url)
        }
        (Some(url), _) => return usage(&format!("--url must be an http(s) URL, not `{url}`")),
        (None, Some(ViaArg::Binary)) => Launch::Binary(binary),
        (None, Some(ViaArg::Path)) => Launch::OnPath,
        (None, Some(ViaArg::Npx)) => Launch::Npx,
        (None, Some(ViaArg::Uvx)) => Launch::Uvx,
        (None, None) => {
            crate::mcp_config::default_launch(host, &binary, std::env::var_os("PATH").as_deref())
        }
    };
    if !write {
        return match crate::mcp_config::snippet(host, &launch) {
            Ok(text) => {
                println!("{}", text.trim_end());
                if host == "claude-code" {
                    match (&launch, launch.command()) {
                        (Launch::Url(url), _) => {
                            eprintln!("or: claude mcp add --transport http async-patterns {url}")
                        }
                        (_, Some((command, args))) => eprintln!(
                            "or: claude mcp add async-patterns -- {command} {}",
                            args.join(" ")
                        ),
                        (_, None) => {}
                    }
                }
                ExitCode::SUCCESS
            }
            Err(e) => usage(&e.to_string()),
        };
    }
    let home = std::env::var_os("HOME")
        .or_else(|| std::env::var_os("USERPROFILE"))
        .map(PathBuf::from)
        .unwrap_or_default();
    let project = std::env::current_dir().unwrap_or_default();
    match crate::mcp_config::write(host, &launch, &home, &project) {
        Ok((path, backup)) => {
            eprintln!(
                "wrote {}{}",
                path.display(),
                backup
                    .map(|b| format!(" (previous version: {})", b.display()))
                    .unwrap_or_default()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("async-patterns: {e}");
            ExitCode::from(1)
        }
    }
}

fn install_command(service: &SkillService, args: &InstallArgs, remove: bool) -> ExitCode {
    use crate::install::{self, Installed, Scope};
    let scope = if args.global {
        Scope::Global
    } else {
        Scope::Project
    };
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    let project = std::env::current_dir().unwrap_or_default();
    let catalog = &service.catalog;
    let targets = match install::targets(&args.agent, scope, &home, &project, &catalog.name) {
        Ok(t) => t,
        Err(e) => return usage(&e.to_string()),
    };
    let mut failed = false;
    for (base, target) in targets {
        if remove {
            match install::uninstall(catalog, &base, &target) {
                Ok(kept) if kept.is_empty() => eprintln!("removed {}", target.display()),
                Ok(kept) => eprintln!(
                    "removed {}; kept changed files: {}",
                    target.display(),
                    kept.join(", ")
                ),
                Err(e) => {
                    eprintln!("async-patterns: {e}");
                    failed = true;
                }
            }
        } else {
            match install::install(catalog, &base, &target, args.force) {
                Ok(Installed::Written) => eprintln!("installed {}", target.display()),
                Ok(Installed::Replaced) => eprintln!("replaced {}", target.display()),
                Ok(Installed::UpToDate) => eprintln!("up to date: {}", target.display()),
                Err(e) => {
                    eprintln!("async-patterns: {e}");
                    failed = true;
                }
            }
        }
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn validate(dir: &std::path::Path, json: bool) -> ExitCode {
    let report = crate::validate::validate(dir);
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        );
    } else {
        for p in &report.problems {
            match p.line {
                Some(line) => eprintln!("{}/{}:{line}: {}", dir.display(), p.file, p.message),
                None => eprintln!("{}/{}: {}", dir.display(), p.file, p.message),
            }
        }
        if report.valid {
            eprintln!("valid skill: {}", dir.display());
        }
    }
    if report.valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn pack(service: &SkillService, out: &std::path::Path) -> ExitCode {
    let files = match crate::registry::site(&service.catalog) {
        Ok(files) => files,
        Err(e) => return usage(&format!("cannot build the archive: {e}")),
    };
    for (path, bytes) in &files {
        let target = out.join(path);
        let written = target
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&target, bytes));
        if let Err(e) = written {
            return usage(&format!("cannot write {}: {e}", target.display()));
        }
    }
    eprintln!(
        "wrote {} files under {}; serve that folder and run `npx skills add http://HOST:PORT`",
        files.len(),
        out.join(".well-known").display()
    );
    ExitCode::SUCCESS
}

fn parse_category(raw: &str) -> Result<Category, String> {
    serde_json::from_value(serde_json::Value::String(raw.to_string()))
        .map_err(|_| format!("unknown category `{raw}` (concept, pattern, pitfall)"))
}

fn usage(message: &str) -> ExitCode {
    eprintln!("async-patterns: {message}");
    ExitCode::from(2)
}

/// Prints a tool result: JSON for scripts, text for people. A tool failure exits 1.
fn report<T: Serialize>(
    result: Result<T, ToolFailure>,
    json: bool,
    human: impl FnOnce(&T),
) -> ExitCode {
    match result {
        Ok(out) if json => {
            println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
            ExitCode::SUCCESS
        }
        Ok(out) => {
            human(&out);
            ExitCode::SUCCESS
        }
        Err(failure) => {
            if json {
                if let Some(structured) = &failure.structured {
                    println!(
                        "{}",
                        serde_json::to_string_pretty(structured).unwrap_or_default()
                    );
                }
            }
            eprintln!(
                "async-patterns: {}",
                failure.message.lines().next().unwrap_or_default()
            );
            ExitCode::from(1)
        }
    }
}

fn parse_param(raw: &str) -> Result<(String, serde_json::Value), String> {
    let (name, value) = raw
        .split_once('=')
        .ok_or_else(|| format!("--param `{raw}` must look like name=value"))?;
    // Numbers and booleans as JSON; anything else is a string.
    let value = serde_json::from_str(value)
        .unwrap_or_else(|_| serde_json::Value::String(value.to_string()));
    Ok((name.to_string(), value))
}

fn run_demo_command(
    service: Arc<SkillService>,
    id: String,
    params: Vec<String>,
    timeout_ms: u64,
    engine: EngineArg,
    on_python: Option<String>,
    json: bool,
) -> ExitCode {
    let mut map = serde_json::Map::new();
    for raw in &params {
        match parse_param(raw) {
            Ok((k, v)) => {
                map.insert(k, v);
            }
            Err(e) => return usage(&e),
        }
    }
    let args = run_demo::Args {
        id,
        params: Some(map),
        timeout_ms: Some(timeout_ms),
        engine: Some(match engine {
            EngineArg::Python => Engine::Python,
            EngineArg::Native => Engine::Native,
        }),
        // A path was already handed to the runner as its interpreter.
        python: on_python.filter(|raw| raw.parse::<crate::catalog::PyVersion>().is_ok()),
    };
    if let Err(e) = args.validate() {
        return usage(&e.to_string());
    }
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return usage(&format!("cannot start the runtime: {e}")),
    };
    let result = runtime.block_on(async {
        let request = run_demo::request(args)?;
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<ProgressEvent>();
        let spinner = std::io::stderr().is_terminal().then(|| {
            let bar = indicatif::ProgressBar::new_spinner();
            bar.enable_steady_tick(std::time::Duration::from_millis(80));
            bar.set_message(format!("running demo `{}`", request.id));
            bar
        });
        let cancel = tokio_util::sync::CancellationToken::new();
        let run = service
            .demos
            .run(&service.catalog, request, Some(tx), cancel);
        tokio::pin!(run);
        let result = loop {
            tokio::select! {
                result = &mut run => break result,
                Some(event) = rx.recv() => {
                    if let (Some(bar), Some(message)) = (&spinner, event.message) {
                        bar.set_message(message);
                    }
                }
            }
        };
        if let Some(bar) = spinner {
            bar.finish_and_clear();
        }
        run_demo::outcome(&service, result)
    });
    report(result, json, |report| {
        print!("{}", report.stdout);
        if !report.stderr.trim().is_empty() {
            eprint!("{}", report.stderr);
        }
        eprintln!(
            "demo `{}` ({:?}) finished in {} ms{}",
            report.id,
            report.engine,
            report.duration_ms,
            report
                .interpreter
                .as_ref()
                .map(|i| format!(" on Python {}", i.version))
                .unwrap_or_default()
        );
    })
}

const TERMINAL_HINT: &str =
    "async-patterns: serving MCP on stdin/stdout (newline-delimited JSON-RPC).
It is waiting for an MCP client; you are typing into the protocol stream.
Try instead:
  async-patterns list                 browse the catalogue
  async-patterns search \"limit concurrent requests\"
  claude mcp add async-patterns -- async-patterns serve     add it to Claude Code
Press Ctrl-D to quit.";

fn serve(service: Arc<SkillService>, args: ServeArgs) -> ExitCode {
    init_tracing(&args.log_level);
    if args.http.http.is_some() {
        return serve_http(service, args);
    }
    if std::io::stdin().is_terminal() {
        eprintln!("{TERMINAL_HINT}");
    }
    // One thread: the stdio path is a single reader and writer, and avoiding cross-thread
    // hand-offs per message is what keeps latency low.
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return usage(&format!("cannot start the runtime: {e}")),
    };
    let dispatcher = Arc::new(crate::mcp::dispatch::Dispatcher::new(crate::mcp::methods(
        service,
    )));
    let config = crate::transport::stdio::StdioConfig {
        max_message_bytes: args.max_message_bytes,
    };
    #[cfg(unix)]
    runtime.block_on(async move {
        use crate::transport::pipe::{poll_fd, PipeReader, PipeWriter};
        use crate::transport::stdio::serve;
        let input: Box<dyn tokio::io::AsyncRead + Unpin> = match poll_fd(0) {
            Some(fd) => Box::new(PipeReader::new(fd)),
            None => Box::new(tokio::io::stdin()),
        };
        let shutdown = crate::transport::shutdown_signal();
        match poll_fd(1) {
            Some(fd) => serve(dispatcher, input, PipeWriter(fd), config, shutdown).await,
            None => serve(dispatcher, input, tokio::io::stdout(), config, shutdown).await,
        }
    });
    // Elsewhere tokio's own handles (a blocking thread per read): correct, just slower.
    #[cfg(not(unix))]
    runtime.block_on(crate::transport::stdio::serve(
        dispatcher,
        tokio::io::stdin(),
        tokio::io::stdout(),
        config,
        crate::transport::shutdown_signal(),
    ));
    ExitCode::SUCCESS
}

fn serve_http(service: Arc<SkillService>, args: ServeArgs) -> ExitCode {
    use crate::transport::http::{self, HttpConfig};
    use std::time::Duration;
    let h = args.http;
    let addr = match http::parse_addr(h.http.as_deref().unwrap_or_default()) {
        Ok(addr) => addr,
        Err(e) => return usage(&e),
    };
    let config = HttpConfig {
        addr,
        token: h.token.filter(|t| !t.is_empty()),
        allow_origins: h.allow_origin,
        allow_hosts: h.allow_host,
        allow_remote_without_token: h.allow_remote_without_token,
        max_body_bytes: args.max_message_bytes,
        max_connections: h.max_connections.max(1),
        max_sessions: h.max_sessions.max(1),
        session_idle: Duration::from_secs(h.session_idle_secs),
        request_timeout: Duration::from_secs(h.request_timeout_secs.max(1)),
        header_timeout: Duration::from_secs(h.header_timeout_secs.max(1)),
        body_timeout: Duration::from_secs(h.body_timeout_secs.max(1)),
        shutdown_grace: Duration::from_secs(h.shutdown_grace_secs),
    };
    if let Err(e) = config.check() {
        return usage(&e);
    }
    // Many clients at once: use every core (stdio keeps its single thread).
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return usage(&format!("cannot start the runtime: {e}")),
    };
    let dispatcher = Arc::new(crate::mcp::dispatch::Dispatcher::new(crate::mcp::methods(
        service.clone(),
    )));
    match runtime.block_on(http::serve(dispatcher, service, config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("async-patterns: {e}");
            ExitCode::from(1)
        }
    }
}
