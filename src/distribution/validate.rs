//! `async-patterns validate`: checks a skill folder the way registries and hosts will —
//! the Agent Skills rules (the same ones the official `agentskills validate` applies),
//! plus ours: SKILL.md under 500 lines, every relative link resolves, and, for folders in
//! this project's catalogue format, everything the server's loader requires.

use crate::catalog::{skill_md, Catalog, CatalogError};
use serde::Serialize;
use std::path::Path;

#[derive(Debug, Serialize)]
pub struct Problem {
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
}

impl From<CatalogError> for Problem {
    fn from(e: CatalogError) -> Self {
        Self {
            file: e.file,
            line: e.line,
            message: e.message,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Report {
    pub valid: bool,
    /// Whether the folder uses the catalogue format (references with entry metadata), so
    /// the server's own rules were applied too.
    pub catalogue_format: bool,
    pub problems: Vec<Problem>,
}

/// Relative Markdown link targets of `text` with their 1-based lines.
fn links(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let mut rest = line;
        while let Some(start) = rest.find("](") {
            let after = &rest[start + 2..];
            let Some(end) = after.find(')') else { break };
            let target = after[..end].split('#').next().unwrap_or_default().trim();
            if !target.is_empty() && !target.contains("://") && !target.starts_with("mailto:") {
                out.push((n + 1, target));
            }
            rest = &after[end..];
        }
    }
    out
}

fn markdown_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = vec![dir.join("SKILL.md")];
    if let Ok(entries) = std::fs::read_dir(dir.join("references")) {
        let mut refs: Vec<_> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "md"))
            .collect();
        refs.sort();
        files.extend(refs);
    }
    files
}

/// Does any reference carry catalogue-entry metadata (`id:` in its frontmatter)?
fn uses_catalogue_format(dir: &Path) -> bool {
    markdown_files(dir).iter().skip(1).any(|p| {
        std::fs::read_to_string(p).is_ok_and(|t| {
            t.starts_with("---\n")
                && t.split("\n---")
                    .next()
                    .is_some_and(|fm| fm.contains("\nid:"))
        })
    })
}

/// Whether a link from a file in `base` to `target` leaves the skill folder `root`: on
/// the path alone (`..`, an absolute path) or, for a target that exists, once symlinks
/// are resolved.
fn climbs_out(root: &Path, base: &Path, target: &str) -> bool {
    use std::path::Component;
    let (Ok(root), Ok(base)) = (std::fs::canonicalize(root), std::fs::canonicalize(base)) else {
        return false;
    };
    let mut lexical = std::path::PathBuf::new();
    for part in base.join(target).components() {
        match part {
            Component::ParentDir => {
                lexical.pop();
            }
            Component::CurDir => {}
            other => lexical.push(other),
        }
    }
    !lexical.starts_with(&root)
        || std::fs::canonicalize(&lexical).is_ok_and(|real| !real.starts_with(&root))
}

pub fn validate(dir: &Path) -> Report {
    let mut problems = Vec::new();
    let folder = std::fs::canonicalize(dir)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_default();
    match std::fs::read_to_string(dir.join("SKILL.md")) {
        Err(e) => problems.push(Problem {
            file: "SKILL.md".into(),
            line: None,
            message: format!("cannot read SKILL.md: {e}"),
        }),
        Ok(text) => {
            if let Err(e) = skill_md::parse(&text, &folder) {
                problems.push(e.into());
            }
        }
    }
    for path in markdown_files(dir) {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let rel = path
            .strip_prefix(dir)
            .unwrap_or(&path)
            .to_string_lossy()
            .into_owned();
        let base = path.parent().unwrap_or(dir);
        for (line, target) in links(&text) {
            if climbs_out(dir, base, target) {
                problems.push(Problem {
                    file: rel.clone(),
                    line: Some(line),
                    message: format!(
                        "link target `{target}` leads out of the skill folder; a skill may only link to its own files"
                    ),
                });
            } else if !base.join(target).exists() {
                problems.push(Problem {
                    file: rel.clone(),
                    line: Some(line),
                    message: format!("link target `{target}` does not exist"),
                });
            }
        }
    }
    let catalogue_format = uses_catalogue_format(dir);
    if catalogue_format && problems.is_empty() {
        if let Err(e) = Catalog::from_dir(dir) {
            problems.push(e.into());
        }
    }
    Report {
        valid: problems.is_empty(),
        catalogue_format,
        problems,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_out_of_the_skill_are_problems_even_when_the_target_exists() {
        let tmp = tempfile::tempdir().unwrap();
        let skill = tmp.path().join("demo-skill");
        std::fs::create_dir_all(skill.join("references")).unwrap();
        std::fs::write(tmp.path().join("outside.md"), "x").unwrap();
        std::fs::write(skill.join("references/a.md"), "# A\n").unwrap();
        let depth = "../".repeat(skill.components().count() + 2);
        std::fs::write(
            skill.join("SKILL.md"),
            format!(
                "---\nname: demo-skill\ndescription: A skill for the link test.\n---\n\
                 [fine](references/a.md) [up](../outside.md) [etc]({depth}etc/passwd) [abs](/etc/passwd)\n"
            ),
        )
        .unwrap();
        let report = validate(&skill);
        let climbing: Vec<&str> = report
            .problems
            .iter()
            .filter(|p| p.message.contains("leads out of the skill folder"))
            .map(|p| p.message.as_str())
            .collect();
        assert_eq!(climbing.len(), 3, "{:?}", report.problems);
        assert!(!report.valid);
        assert!(!climbing.iter().any(|m| m.contains("references/a.md")));
    }

    #[test]
    fn finds_relative_links_only() {
        let found =
            links("see [a](references/a.md) and [b](https://x.y/z) and [c](c.md#part)\n[d](d.md)");
        assert_eq!(
            found,
            vec![(1, "references/a.md"), (1, "c.md"), (2, "d.md")]
        );
    }
}
