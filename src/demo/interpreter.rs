//! Finds the CPython interpreter a demo runs on. Looked up on first use, never at
//! start-up: assistants spawn the server often and most sessions run no demo.
//!
//! Order: an explicit path (`--python` or `ASYNC_PATTERNS_PYTHON`), then for a requested
//! version `pythonX.Y` on PATH, pyenv's `~/.pyenv/versions/X.Y.*` and the private
//! install of `tests/skill/python314.sh`, else `python3` on PATH.

use crate::catalog::PyVersion;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

pub const PYTHON_ENV: &str = "ASYNC_PATTERNS_PYTHON";

/// Version, real executable, then the prefixes, one per line.
const PROBE: &str = "import sys; print('%d.%d.%d' % sys.version_info[:3]); print(sys.executable); \
    print('\\n'.join({sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}))";

#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct Interpreter {
    pub path: PathBuf,
    /// `major.minor.micro` as the interpreter reports it.
    pub version: String,
    /// Where its standard library and binaries live (`sys.prefix`, `sys.base_prefix`,
    /// ...): what a confined demo must still be able to read.
    #[serde(skip)]
    #[schemars(skip)]
    pub roots: Vec<PathBuf>,
}

impl Interpreter {
    pub fn minor_version(&self) -> Option<PyVersion> {
        self.version.parse().ok()
    }
}

#[derive(Debug, thiserror::Error)]
#[error("no Python interpreter found: looked for {looked_for}. Install CPython 3.9+ or point at one with `--python PATH` or the {PYTHON_ENV} environment variable; engine \"native\" runs without Python")]
pub struct NoInterpreter {
    pub looked_for: String,
}

pub struct Interpreters {
    explicit: Option<PathBuf>,
    /// Path -> reported version, so each interpreter is asked once per process.
    versions: Mutex<HashMap<PathBuf, Option<Interpreter>>>,
}

fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(executable_name(name)))
        .find(|candidate| is_executable(candidate))
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// Windows has no execute bit: a file is runnable by its `.exe` name.
#[cfg(windows)]
fn is_executable(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file())
}

/// What a command is called on disk: `python3` here, `python3.exe` on Windows.
fn executable_name(name: &str) -> String {
    format!("{name}{}", std::env::consts::EXE_SUFFIX)
}

fn pyenv_root() -> Option<PathBuf> {
    std::env::var_os("PYENV_ROOT")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".pyenv")))
}

/// pyenv installs for `version`, newest patch level first.
fn pyenv_candidates(version: PyVersion) -> Vec<PathBuf> {
    let Some(root) = pyenv_root() else {
        return Vec::new();
    };
    let Ok(dir) = std::fs::read_dir(root.join("versions")) else {
        return Vec::new();
    };
    let prefix = format!("{version}.");
    let mut found: Vec<(u32, PathBuf)> = dir
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let patch: u32 = name.strip_prefix(&prefix)?.parse().ok()?;
            let bin = e.path().join("bin").join("python");
            is_executable(&bin).then_some((patch, bin))
        })
        .collect();
    found.sort_by_key(|f| std::cmp::Reverse(f.0));
    found.into_iter().map(|(_, p)| p).collect()
}

/// The interpreter `tests/skill/python314.sh` unpacks into its cache (CPython 3.14 comes
/// from no system package here), so a demo can ask for it like any other version.
fn private_install(version: PyVersion) -> Option<PathBuf> {
    let cache = std::env::var_os("ASYNC_PATTERNS_CACHE")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("XDG_CACHE_HOME").map(|c| PathBuf::from(c).join("async-patterns"))
        })
        .or_else(|| {
            std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/async-patterns"))
        })?;
    let bin = cache.join(format!("python{version}/usr/bin/python{version}"));
    is_executable(&bin).then_some(bin)
}

impl Interpreters {
    pub fn new(explicit: Option<PathBuf>) -> Self {
        let explicit = explicit.or_else(|| std::env::var_os(PYTHON_ENV).map(PathBuf::from));
        Self {
            explicit,
            versions: Mutex::new(HashMap::new()),
        }
    }

    /// Asks `path` for its version and real executable (a pyenv shim or a symlink
    /// resolves to the interpreter itself, so demos start fast and without the shim's
    /// environment). Cached: each candidate is asked once per process.
    fn probe(&self, path: &Path) -> Option<Interpreter> {
        let mut cache = self.versions.lock().unwrap_or_else(|e| e.into_inner());
        cache
            .entry(path.to_path_buf())
            .or_insert_with(|| {
                let out = std::process::Command::new(path)
                    .args(["-I", "-c", PROBE])
                    .stdin(std::process::Stdio::null())
                    .stderr(std::process::Stdio::null())
                    .output()
                    .ok()?;
                if !out.status.success() {
                    return None;
                }
                let text = String::from_utf8_lossy(&out.stdout);
                let mut lines = text.lines();
                let version = lines.next()?.trim().to_string();
                let executable = lines
                    .next()
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map_or_else(|| path.to_path_buf(), PathBuf::from);
                let mut roots: Vec<PathBuf> = lines
                    .map(str::trim)
                    .map(PathBuf::from)
                    .filter(|p| p.is_absolute())
                    .collect();
                if let Some(dir) = executable.parent() {
                    roots.push(dir.to_path_buf());
                }
                roots.sort();
                roots.dedup();
                Some(Interpreter {
                    path: executable,
                    version,
                    roots,
                })
            })
            .clone()
    }

    /// The interpreter for `wanted` (any version when `None`).
    pub fn find(&self, wanted: Option<PyVersion>) -> Result<Interpreter, NoInterpreter> {
        let mut looked_for = Vec::new();
        let mut candidates: Vec<PathBuf> = Vec::new();
        if let Some(explicit) = &self.explicit {
            // The person named this interpreter: if it does not run, say so instead of
            // quietly running something else.
            if self.probe(explicit).is_none() {
                return Err(NoInterpreter {
                    looked_for: format!(
                        "{} (given with --python or {PYTHON_ENV}; it does not run or is not CPython)",
                        explicit.display()
                    ),
                });
            }
            looked_for.push(explicit.display().to_string());
            candidates.push(explicit.clone());
        }
        if let Some(v) = wanted {
            looked_for.push(format!("python{v} on PATH"));
            candidates.extend(on_path(&format!("python{v}")));
            looked_for.push(format!("pyenv versions {v}.*"));
            candidates.extend(pyenv_candidates(v));
            looked_for.push(format!("tests/skill/python314.sh's python{v}"));
            candidates.extend(private_install(v));
        } else {
            looked_for.push("python3 on PATH".into());
            candidates.extend(on_path("python3"));
            // The python.org installer for Windows names it plain `python.exe`.
            if cfg!(windows) {
                looked_for.push("python on PATH".into());
                candidates.extend(on_path("python"));
            }
        }
        for path in candidates {
            let Some(interpreter) = self.probe(&path) else {
                continue;
            };
            match wanted {
                Some(v) if interpreter.minor_version() != Some(v) => continue,
                _ => return Ok(interpreter),
            }
        }
        Err(NoInterpreter {
            looked_for: looked_for.join(", "),
        })
    }
}
