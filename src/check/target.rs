//! The Python a file is written for, read as ruff reads it: the nearest `pyproject.toml`
//! above the file, its `project.requires-python` (or Poetry's `python` dependency), and
//! the oldest CPython that range allows. A project that still supports 3.9 gets no
//! advice that needs 3.11.

use super::{NEWEST_PYTHON, OLDEST_PYTHON};
use crate::catalog::PyVersion;
use pep440_rs::{Version, VersionSpecifiers};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// Looks up and remembers each folder's answer, so a tree of files reads each
/// `pyproject.toml` once.
#[derive(Default)]
pub struct Targets {
    by_folder: HashMap<PathBuf, Option<PyVersion>>,
}

impl Targets {
    /// The target for `file` from the nearest `pyproject.toml` that states one.
    pub fn for_file(&mut self, file: &Path) -> Option<PyVersion> {
        let absolute = std::path::absolute(file).ok()?;
        let mut folders = Vec::new();
        let mut found = None;
        for folder in absolute.ancestors().skip(1) {
            if let Some(known) = self.by_folder.get(folder) {
                found = *known;
                break;
            }
            folders.push(folder.to_path_buf());
            let pyproject = folder.join("pyproject.toml");
            if let Ok(text) = std::fs::read_to_string(&pyproject) {
                if let Some(version) = requires_python(&text) {
                    found = Some(version);
                    break;
                }
            }
        }
        for folder in folders {
            self.by_folder.insert(folder, found);
        }
        found
    }
}

/// The oldest CPython minor version a `pyproject.toml` allows, clamped to what the
/// rules know; `None` when it states no range or one we cannot read.
pub fn requires_python(pyproject: &str) -> Option<PyVersion> {
    let doc = pyproject.parse::<toml_edit::DocumentMut>().ok()?;
    let declared = doc
        .get("project")
        .and_then(|p| p.get("requires-python"))
        .and_then(|v| v.as_str())
        .map(str::to_string)
        .or_else(|| {
            let poetry = doc
                .get("tool")?
                .get("poetry")?
                .get("dependencies")?
                .get("python")?
                .as_str()?;
            Some(poetry_to_pep440(poetry))
        })?;
    let specifiers = VersionSpecifiers::from_str(declared.trim()).ok()?;
    // The first minor version with any release the range admits.
    let allows = |minor: u16| {
        (0..=30u64).any(|patch| {
            let version = Version::new([3, u64::from(minor), patch]);
            specifiers.contains(&version)
        })
    };
    let oldest = (0..=NEWEST_PYTHON.minor).find(|&m| allows(m))?;
    Some(PyVersion::new(3, oldest).max(OLDEST_PYTHON))
}

/// Poetry's `^3.9` and `~3.9` are not PEP 440; both mean "from 3.9".
fn poetry_to_pep440(spec: &str) -> String {
    spec.split(',')
        .map(|part| {
            let part = part.trim();
            match part.strip_prefix('^').or_else(|| part.strip_prefix('~')) {
                Some(rest) if !rest.starts_with('=') => format!(">={rest}"),
                _ => part.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requires_python_gives_the_oldest_allowed_minor() {
        let read = |s: &str| requires_python(s).map(|v| v.to_string());
        assert_eq!(
            read("[project]\nrequires-python = \">=3.10\"\n").as_deref(),
            Some("3.10")
        );
        assert_eq!(
            read("[project]\nrequires-python = \">=3.9.2,<4\"\n").as_deref(),
            Some("3.9")
        );
        assert_eq!(
            read("[project]\nrequires-python = \"~=3.11\"\n").as_deref(),
            Some("3.11")
        );
        assert_eq!(
            read("[project]\nrequires-python = \">=3.6\"\n").as_deref(),
            Some("3.8")
        );
        assert_eq!(
            read("[tool.poetry.dependencies]\npython = \"^3.12\"\n").as_deref(),
            Some("3.12")
        );
        assert_eq!(read("[project]\nname = \"x\"\n"), None);
        assert_eq!(read("not toml ["), None);
    }
}
