//! SKILL.md's frontmatter under the Agent Skills rules (agentskills.io).

use super::frontmatter;
use super::CatalogError;
use serde_json::Value;

/// Top-level keys the Agent Skills specification allows; anything else belongs under
/// `metadata`.
const ALLOWED_KEYS: &[&str] = &[
    "name",
    "description",
    "license",
    "compatibility",
    "metadata",
    "allowed-tools",
];

pub struct SkillMd {
    pub name: String,
    pub description: String,
    pub frontmatter: Value,
    pub body: String,
}

/// The Agent Skills name rule: 1-64 of `[a-z0-9-]`, no leading, trailing or double hyphen.
pub fn valid_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-')
        && !name.contains("--")
}

pub fn parse(text: &str, folder: &str) -> Result<SkillMd, CatalogError> {
    const FILE: &str = "SKILL.md";
    let split = frontmatter::split(FILE, text)?;
    let yaml: serde_yaml_ng::Value = serde_yaml_ng::from_str(split.yaml)
        .map_err(|e| frontmatter::yaml_error(FILE, split.yaml_line, e))?;
    let frontmatter: Value = serde_json::to_value(&yaml).map_err(|e| {
        CatalogError::new(
            FILE,
            Some(split.yaml_line),
            format!("frontmatter is not JSON-shaped: {e}"),
        )
    })?;
    let at = |message: String| CatalogError::new(FILE, Some(split.yaml_line), message);
    let map = frontmatter
        .as_object()
        .ok_or_else(|| at("frontmatter must be a mapping".into()))?;
    if let Some(key) = map.keys().find(|k| !ALLOWED_KEYS.contains(&k.as_str())) {
        return Err(at(format!(
            "frontmatter key `{key}` is not allowed (allowed: {}); put extras under `metadata`",
            ALLOWED_KEYS.join(", ")
        )));
    }
    let name = map
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| at("`name` is required".into()))?;
    if !valid_name(name) {
        return Err(at(format!(
            "name `{name}` must be 1-64 of [a-z0-9-] without leading, trailing or double hyphens"
        )));
    }
    if name != folder {
        return Err(at(format!(
            "name `{name}` must equal the folder name `{folder}`"
        )));
    }
    let description = map
        .get("description")
        .and_then(Value::as_str)
        .ok_or_else(|| at("`description` is required".into()))?;
    let len = description.chars().count();
    if !(1..=1024).contains(&len) {
        return Err(at(format!(
            "description must be 1-1024 characters, not {len}"
        )));
    }
    if let Some(metadata) = map.get("metadata") {
        let ok = metadata
            .as_object()
            .is_some_and(|m| m.values().all(Value::is_string));
        if !ok {
            return Err(at("`metadata` must map strings to strings".into()));
        }
    }
    let body_lines = split.body.lines().count();
    if body_lines >= 500 {
        return Err(CatalogError::new(
            FILE,
            Some(split.body_line),
            format!("the body has {body_lines} lines; keep it under 500 and move details to references/"),
        ));
    }
    Ok(SkillMd {
        name: name.to_string(),
        description: description.to_string(),
        body: split.body.to_string(),
        frontmatter,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_rules() {
        assert!(valid_name("async-python-patterns"));
        assert!(!valid_name("Async"));
        assert!(!valid_name("-a"));
        assert!(!valid_name("a--b"));
        assert!(!valid_name(&"a".repeat(65)));
    }

    #[test]
    fn extra_top_level_key_is_refused() {
        let err = parse("---\nname: x\ndescription: d\nversion: 1\n---\nbody\n", "x")
            .err()
            .unwrap();
        assert!(err.message.contains("`version`"), "{err}");
    }

    #[test]
    fn name_must_equal_folder() {
        assert!(parse("---\nname: x\ndescription: d\n---\n", "y").is_err());
    }

    #[test]
    fn frontmatter_is_kept_as_json() {
        let md = parse(
            "---\nname: x\ndescription: d\nmetadata:\n  version: \"1.0\"\n---\n",
            "x",
        )
        .unwrap();
        assert_eq!(md.frontmatter["metadata"]["version"], "1.0");
    }
}
