//! Skill fixtures are stored with their `SKILL.md` named `SKILL.md.fixture`, so that skill
//! installers scanning the repository (`npx skills add <repo>`) find only the real skill,
//! never the hostile or broken test skills. Tests get a copy with the real name, made
//! once per process in the temp folder.
//!
//! Shared by the integration tests and the library's unit tests (`#[path]`), so it uses
//! std only.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

/// The name a fixture's `SKILL.md` has in the repository.
pub const STORED_NAME: &str = "SKILL.md.fixture";

const DIR_PREFIX: &str = "async-patterns-fixtures-";

/// `tests/fixtures/<name>` as tests need it: the stored folder itself when it holds no
/// skill, else a copy in which every `SKILL.md.fixture` is a `SKILL.md`.
pub fn fixture(name: &str) -> PathBuf {
    let stored = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    if !holds_skill(&stored) {
        return stored;
    }
    static MADE: OnceLock<Mutex<HashMap<String, PathBuf>>> = OnceLock::new();
    let mut made = MADE
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    made.entry(name.to_string())
        .or_insert_with(|| {
            static ROOT: OnceLock<PathBuf> = OnceLock::new();
            let copy = ROOT.get_or_init(process_dir).join(name);
            copy_tree(&stored, &copy)
                .unwrap_or_else(|e| panic!("writing fixture {name} to {}: {e}", copy.display()));
            copy
        })
        .clone()
}

fn holds_skill(dir: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries.flatten().any(|e| {
        let path = e.path();
        e.file_name() == STORED_NAME || (path.is_dir() && holds_skill(&path))
    })
}

/// This process's folder for fixture copies; folders of processes that are gone are
/// removed first, so runs do not pile up copies.
fn process_dir() -> PathBuf {
    let tmp = std::env::temp_dir();
    if let Ok(entries) = std::fs::read_dir(&tmp) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(pid) = name.strip_prefix(DIR_PREFIX) else {
                continue;
            };
            if !Path::new("/proc").join(pid).exists() {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
    let dir = tmp.join(format!("{DIR_PREFIX}{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        let name = entry.file_name();
        let target = if name == STORED_NAME {
            to.join("SKILL.md")
        } else {
            to.join(&name)
        };
        if kind.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else if kind.is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(entry.path())?, &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}
