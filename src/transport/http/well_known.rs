//! The skill for registry clients (`npx skills add http://HOST:PORT`): the v0.2.0
//! discovery index and its archive under `/.well-known/agent-skills/`, and the legacy
//! index with plain files under `/.well-known/skills/`. GET and HEAD; 404 otherwise.

use super::body::{self, Body};
use super::{not_allowed, text, Shared};
use crate::distribution::registry;
use bytes::Bytes;
use hyper::header::{HeaderValue, CACHE_CONTROL, CONTENT_TYPE, ETAG};
use hyper::{Method, Response, StatusCode};
use std::borrow::Cow;

/// The registry files, built once from the catalogue.
pub struct Packed {
    index: Bytes,
    legacy_index: Bytes,
    archive_name: String,
    archive: Bytes,
    archive_digest: String,
}

impl Packed {
    fn build(shared: &Shared) -> Result<Self, String> {
        let catalog = shared.service.catalog.get();
        let archive =
            registry::archive(catalog).map_err(|e| format!("cannot build the archive: {e}"))?;
        let archive_digest = registry::digest(&archive);
        let json = |value: serde_json::Value| Bytes::from(value.to_string());
        Ok(Self {
            index: json(registry::discovery_index(catalog, &archive_digest)),
            legacy_index: json(registry::legacy_index(catalog)),
            archive_name: registry::archive_name(catalog),
            archive: Bytes::from(archive),
            archive_digest,
        })
    }
}

fn file(bytes: Bytes, content_type: &str, etag: Option<&str>) -> Response<Body> {
    let mut response = Response::new(Body::full(bytes));
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(content_type) {
        headers.insert(CONTENT_TYPE, value);
    }
    if let Some(value) = etag.and_then(|e| HeaderValue::from_str(&format!("\"{e}\"")).ok()) {
        headers.insert(ETAG, value);
    }
    // The content is fixed for the life of the process, but a new binary may change it.
    headers.insert(
        CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    response
}

pub fn handle(shared: &Shared, method: &Method, path: &str) -> Response<Body> {
    if method != Method::GET && method != Method::HEAD {
        return not_allowed("GET, HEAD");
    }
    let packed = match shared.packed.get_or_init(|| Packed::build(shared)) {
        Ok(packed) => packed,
        Err(e) => {
            tracing::error!("{e}");
            return text(StatusCode::INTERNAL_SERVER_ERROR, "cannot pack the skill\n");
        }
    };
    let catalog = shared.service.catalog.get();
    let mut response = if path == "agent-skills/index.json" {
        file(packed.index.clone(), "application/json", None)
    } else if path.strip_prefix("agent-skills/") == Some(packed.archive_name.as_str()) {
        file(
            packed.archive.clone(),
            "application/gzip",
            Some(&packed.archive_digest),
        )
    } else if path == "skills/index.json" {
        file(packed.legacy_index.clone(), "application/json", None)
    } else if let Some(skill_file) = path
        .strip_prefix("skills/")
        .and_then(|rest| rest.strip_prefix(catalog.name.as_str()))
        .and_then(|rest| rest.strip_prefix('/'))
        .and_then(|rel| catalog.file(rel))
    {
        let content_type = if skill_file.is_text {
            format!("{}; charset=utf-8", skill_file.mime_type)
        } else {
            skill_file.mime_type.to_string()
        };
        let bytes = match &skill_file.bytes {
            Cow::Borrowed(embedded) => Bytes::from_static(embedded),
            Cow::Owned(read) => Bytes::copy_from_slice(read),
        };
        file(bytes, &content_type, Some(skill_file.digest()))
    } else {
        text(StatusCode::NOT_FOUND, "not found\n")
    };
    if method == Method::HEAD {
        body::strip_for_head(&mut response);
    }
    response
}
