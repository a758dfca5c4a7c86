//! The Skills extension (`io.modelcontextprotocol/skills`): the skill as a listed, digested
//! set of resources, and directory reads over its folders.

use super::context::RequestContext;
use super::pagination;
use super::resources::{file_uri, path_of, ListParams, SCHEME};
use crate::catalog::Catalog;
use crate::error::McpError;
use serde::Deserialize;
use serde_json::{json, Value};

pub const DIRECTORY_MIME: &str = "inode/directory";
const PAGE_SIZE: usize = 100;

fn skill_uri(catalog: &Catalog) -> String {
    file_uri(&catalog.name, "SKILL.md")
}

/// The extension's results carry cache hints in every era (clients validate them even on
/// handshake-era connections); the content is fixed for the life of the binary.
fn with_cache_hints(mut value: Value) -> Value {
    value["ttlMs"] = json!(super::methods::CACHE_TTL_MS);
    value["cacheScope"] = json!("public");
    value
}

/// The skill entry: its SKILL.md URI, frontmatter, and every file once with digest and
/// size (SKILL.md included), as both `skills/list` and `skills/get` return it.
fn entry(catalog: &Catalog) -> Value {
    let resources: Vec<Value> = catalog
        .files
        .iter()
        .map(|f| {
            json!({
                "uri": file_uri(&catalog.name, &f.path),
                "digest": f.digest(),
                "size": f.bytes.len(),
            })
        })
        .collect();
    json!({
        "uri": skill_uri(catalog),
        "name": catalog.name,
        "description": catalog.description,
        "frontmatter": catalog.frontmatter,
        "resources": resources,
    })
}

/// `skills/list`: this server serves one skill.
pub fn list(catalog: &Catalog, params: ListParams) -> Result<Value, McpError> {
    pagination::decode("skills", params.cursor.as_deref(), 1)?;
    Ok(with_cache_hints(json!({ "skills": [entry(catalog)] })))
}

#[derive(Deserialize)]
pub struct GetParams {
    pub uri: String,
}

/// `skills/get`: one skill's entry, wrapped in `skill`.
pub fn get(catalog: &Catalog, params: GetParams, _ctx: &RequestContext) -> Result<Value, McpError> {
    let root = format!("{SCHEME}{}", catalog.name);
    let matches =
        params.uri == skill_uri(catalog) || params.uri == root || params.uri == format!("{root}/");
    if !matches {
        return Err(McpError::InvalidParams(format!(
            "unknown skill `{}`; skills/list shows {}",
            params.uri,
            skill_uri(catalog)
        )));
    }
    Ok(with_cache_hints(json!({ "skill": entry(catalog) })))
}

#[derive(Deserialize)]
pub struct DirectoryParams {
    pub uri: String,
    #[serde(default)]
    pub cursor: Option<String>,
}

/// `resources/directory/read`: the direct children of one folder of the skill.
pub fn read_directory(
    catalog: &Catalog,
    params: DirectoryParams,
    ctx: &RequestContext,
) -> Result<Value, McpError> {
    let path = path_of(catalog, params.uri.trim_end_matches('/'), ctx.era)?;
    if !catalog.dirs.contains(path) {
        return Err(McpError::ResourceNotFound {
            uri: params.uri.clone(),
            legacy: ctx.era.is_legacy(),
        });
    }
    let children = catalog.children(path);
    let offset = pagination::decode("directory", params.cursor.as_deref(), children.len())?;
    let (range, next) = pagination::page("directory", &children, offset, PAGE_SIZE);
    let entries: Vec<Value> = children[range]
        .iter()
        .map(|(child, is_dir)| {
            let name = child.rsplit('/').next().unwrap_or(child);
            if *is_dir {
                json!({ "uri": file_uri(&catalog.name, child), "name": name, "mimeType": DIRECTORY_MIME })
            } else {
                let file = catalog.file(child).expect("children are catalogue files");
                // In a directory listing every entry is named by its file name.
                let mut entry = super::resources::resource_entry(catalog, file);
                entry["name"] = json!(name);
                entry
                    .as_object_mut()
                    .map(|map| map.remove("description"));
                entry
            }
        })
        .collect();
    let mut result = json!({ "resources": entries });
    if let Some(next) = next {
        result["nextCursor"] = json!(next);
    }
    Ok(with_cache_hints(result))
}
