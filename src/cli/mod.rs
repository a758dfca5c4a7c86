//! The command line: argument parsing and printing only. Every command calls the same
//! service methods the MCP tools call, and `--json` prints exactly the tool's
//! `structuredContent`.
//!
//! - [`args`]: the clap definitions.
//! - [`serve`]: MCP over stdio or HTTP; [`run`]: one demo; [`check`]: the checker over
//!   files; [`query`]: printing the catalogue commands' answers; [`distribute`]: install,
//!   mcp-config, validate, pack.

mod args;
mod check;
mod distribute;
mod help_files;
mod lanes;
mod query;
mod run;
mod serve;
mod version;

pub use args::Cli;

use crate::catalog::{Catalog, Category};
use crate::demo::DemoRunner;
use crate::service::{ListFilter, SkillService};
use args::Command;
use clap::Parser;
use query::{check_search, report};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

/// How many threads a command's runtime gets.
#[derive(Clone, Copy)]
enum Threads {
    /// One: the stdio path is a single reader and writer, and avoiding cross-thread
    /// hand-offs per message is what keeps its latency low; a CLI demo needs no more.
    One,
    /// Every core: HTTP serves many clients at once.
    All,
}

/// The one place a command builds its tokio runtime.
fn runtime(threads: Threads) -> Result<tokio::runtime::Runtime, ExitCode> {
    let mut builder = match threads {
        Threads::One => tokio::runtime::Builder::new_current_thread(),
        Threads::All => tokio::runtime::Builder::new_multi_thread(),
    };
    builder
        .enable_all()
        .build()
        .map_err(|e| usage(&format!("cannot start the runtime: {e}")))
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
    let sandbox = match &cli.command {
        Command::Serve(args) => args.sandbox.options(args.http.http.as_deref()),
        Command::Run { sandbox, .. } => sandbox.options(None),
        _ => Default::default(),
    };
    let demos = DemoRunner::with_options(interpreter_path(&cli.command), sandbox);
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
    // Generated from the argument definitions alone: no catalogue needed.
    match &cli.command {
        Command::Completions { shell } => return help_files::completions(*shell),
        Command::Man => return help_files::man(),
        _ => {}
    }
    // Validation reports every problem of a folder, so it must not need a loadable one.
    if let Command::Validate { dir, json } = &cli.command {
        return match dir.clone().or_else(|| cli.skill_dir.clone()) {
            Some(dir) => distribute::validate(&dir, &dir.display().to_string(), *json),
            None => distribute::validate_embedded(*json),
        };
    }
    // Checking user code needs no catalogue: a broken --skill-dir must not stop it.
    if let Command::Check {
        files,
        for_python,
        format,
        json,
        ignore_noqa,
    } = &cli.command
    {
        let format = if *json { "json" } else { format.as_str() };
        return check::check_files(files, for_python.as_deref(), format, *ignore_noqa);
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
    let skill_dir = cli.skill_dir.clone();
    match cli.command {
        Command::Serve(args) => serve::serve(service, args),
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
            let filter = ListFilter {
                category,
                tag: tag.as_deref(),
                python: for_python.as_deref(),
            };
            report(service.list(&filter), json, |out| {
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
        Command::Show { id, json } => report(service.pattern(&id), json, |out| {
            println!("{}", out.markdown.trim_end());
            if let Some(demo) = &out.demo {
                print!("\n{}", query::demo_text(&out.id, demo));
            }
        }),
        Command::Snippet {
            id,
            for_python,
            json,
        } => {
            let snippet = service.snippet(&id, for_python.as_deref());
            report(snippet, json, |out| {
                eprintln!("# {} ({}; {})", out.id, out.pattern, out.chosen_because);
                print!("{}", out.code);
            })
        }
        Command::Search { query, limit, json } => {
            let query = query.join(" ");
            if let Err(e) = check_search(&query, limit) {
                return usage(&e);
            }
            report(Ok(service.search(&query, limit)), json, |out| {
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
        Command::Pack { out } => distribute::pack(&service, &out),
        Command::Validate { .. }
        | Command::Check { .. }
        | Command::Completions { .. }
        | Command::Man => {
            unreachable!("handled before loading")
        }
        Command::Install(args) => {
            distribute::install_command(&service, &args.target, args.force, false)
        }
        Command::McpConfig {
            host,
            write,
            via,
            url,
        } => distribute::mcp_config(&host, write, via, url, skill_dir.as_deref()),
        Command::Uninstall(target) => distribute::install_command(&service, &target, false, true),
        Command::Run {
            id,
            params,
            timeout_ms,
            engine,
            on_python,
            json,
            ..
        } => run::run_demo_command(service, id, params, timeout_ms, engine, on_python, json),
    }
}

fn parse_category(raw: &str) -> Result<Category, String> {
    serde_json::from_value(serde_json::Value::String(raw.to_string()))
        .map_err(|_| format!("unknown category `{raw}` (concept, pattern, pitfall)"))
}

fn usage(message: &str) -> ExitCode {
    eprintln!("async-patterns: {message}");
    ExitCode::from(2)
}
