//! The skill's files as `skill://<skill>/<path>` resources. Bytes come from the catalogue
//! in memory: no request ever touches the filesystem, so no URI can reach outside the skill.

use super::context::RequestContext;
use super::era::Era;
use super::pagination;
use crate::catalog::{Catalog, SkillFile};
use crate::error::McpError;
use base64::Engine;
use serde::Deserialize;
use serde_json::{json, Value};

pub const PAGE_SIZE: usize = 50;
pub const SCHEME: &str = "skill://";

pub fn file_uri(skill: &str, path: &str) -> String {
    format!("{SCHEME}{skill}/{path}")
}

/// The path inside the skill that `uri` names, or the era's not-found error. Anything but
/// `skill://<our skill>/<plain relative path>` is refused: other schemes, other skills,
/// `..` segments, absolute or empty segments, percent-escapes, backslashes, NUL.
pub fn path_of<'u>(catalog: &Catalog, uri: &'u str, era: Era) -> Result<&'u str, McpError> {
    let not_found = || McpError::ResourceNotFound {
        uri: uri.to_string(),
        legacy: era.is_legacy(),
    };
    let rest = uri.strip_prefix(SCHEME).ok_or_else(not_found)?;
    let (skill, path) = rest.split_once('/').unwrap_or((rest, ""));
    if skill != catalog.name {
        return Err(not_found());
    }
    let clean = path
        .split('/')
        .all(|seg| !seg.is_empty() && seg != "." && seg != "..")
        && !path.contains(['%', '\\', '\0', '?', '#']);
    if !clean && !path.is_empty() {
        return Err(not_found());
    }
    Ok(path)
}

pub fn resource_entry(catalog: &Catalog, file: &SkillFile) -> Value {
    let uri = file_uri(&catalog.name, &file.path);
    // The skill's manifest is named and described by its frontmatter (the Skills
    // extension asks for it), every other file by its own name.
    if file.path == "SKILL.md" {
        return json!({
            "uri": uri,
            "name": catalog.name,
            "title": file.path,
            "description": catalog.description,
            "mimeType": file.mime_type,
            "size": file.bytes.len(),
        });
    }
    let name = file.path.rsplit('/').next().unwrap_or(&file.path);
    json!({
        "uri": uri,
        "name": name,
        "title": file.path,
        "mimeType": file.mime_type,
        "size": file.bytes.len(),
    })
}

#[derive(Deserialize, Default)]
pub struct ListParams {
    #[serde(default)]
    pub cursor: Option<String>,
}

pub fn list(catalog: &Catalog, params: ListParams) -> Result<Value, McpError> {
    let offset = pagination::decode("resources", params.cursor.as_deref(), catalog.files.len())?;
    let (range, next) = pagination::page("resources", &catalog.files, offset, PAGE_SIZE);
    let resources: Vec<Value> = catalog.files[range]
        .iter()
        .map(|f| resource_entry(catalog, f))
        .collect();
    let mut result = json!({ "resources": resources });
    if let Some(next) = next {
        result["nextCursor"] = json!(next);
    }
    Ok(result)
}

#[derive(Deserialize)]
pub struct ReadParams {
    pub uri: String,
}

pub fn contents(catalog: &Catalog, file: &SkillFile) -> Value {
    let uri = file_uri(&catalog.name, &file.path);
    match file.text() {
        Some(text) => json!({ "uri": uri, "mimeType": file.mime_type, "text": text }),
        None => json!({
            "uri": uri,
            "mimeType": file.mime_type,
            "blob": base64::engine::general_purpose::STANDARD.encode(&file.bytes),
        }),
    }
}

pub fn read(
    catalog: &Catalog,
    params: ReadParams,
    ctx: &RequestContext,
) -> Result<Value, McpError> {
    let path = path_of(catalog, &params.uri, ctx.era)?;
    let file = catalog
        .file(path)
        .ok_or_else(|| McpError::ResourceNotFound {
            uri: params.uri.clone(),
            legacy: ctx.era.is_legacy(),
        })?;
    Ok(json!({ "contents": [contents(catalog, file)] }))
}

pub fn templates(catalog: &Catalog) -> Value {
    let name = &catalog.name;
    json!({
        "resourceTemplates": [
            {
                "uriTemplate": format!("{SCHEME}{name}/references/{{id}}.md"),
                "name": "pattern",
                "title": "Catalogue entry",
                "description": "One concept, pattern or pitfall by id (see list_patterns), in Markdown.",
                "mimeType": "text/markdown",
            },
            {
                "uriTemplate": format!("{SCHEME}{name}/scripts/{{id}}.py"),
                "name": "demo-script",
                "title": "Demo script",
                "description": "The runnable demo of an entry (run it with the run_demo tool).",
                "mimeType": "text/x-python",
            },
        ]
    })
}

/// The test skill fixtures, written out under their real names (see the file).
#[cfg(test)]
#[path = "../../tests/support/fixtures.rs"]
mod fixtures;

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> Catalog {
        Catalog::from_dir(&fixtures::fixture("tiny-skill")).unwrap()
    }

    #[test]
    fn tricks_in_uris_are_not_found_in_the_eras_code() {
        let c = catalog();
        for uri in [
            "skill://tiny-skill/../Cargo.toml",
            "skill://tiny-skill/references/../../x",
            "skill://tiny-skill//etc/passwd",
            "skill://tiny-skill/references/%2e%2e/x",
            "skill://other/SKILL.md",
            "file:///etc/passwd",
            "skill://tiny-skill/a\\b",
        ] {
            let err = path_of(&c, uri, Era::Modern).unwrap_err();
            assert_eq!(err.code(), -32602, "{uri}");
            let err = path_of(&c, uri, Era::Legacy("2025-11-25")).unwrap_err();
            assert_eq!(err.code(), -32002, "{uri}");
        }
        assert_eq!(
            path_of(&c, "skill://tiny-skill/SKILL.md", Era::Modern).unwrap(),
            "SKILL.md"
        );
    }
}
