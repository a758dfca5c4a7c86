//! The catalogue: the skill folder parsed once at start-up into entries, snippets and
//! served files. Everything else (MCP tools, resources, the CLI, search) reads from here,
//! so the protocol and the command line can never disagree about the content.

mod entry;
mod error;
mod frontmatter;
mod lazy;
mod python;
pub(crate) mod skill_md;
mod source;

pub use entry::{Category, DemoParam, DemoSpec, Entry, ParamType, Snippet};
pub use error::CatalogError;
pub use lazy::LazyCatalog;
pub use python::{BadPyVersion, PyVersion};
pub use source::{EMBEDDED_NAME, MAX_BYTES, MAX_FILES};

/// The embedded skill's own version (`metadata.version` in its SKILL.md), for
/// `--version`; `None` if it has none.
pub fn embedded_version() -> Option<String> {
    let raw = source::embedded();
    let file = raw.files.iter().find(|f| f.path == "SKILL.md")?;
    let text = std::str::from_utf8(&file.bytes).ok()?;
    let md = skill_md::parse(text, &raw.folder).ok()?;
    md.frontmatter["metadata"]["version"]
        .as_str()
        .map(str::to_owned)
}

/// Writes the embedded skill's files under `dir/<its name>` and returns that folder, so
/// tools that check folders (`validate`) can check exactly the bytes this binary serves.
pub fn write_embedded(dir: &std::path::Path) -> std::io::Result<std::path::PathBuf> {
    let raw = source::embedded();
    let root = dir.join(&raw.folder);
    for file in &raw.files {
        let path = root.join(&file.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, &file.bytes)?;
    }
    Ok(root)
}

use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::sync::OnceLock;

/// A file of the skill as served: `resources/read` returns exactly `bytes`, and the digest
/// is computed over the same bytes (the Skills extension requires the two to agree).
pub struct SkillFile {
    pub path: String,
    pub bytes: Cow<'static, [u8]>,
    pub mime_type: &'static str,
    /// Valid UTF-8 and of a text type: served as `text`, otherwise as a base64 `blob`.
    pub is_text: bool,
    /// Computed on first use: most sessions never ask for digests.
    digest: OnceLock<String>,
}

impl SkillFile {
    /// `sha256:<64 lowercase hex>` of the served bytes.
    pub fn digest(&self) -> &str {
        self.digest
            .get_or_init(|| format!("sha256:{}", hex::encode(Sha256::digest(&self.bytes))))
    }

    pub fn text(&self) -> Option<&str> {
        if self.is_text {
            std::str::from_utf8(&self.bytes).ok()
        } else {
            None
        }
    }
}

fn mime_for(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, ext)| ext) {
        Some("md") => "text/markdown",
        Some("py") => "text/x-python",
        Some("json") => "application/json",
        Some("toml") => "application/toml",
        Some("txt") => "text/plain",
        Some("yaml" | "yml") => "application/yaml",
        Some("sh") => "text/x-shellscript",
        _ => "application/octet-stream",
    }
}

/// Every type we name is textual; unknown files are served as base64 blobs.
fn is_text_mime(mime: &str) -> bool {
    mime != "application/octet-stream"
}

/// Which variant of a snippet `get_snippet` picked, and why.
pub struct SnippetChoice<'a> {
    pub snippet: &'a Snippet,
    /// Every variant's `min_python`, newest first.
    pub variants: Vec<PyVersion>,
    pub reason: String,
}

#[derive(Debug, thiserror::Error)]
pub enum SnippetLookupError {
    #[error("no snippet `{id}`")]
    Unknown { id: String },
    #[error("snippet `{id}` needs Python {oldest} or newer; no variant runs on {requested}")]
    TooOld {
        id: String,
        oldest: PyVersion,
        requested: PyVersion,
    },
}

pub struct Catalog {
    /// The skill's `name`, which is also its folder name and the authority of its URIs.
    pub name: String,
    pub description: String,
    /// SKILL.md's frontmatter, verbatim, as JSON.
    pub frontmatter: serde_json::Value,
    /// SKILL.md's body (after the frontmatter).
    pub skill_body: String,
    /// All files, sorted by path.
    pub files: Vec<SkillFile>,
    /// Entries in list order: by category, then id.
    pub entries: Vec<Entry>,
    /// Every folder that holds a file ("" is the root), sorted.
    pub dirs: BTreeSet<String>,
    entry_index: HashMap<String, usize>,
    file_index: HashMap<String, usize>,
    /// Snippet id -> variants, newest `min_python` first.
    snippets: HashMap<String, Vec<Snippet>>,
}

/// Whether a skill path is a private helper module (see [`Catalog::helper_modules`]).
pub fn is_helper_module(path: &str) -> bool {
    path.strip_prefix("scripts/_")
        .and_then(|rest| rest.strip_suffix(".py"))
        .is_some_and(|stem| !stem.is_empty() && !stem.contains('/'))
}

/// The entry id a skill file holds: `references/<id>.md` directly in `references/`.
fn entry_id(path: &str) -> Option<&str> {
    path.strip_prefix("references/")?
        .strip_suffix(".md")
        .filter(|stem| !stem.contains('/'))
}

impl Catalog {
    /// The skill embedded in the binary. It was validated by the test suite before the
    /// binary was built, but a broken build still gets an error, not a panic.
    pub fn embedded() -> Result<Self, CatalogError> {
        Self::build(source::embedded())
    }

    pub fn from_dir(path: &Path) -> Result<Self, CatalogError> {
        Self::build(source::from_dir(path)?)
    }

    /// A skill held in memory (`folder` is its name): the loader without the filesystem,
    /// for the fuzzer and for tests that build broken skills byte by byte.
    pub fn from_files(folder: &str, files: Vec<(String, Vec<u8>)>) -> Result<Self, CatalogError> {
        let mut files: Vec<source::RawFile> = files
            .into_iter()
            .map(|(path, bytes)| source::RawFile {
                path,
                bytes: std::borrow::Cow::Owned(bytes),
            })
            .collect();
        files.sort_by(|a, b| a.path.cmp(&b.path));
        files.dedup_by(|a, b| a.path == b.path);
        Self::build(source::RawSkill {
            folder: folder.to_string(),
            files,
        })
    }

    fn build(raw: source::RawSkill) -> Result<Self, CatalogError> {
        let skill_md = raw
            .files
            .iter()
            .find(|f| f.path == "SKILL.md")
            .ok_or_else(|| CatalogError::new("SKILL.md", None, "the skill has no SKILL.md"))?;
        let skill_text = std::str::from_utf8(&skill_md.bytes)
            .map_err(|_| CatalogError::new("SKILL.md", None, "not valid UTF-8"))?;
        let skill = skill_md::parse(skill_text, &raw.folder)?;

        let mut entries = Vec::new();
        let mut snippets: HashMap<String, Vec<Snippet>> = HashMap::new();
        for file in &raw.files {
            let Some(stem) = entry_id(&file.path) else {
                continue;
            };
            let text = std::str::from_utf8(&file.bytes)
                .map_err(|_| CatalogError::new(&file.path, None, "not valid UTF-8"))?;
            let (entry, found) = entry::parse(&file.path, stem, text)?;
            for snippet in found {
                let variants = snippets.entry(snippet.id.clone()).or_default();
                if let Some(other) = variants.iter().find(|v| v.entry != snippet.entry) {
                    return Err(CatalogError::new(
                        &file.path,
                        Some(snippet.line),
                        format!(
                            "snippet id `{}` is already used by `{}`",
                            snippet.id, other.entry
                        ),
                    ));
                }
                if variants.iter().any(|v| v.min_python == snippet.min_python) {
                    return Err(CatalogError::new(
                        &file.path,
                        Some(snippet.line),
                        format!(
                            "snippet `{}` has two variants for Python {}",
                            snippet.id, snippet.min_python
                        ),
                    ));
                }
                variants.push(snippet);
            }
            entries.push(entry);
        }
        for variants in snippets.values_mut() {
            variants.sort_by_key(|v| std::cmp::Reverse(v.min_python));
        }
        entries.sort_by(|a, b| (a.category, &a.id).cmp(&(b.category, &b.id)));

        let paths: BTreeSet<&str> = raw.files.iter().map(|f| f.path.as_str()).collect();
        let ids: BTreeSet<&str> = entries.iter().map(|e| e.id.as_str()).collect();
        for entry in &entries {
            for related in &entry.related {
                if !ids.contains(related.as_str()) {
                    return Err(CatalogError::new(
                        &entry.path,
                        None,
                        format!("related id `{related}` is not an entry"),
                    ));
                }
            }
            if let Some(demo) = &entry.demo {
                if !paths.contains(demo.script.as_str()) {
                    return Err(CatalogError::new(
                        &entry.path,
                        None,
                        format!("demo script `{}` does not exist", demo.script),
                    ));
                }
            }
        }
        for path in &paths {
            if let Some(stem) = path
                .strip_prefix("scripts/")
                .and_then(|p| p.strip_suffix(".py"))
            {
                let declared = entries
                    .iter()
                    .any(|e| e.demo.as_ref().is_some_and(|d| d.script == *path));
                if !declared && !stem.starts_with('_') {
                    return Err(CatalogError::new(
                        *path,
                        None,
                        "this script is not declared as any entry's demo",
                    ));
                }
            }
        }

        let mut dirs = BTreeSet::new();
        dirs.insert(String::new());
        let files: Vec<SkillFile> = raw
            .files
            .into_iter()
            .map(|f| {
                let mut dir = f.path.as_str();
                while let Some((parent, _)) = dir.rsplit_once('/') {
                    dirs.insert(parent.to_string());
                    dir = parent;
                }
                let mime_type = mime_for(&f.path);
                let is_text = is_text_mime(mime_type) && std::str::from_utf8(&f.bytes).is_ok();
                SkillFile {
                    path: f.path,
                    bytes: f.bytes,
                    mime_type,
                    is_text,
                    digest: OnceLock::new(),
                }
            })
            .collect();
        let entry_index = entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.id.clone(), i))
            .collect();
        let file_index = files
            .iter()
            .enumerate()
            .map(|(i, f)| (f.path.clone(), i))
            .collect();
        Ok(Self {
            name: skill.name,
            description: skill.description,
            frontmatter: skill.frontmatter,
            skill_body: skill.body,
            files,
            entries,
            dirs,
            entry_index,
            file_index,
            snippets,
        })
    }

    pub fn entry(&self, id: &str) -> Option<&Entry> {
        self.entry_index.get(id).map(|&i| &self.entries[i])
    }

    pub fn file(&self, path: &str) -> Option<&SkillFile> {
        self.file_index.get(path).map(|&i| &self.files[i])
    }

    /// The skill's private helper modules: `scripts/_<name>.py` directly in `scripts/`.
    /// They are no entry's demo; demos import them (the timeline recorder), so the runner
    /// writes them beside every demo it runs.
    pub fn helper_modules(&self) -> impl Iterator<Item = &SkillFile> {
        self.files.iter().filter(|f| is_helper_module(&f.path))
    }

    /// The snippet variant to show for `python` (or the newest without one).
    pub fn snippet(
        &self,
        id: &str,
        python: Option<PyVersion>,
    ) -> Result<SnippetChoice<'_>, SnippetLookupError> {
        let variants = self
            .snippets
            .get(id)
            .ok_or_else(|| SnippetLookupError::Unknown { id: id.to_string() })?;
        let versions: Vec<PyVersion> = variants.iter().map(|v| v.min_python).collect();
        let (snippet, reason) = match python {
            None => (
                &variants[0],
                format!("newest variant (needs Python {}+)", variants[0].min_python),
            ),
            Some(requested) => {
                let chosen = variants
                    .iter()
                    .find(|v| v.min_python <= requested)
                    .ok_or_else(|| SnippetLookupError::TooOld {
                        id: id.to_string(),
                        oldest: versions[versions.len() - 1],
                        requested,
                    })?;
                let reason = if variants.len() == 1 {
                    format!("the only variant; runs on Python {}+", chosen.min_python)
                } else if std::ptr::eq(chosen, &variants[0]) {
                    format!("newest variant; runs on Python {}+", chosen.min_python)
                } else {
                    format!(
                        "variant for Python {}+ (the newest one needs {})",
                        chosen.min_python, variants[0].min_python
                    )
                };
                (chosen, reason)
            }
        };
        Ok(SnippetChoice {
            snippet,
            variants: versions,
            reason,
        })
    }

    /// Every snippet variant, sorted by id then newest first: for checks that must cover
    /// all the code the skill shows, not only the variant `get_snippet` would pick.
    pub fn all_snippets(&self) -> Vec<&Snippet> {
        let mut ids: Vec<&String> = self.snippets.keys().collect();
        ids.sort_unstable();
        ids.into_iter()
            .flat_map(|id| self.snippets[id].iter())
            .collect()
    }

    /// All snippet ids, sorted.
    pub fn snippet_ids(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = self.snippets.keys().map(String::as_str).collect();
        ids.sort_unstable();
        ids
    }

    /// Up to `n` known ids closest to `wanted`, best first, for "did you mean" messages.
    pub fn closest<'a>(
        candidates: impl Iterator<Item = &'a str>,
        wanted: &str,
        n: usize,
    ) -> Vec<&'a str> {
        let mut scored: Vec<(f64, &str)> = candidates
            .map(|id| {
                let mut score = strsim::jaro_winkler(id, wanted);
                if id.contains(wanted) || wanted.contains(id) {
                    score += 0.3;
                }
                (score, id)
            })
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
        scored.into_iter().take(n).map(|(_, id)| id).collect()
    }

    pub fn closest_entries(&self, wanted: &str) -> Vec<&str> {
        Self::closest(self.entries.iter().map(|e| e.id.as_str()), wanted, 3)
    }

    /// Direct children of folder `dir` ("" for the root): (path, is_dir), sorted by path.
    pub fn children(&self, dir: &str) -> Vec<(&str, bool)> {
        let is_child = |path: &str| match dir {
            "" => !path.is_empty() && !path.contains('/'),
            _ => path
                .strip_prefix(dir)
                .and_then(|rest| rest.strip_prefix('/'))
                .is_some_and(|rest| !rest.is_empty() && !rest.contains('/')),
        };
        let mut out: Vec<(&str, bool)> = self
            .dirs
            .iter()
            .filter(|d| is_child(d))
            .map(|d| (d.as_str(), true))
            .chain(
                self.files
                    .iter()
                    .filter(|f| is_child(&f.path))
                    .map(|f| (f.path.as_str(), false)),
            )
            .collect();
        out.sort_by(|a, b| a.0.cmp(b.0));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SKILL_MD: &str = "---\nname: helpers\ndescription: \"A skill for the helper-module test.\"\n---\n# Helpers\n";
    const ENTRY: &str = "---\nid: one\ntitle: One\ncategory: pattern\nsummary: Shows one thing.\ntags: [a]\nmin_python: \"3.9\"\ndemo:\n  script: scripts/one.py\n---\n# One\n\n## When to use\n\nAlways.\n\n## Code\n\n```python snippet=one\nprint(0)\n```\n\n## Watch for\n\nNothing.\n";

    fn skill(extra: &[&str]) -> Result<Catalog, CatalogError> {
        let mut files = vec![
            ("SKILL.md".to_string(), SKILL_MD.as_bytes().to_vec()),
            ("references/one.md".to_string(), ENTRY.as_bytes().to_vec()),
            ("scripts/one.py".to_string(), b"import _rec".to_vec()),
        ];
        files.extend(extra.iter().map(|p| (p.to_string(), b"x = 1".to_vec())));
        Catalog::from_files("helpers", files)
    }

    #[test]
    fn helper_modules_are_the_underscored_scripts_directly_in_scripts() {
        let catalog = skill(&[
            "scripts/_rec.py",
            "scripts/_deep/_x.py",
            "scripts/_notes.txt",
        ])
        .unwrap();
        let helpers: Vec<&str> = catalog.helper_modules().map(|f| f.path.as_str()).collect();
        assert_eq!(helpers, ["scripts/_rec.py"]);
        assert!(!is_helper_module("scripts/one.py"));
        assert!(!is_helper_module("scripts/_.py"));
        assert!(!is_helper_module("references/_rec.py"));
    }

    #[test]
    fn a_script_that_is_neither_a_demo_nor_a_helper_is_refused() {
        let err = skill(&["scripts/stray.py"])
            .err()
            .expect("a stray script is an error");
        assert!(
            err.to_string().contains("not declared as any entry's demo"),
            "{err}"
        );
        assert!(skill(&["scripts/_rec.py"]).is_ok());
    }
}
