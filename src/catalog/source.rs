//! Where the skill's bytes come from: embedded in the binary (the default, so start-up
//! reads no files) or a folder given with `--skill-dir`.

use super::CatalogError;
use include_dir::{include_dir, Dir};
use std::borrow::Cow;
use std::io::Read;
use std::path::Path;

static EMBEDDED: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/skill/async-python-patterns");

/// The embedded skill's folder name, which is also its `name`.
pub const EMBEDDED_NAME: &str = "async-python-patterns";

/// The Skills extension's per-skill limits; a folder beyond them is refused at start-up.
pub const MAX_FILES: usize = 512;
pub const MAX_BYTES: usize = 16 * 1024 * 1024;

/// A file of the skill: its path relative to the skill root (always `/`-separated) and bytes.
pub struct RawFile {
    pub path: String,
    pub bytes: Cow<'static, [u8]>,
}

/// The skill's folder name and all its files, sorted by path.
pub struct RawSkill {
    pub folder: String,
    pub files: Vec<RawFile>,
}

fn skipped(name: &str) -> bool {
    name.starts_with('.') || name == "__pycache__"
}

pub fn embedded() -> RawSkill {
    fn walk(dir: &'static Dir<'static>, out: &mut Vec<RawFile>) {
        for file in dir.files() {
            let path = file.path().to_string_lossy().replace('\\', "/");
            if path.split('/').any(skipped) {
                continue;
            }
            out.push(RawFile {
                path,
                bytes: Cow::Borrowed(file.contents()),
            });
        }
        for sub in dir.dirs() {
            walk(sub, out);
        }
    }
    let mut files = Vec::new();
    walk(&EMBEDDED, &mut files);
    files.sort_by(|a, b| a.path.cmp(&b.path));
    RawSkill {
        folder: EMBEDDED_NAME.to_string(),
        files,
    }
}

/// Whether an open file has more than one name.
fn hard_linked(file: &std::fs::File) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        file.metadata().is_ok_and(|m| m.nlink() > 1)
    }
    #[cfg(not(unix))]
    {
        let _ = file;
        false
    }
}

pub fn from_dir(root: &Path) -> Result<RawSkill, CatalogError> {
    let shown = root.display().to_string();
    let io =
        |e: std::io::Error, what: &str| CatalogError::new(&shown, None, format!("{what}: {e}"));
    let meta = std::fs::metadata(root).map_err(|e| io(e, "cannot read the skill folder"))?;
    if !meta.is_dir() {
        return Err(CatalogError::new(&shown, None, "not a folder"));
    }
    let canonical = std::fs::canonicalize(root).map_err(|e| io(e, "cannot resolve the folder"))?;
    let folder = canonical
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut files = Vec::new();
    let mut total = 0usize;
    let mut stack = vec![(canonical.clone(), String::new())];
    while let Some((dir, prefix)) = stack.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| io(e, "cannot list a folder"))?;
        for entry in entries {
            let entry = entry.map_err(|e| io(e, "cannot list a folder"))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if skipped(&name) {
                continue;
            }
            let rel = if prefix.is_empty() {
                name.clone()
            } else {
                format!("{prefix}/{name}")
            };
            // Symlinks are not followed: they could point anywhere on the machine.
            let kind = entry.file_type().map_err(|e| io(e, "cannot stat a file"))?;
            if kind.is_symlink() {
                return Err(CatalogError::new(
                    rel,
                    None,
                    "symbolic links are not served",
                ));
            }
            if kind.is_dir() {
                stack.push((entry.path(), rel));
            } else if kind.is_file() {
                // Read at most what is left of the budget (plus one byte to notice the
                // excess): a huge or still-growing file cannot balloon start-up memory.
                let budget = (MAX_BYTES - total) as u64 + 1;
                let mut bytes = Vec::new();
                let file = std::fs::File::open(entry.path())
                    .map_err(|e| CatalogError::new(&rel, None, format!("cannot read: {e}")))?;
                // A hard link is another name for a file that may live anywhere on the
                // same file system (a key, a token): refused like a symlink. Checked on
                // the opened file, so a swap after the listing cannot slip one in.
                if hard_linked(&file) {
                    return Err(CatalogError::new(
                        rel,
                        None,
                        "hard links are not served (the file has other names)",
                    ));
                }
                file.take(budget)
                    .read_to_end(&mut bytes)
                    .map_err(|e| CatalogError::new(&rel, None, format!("cannot read: {e}")))?;
                total += bytes.len();
                files.push(RawFile {
                    path: rel,
                    bytes: Cow::Owned(bytes),
                });
                if files.len() > MAX_FILES || total > MAX_BYTES {
                    return Err(CatalogError::new(
                        &shown,
                        None,
                        format!("a skill holds at most {MAX_FILES} files and {MAX_BYTES} bytes"),
                    ));
                }
            } else {
                // A FIFO would block start-up forever; a socket or device is no skill file.
                return Err(CatalogError::new(
                    rel,
                    None,
                    "not a regular file (a pipe, socket or device)",
                ));
            }
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(RawSkill { folder, files })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hard_links_in_a_skill_folder_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let skill = tmp.path().join("linked-skill");
        std::fs::create_dir_all(&skill).unwrap();
        std::fs::write(skill.join("SKILL.md"), "---\nname: linked-skill\n---\n").unwrap();
        assert!(from_dir(&skill).is_ok());
        // A secret elsewhere on the same file system, linked in under an innocent name.
        let secret = tmp.path().join("id_rsa");
        std::fs::write(&secret, "PRIVATE KEY").unwrap();
        std::fs::hard_link(&secret, skill.join("notes.md")).unwrap();
        let err = from_dir(&skill).err().expect("a hard link must be refused");
        assert!(err.to_string().contains("hard links"), "{err}");
        assert!(err.to_string().contains("notes.md"), "{err}");
    }
}
