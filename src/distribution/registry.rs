//! The skill as skill registries and installers fetch it (`npx skills add URL`): the
//! deterministic `.tar.gz` archive and the two well-known discovery indexes. Pure
//! functions of the catalogue's in-memory bytes, so the HTTP server and a `pack` command
//! produce the very same bytes, and a digest computed once stays true.

use crate::catalog::Catalog;
use flate2::write::GzEncoder;
use flate2::Compression;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::io::Write;

/// `$schema` of the v0.2.0 discovery index (`/.well-known/agent-skills/index.json`).
pub const DISCOVERY_SCHEMA: &str = "https://schemas.agentskills.io/discovery/0.2.0/schema.json";

/// Every entry's modification time: a constant (2024-01-01T00:00:00Z) so that two builds
/// of the same content are byte-identical. Not 0, which some extractors show as 1970.
pub const ARCHIVE_MTIME: u64 = 1_704_067_200;

const FILE_MODE: u32 = 0o644;
const DIR_MODE: u32 = 0o755;

/// The archive's file name, as the discovery index names it (relative to the index).
pub fn archive_name(catalog: &Catalog) -> String {
    format!("{}.tar.gz", catalog.name)
}

/// `sha256:<64 lowercase hex>` of `bytes`, the form both indexes use.
pub fn digest(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

/// The skill as a gzip-compressed tar: `SKILL.md` and every other file at their paths
/// relative to the archive root (no `./` prefix, no enclosing folder), folders as their
/// own entries before their contents, entries sorted by path, owner 0:0, modes 0644 and
/// 0755, a constant mtime, and a gzip header without a time or file name. The same
/// catalogue always gives the same bytes.
pub fn archive(catalog: &Catalog) -> std::io::Result<Vec<u8>> {
    // Folders end in `/` so that each sorts right before its own contents.
    let mut entries: BTreeSet<(String, Option<&[u8]>)> = BTreeSet::new();
    for dir in catalog.dirs.iter().filter(|d| !d.is_empty()) {
        entries.insert((format!("{dir}/"), None));
    }
    for file in &catalog.files {
        entries.insert((file.path.clone(), Some(&file.bytes[..])));
    }

    let gz = flate2::GzBuilder::new()
        .mtime(0)
        .operating_system(255)
        .write(Vec::new(), Compression::best());
    let mut tar = tar::Builder::new(gz);
    for (path, bytes) in &entries {
        let mut header = tar::Header::new_ustar();
        header.set_uid(0);
        header.set_gid(0);
        header.set_mtime(ARCHIVE_MTIME);
        match bytes {
            None => {
                header.set_entry_type(tar::EntryType::Directory);
                header.set_mode(DIR_MODE);
                header.set_size(0);
                tar.append_data(&mut header, path, std::io::empty())?;
            }
            Some(bytes) => {
                header.set_entry_type(tar::EntryType::Regular);
                header.set_mode(FILE_MODE);
                header.set_size(bytes.len() as u64);
                tar.append_data(&mut header, path, *bytes)?;
            }
        }
    }
    let mut gz: GzEncoder<Vec<u8>> = tar.into_inner()?;
    gz.flush()?;
    gz.finish()
}

/// The v0.2.0 discovery index: one `archive` entry whose `url` is relative to the index.
pub fn discovery_index(catalog: &Catalog, archive_digest: &str) -> Value {
    json!({
        "$schema": DISCOVERY_SCHEMA,
        "skills": [{
            "name": catalog.name,
            "type": "archive",
            "description": catalog.description,
            "url": archive_name(catalog),
            "digest": archive_digest,
        }],
    })
}

/// The legacy index (`/.well-known/skills/index.json`): every file by its path, served
/// under `/.well-known/skills/<name>/<path>`.
pub fn legacy_index(catalog: &Catalog) -> Value {
    let files: Vec<&str> = catalog.files.iter().map(|f| f.path.as_str()).collect();
    json!({
        "skills": [{
            "name": catalog.name,
            "description": catalog.description,
            "files": files,
        }],
    })
}

/// Every file of a static registry site for the skill, as (path under the site root,
/// bytes), sorted by path: what `serve --http` answers under `/.well-known/`, written
/// out so any static file server can host it.
pub fn site(catalog: &Catalog) -> std::io::Result<Vec<(String, Vec<u8>)>> {
    let archive = archive(catalog)?;
    let index = discovery_index(catalog, &digest(&archive));
    let mut files = vec![
        (
            ".well-known/agent-skills/index.json".to_string(),
            index.to_string().into_bytes(),
        ),
        (
            format!(".well-known/agent-skills/{}", archive_name(catalog)),
            archive,
        ),
        (
            ".well-known/skills/index.json".to_string(),
            legacy_index(catalog).to_string().into_bytes(),
        ),
    ];
    for file in &catalog.files {
        files.push((
            format!(".well-known/skills/{}/{}", catalog.name, file.path),
            file.bytes.to_vec(),
        ));
    }
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn entries(archive: &[u8]) -> Vec<(String, u32, u64, Vec<u8>)> {
        let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(archive));
        tar.entries()
            .unwrap()
            .map(|e| {
                let mut e = e.unwrap();
                let header = e.header().clone();
                let mut bytes = Vec::new();
                e.read_to_end(&mut bytes).unwrap();
                (
                    e.path().unwrap().to_string_lossy().into_owned(),
                    header.mode().unwrap(),
                    header.mtime().unwrap(),
                    bytes,
                )
            })
            .collect()
    }

    #[test]
    fn archive_is_deterministic_and_holds_every_file_at_the_root() {
        let catalog = Catalog::embedded().unwrap();
        let first = archive(&catalog).unwrap();
        assert_eq!(first, archive(&catalog).unwrap());
        // gzip header: no mtime, OS "unknown".
        assert_eq!(&first[4..8], &[0, 0, 0, 0]);
        let listed = entries(&first);
        let skill = listed.iter().find(|e| e.0 == "SKILL.md").unwrap();
        assert_eq!(skill.3, &catalog.file("SKILL.md").unwrap().bytes[..]);
        for file in &catalog.files {
            let entry = listed.iter().find(|e| e.0 == file.path).unwrap();
            assert_eq!(entry.1, 0o644);
            assert_eq!(entry.3, &file.bytes[..]);
        }
        let paths: Vec<&str> = listed.iter().map(|e| e.0.as_str()).collect();
        let mut sorted = paths.clone();
        sorted.sort_unstable();
        assert_eq!(paths, sorted);
        assert!(paths
            .iter()
            .all(|p| !p.starts_with("./") && !p.starts_with('/')));
        assert!(listed.iter().all(|e| e.2 == ARCHIVE_MTIME));
        assert!(listed
            .iter()
            .filter(|e| e.0.ends_with('/'))
            .all(|e| e.1 == 0o755));
    }

    #[test]
    fn discovery_index_names_the_archive_and_its_digest() {
        let catalog = Catalog::embedded().unwrap();
        let bytes = archive(&catalog).unwrap();
        let index = discovery_index(&catalog, &digest(&bytes));
        assert_eq!(index["$schema"], DISCOVERY_SCHEMA);
        let skill = &index["skills"][0];
        assert_eq!(skill["type"], "archive");
        assert_eq!(skill["url"], "async-python-patterns.tar.gz");
        let digest = skill["digest"].as_str().unwrap();
        assert_eq!(digest.len(), "sha256:".len() + 64);
        assert_eq!(
            digest,
            format!("sha256:{}", hex::encode(Sha256::digest(&bytes)))
        );
    }
}
