//! One catalogue entry: `references/<id>.md` parsed into its metadata, prose sections and
//! snippets. The format is the contract in `docs/skill-format.md`.

use super::frontmatter;
use super::python::PyVersion;
use super::CatalogError;
use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Parser, Tag, TagEnd};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What kind of knowledge an entry holds; also the order `list_patterns` groups by.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    Concept,
    Pattern,
    Pitfall,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Concept => "concept",
            Category::Pattern => "pattern",
            Category::Pitfall => "pitfall",
        }
    }
}

/// The type of a demo parameter, which decides how a value is validated and passed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ParamType {
    Integer,
    Number,
    Boolean,
    String,
}

fn scalar_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "anyOf": [{ "type": "number" }, { "type": "string" }, { "type": "boolean" }]
    })
}

/// A declared demo parameter; `run_demo` validates arguments against it.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DemoParam {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: ParamType,
    /// A scalar of `kind`; the schema says so (a bare `true` schema is refused by strict
    /// tool-schema checkers such as the MCP Inspector's `--strict`).
    #[schemars(schema_with = "scalar_schema")]
    pub default: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    #[serde(default, rename = "enum", skip_serializing_if = "Option::is_none")]
    pub choices: Option<Vec<String>>,
    pub description: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoSpec {
    pub script: String,
    #[serde(default)]
    pub params: Vec<DemoParam>,
}

/// The frontmatter of a reference file, exactly as declared (unknown keys are refused so
/// that a typo never silently drops metadata).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Meta {
    id: String,
    title: String,
    category: Category,
    summary: String,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    aliases: Vec<String>,
    min_python: PyVersion,
    #[serde(default)]
    related: Vec<String>,
    #[serde(default)]
    demo: Option<DemoSpec>,
}

/// One fenced Python block of a reference.
#[derive(Debug, Clone)]
pub struct Snippet {
    pub id: String,
    pub entry: String,
    pub min_python: PyVersion,
    pub fragment: bool,
    pub raises: Option<String>,
    pub code: String,
    /// 1-based line of the opening fence in the reference file.
    pub line: usize,
    /// The `##` section the block sits in (`Symptom`, `Fix`, `Code`...): a pitfall's
    /// symptom shows broken code on purpose, so checks over snippets need to know which.
    pub section: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Entry {
    pub id: String,
    pub title: String,
    pub category: Category,
    pub summary: String,
    pub tags: Vec<String>,
    pub aliases: Vec<String>,
    pub min_python: PyVersion,
    pub related: Vec<String>,
    pub demo: Option<DemoSpec>,
    /// Path of the reference relative to the skill root.
    pub path: String,
    /// The Markdown after the frontmatter.
    pub body: String,
    /// `## Heading` -> its Markdown, in file order.
    pub sections: Vec<(String, String)>,
    /// Snippet ids in file order, each once.
    pub snippet_ids: Vec<String>,
}

impl Entry {
    pub fn section(&self, heading: &str) -> Option<&str> {
        self.sections
            .iter()
            .find(|(h, _)| h.eq_ignore_ascii_case(heading))
            .map(|(_, text)| text.as_str())
    }
}

fn is_kebab_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

fn is_param_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    matches!(bytes.next(), Some(b'a'..=b'z'))
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Parses `references/<stem>.md`.
pub fn parse(path: &str, stem: &str, text: &str) -> Result<(Entry, Vec<Snippet>), CatalogError> {
    let split = frontmatter::split(path, text)?;
    let meta: Meta = serde_yaml_ng::from_str(split.yaml)
        .map_err(|e| frontmatter::yaml_error(path, split.yaml_line, e))?;
    let at = |message: String| CatalogError::new(path, Some(split.yaml_line), message);
    if meta.id != stem {
        return Err(at(format!(
            "id `{}` must equal the file name `{stem}`",
            meta.id
        )));
    }
    if !is_kebab_id(&meta.id) {
        return Err(at(format!("id `{}` is not short kebab-case", meta.id)));
    }
    if meta.summary.is_empty() || meta.summary.chars().count() > 200 {
        return Err(at("summary must be 1 to 200 characters".into()));
    }
    if meta.min_python < PyVersion::new(3, 9) {
        return Err(at(format!(
            "min_python {} is below 3.9, the oldest version we test",
            meta.min_python
        )));
    }
    if let Some(demo) = &meta.demo {
        validate_demo(path, split.yaml_line, stem, demo)?;
    }

    let (sections, blocks) = scan_body(split.body, split.body_line);
    let mut snippets = Vec::new();
    let mut snippet_ids: Vec<String> = Vec::new();
    for block in blocks {
        let Some(rest) = block.info.strip_prefix("python") else {
            continue;
        };
        if !(rest.is_empty() || rest.starts_with(' ')) {
            continue;
        }
        let mut snippet = parse_snippet(path, &meta, block.line, rest, block.code)?;
        snippet.section = block.section;
        if !snippet_ids.contains(&snippet.id) {
            snippet_ids.push(snippet.id.clone());
        }
        snippets.push(snippet);
    }
    if !snippet_ids.contains(&meta.id) {
        return Err(CatalogError::new(
            path,
            Some(split.body_line),
            format!(
                "no main snippet: one ```python block needs `snippet={}`",
                meta.id
            ),
        ));
    }

    let entry = Entry {
        id: meta.id,
        title: meta.title,
        category: meta.category,
        summary: meta.summary,
        tags: meta.tags,
        aliases: meta.aliases,
        min_python: meta.min_python,
        related: meta.related,
        demo: meta.demo,
        path: path.to_string(),
        body: split.body.to_string(),
        sections,
        snippet_ids,
    };
    Ok((entry, snippets))
}

fn validate_demo(path: &str, line: usize, stem: &str, demo: &DemoSpec) -> Result<(), CatalogError> {
    let at = |message: String| CatalogError::new(path, Some(line), message);
    if demo.script != format!("scripts/{stem}.py") {
        return Err(at(format!(
            "demo.script `{}` must be `scripts/{stem}.py`",
            demo.script
        )));
    }
    for (i, p) in demo.params.iter().enumerate() {
        if !is_param_name(&p.name) {
            return Err(at(format!(
                "demo parameter `{}` is not [a-z][a-z0-9_]*",
                p.name
            )));
        }
        if demo.params[..i].iter().any(|q| q.name == p.name) {
            return Err(at(format!("demo parameter `{}` is declared twice", p.name)));
        }
        let ok_default = match p.kind {
            ParamType::Integer => p.default.is_i64() || p.default.is_u64(),
            ParamType::Number => p.default.is_number(),
            ParamType::Boolean => p.default.is_boolean(),
            ParamType::String => p.default.is_string(),
        };
        if !ok_default {
            return Err(at(format!(
                "demo parameter `{}`: default {} is not of type {:?}",
                p.name, p.default, p.kind
            )));
        }
        let numeric = matches!(p.kind, ParamType::Integer | ParamType::Number);
        if !numeric && (p.min.is_some() || p.max.is_some()) {
            return Err(at(format!(
                "demo parameter `{}`: min/max need a numeric type",
                p.name
            )));
        }
        if p.kind != ParamType::String && p.choices.is_some() {
            return Err(at(format!(
                "demo parameter `{}`: enum needs type string",
                p.name
            )));
        }
        if let Some(value) = p.default.as_f64() {
            if p.min.is_some_and(|min| value < min) || p.max.is_some_and(|max| value > max) {
                return Err(at(format!(
                    "demo parameter `{}`: default {value} is outside its bounds",
                    p.name
                )));
            }
        }
        if let (Some(choices), Some(value)) = (&p.choices, p.default.as_str()) {
            if !choices.iter().any(|c| c == value) {
                return Err(at(format!(
                    "demo parameter `{}`: default `{value}` is not one of its enum values",
                    p.name
                )));
            }
        }
    }
    Ok(())
}

fn parse_snippet(
    path: &str,
    meta: &Meta,
    line: usize,
    attrs: &str,
    code: String,
) -> Result<Snippet, CatalogError> {
    let at = |message: String| CatalogError::new(path, Some(line), message);
    let mut id = None;
    let mut min_python = meta.min_python;
    let mut fragment = false;
    let mut raises = None;
    for attr in attrs.split_whitespace() {
        match attr.split_once('=') {
            Some(("snippet", value)) if is_kebab_id(value) => id = Some(value.to_string()),
            Some(("min_python", value)) => {
                min_python = value.parse().map_err(|e| at(format!("{e}")))?;
            }
            Some(("raises", value)) if !value.is_empty() => raises = Some(value.to_string()),
            None if attr == "fragment" => fragment = true,
            _ => {
                return Err(at(format!(
                    "unknown or malformed code block attribute `{attr}`"
                )))
            }
        }
    }
    let id = id.ok_or_else(|| at("a ```python block needs `snippet=<id>`".into()))?;
    Ok(Snippet {
        id,
        entry: meta.id.clone(),
        min_python,
        fragment,
        raises,
        code,
        line,
        section: None,
    })
}

struct Block {
    info: String,
    code: String,
    line: usize,
    section: Option<String>,
}

/// Walks the Markdown once, collecting `##` sections and fenced code blocks.
fn scan_body(body: &str, first_line: usize) -> (Vec<(String, String)>, Vec<Block>) {
    let line_of =
        |offset: usize| first_line + body[..offset].bytes().filter(|&b| b == b'\n').count();
    let mut sections: Vec<(String, String)> = Vec::new();
    let mut blocks = Vec::new();
    let mut heading: Option<(String, usize)> = None; // (text, offset of heading start)
    let mut current: Option<(String, usize)> = None; // (heading, offset where its text starts)
    let mut in_block: Option<Block> = None;
    for (event, range) in Parser::new(body).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading {
                level: HeadingLevel::H2,
                ..
            }) => {
                heading = Some((String::new(), range.start));
            }
            Event::End(TagEnd::Heading(HeadingLevel::H2)) => {
                if let Some((text, start)) = heading.take() {
                    if let Some((name, from)) = current.take() {
                        sections.push((name, body[from..start].trim().to_string()));
                    }
                    current = Some((text, range.end));
                }
            }
            Event::Start(Tag::Heading { .. }) => {
                // A level-1 heading closes the running section too.
                if let Some((name, from)) = current.take() {
                    sections.push((name, body[from..range.start].trim().to_string()));
                }
            }
            Event::Text(text) | Event::Code(text) => {
                if let Some((h, _)) = heading.as_mut() {
                    h.push_str(&text);
                } else if let Some(block) = in_block.as_mut() {
                    block.code.push_str(&text);
                }
            }
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                in_block = Some(Block {
                    info: info.trim().to_string(),
                    code: String::new(),
                    line: line_of(range.start),
                    section: current.as_ref().map(|(name, _)| name.clone()),
                });
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some(block) = in_block.take() {
                    blocks.push(block);
                }
            }
            _ => {}
        }
    }
    if let Some((name, from)) = current {
        sections.push((name, body[from..].trim().to_string()));
    }
    (sections, blocks)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "---\nid: demo-one\ntitle: Demo one\ncategory: pattern\nsummary: Shows one thing.\ntags: [a]\nmin_python: \"3.9\"\ndemo:\n  script: scripts/demo-one.py\n  params:\n    - name: tasks\n      type: integer\n      default: 3\n      min: 1\n      max: 9\n      description: how many\n---\n# Demo one\n\n## When to use\n\nAlways.\n\n## Code\n\n```python snippet=demo-one min_python=3.11\nprint(1)\n```\n\n```python snippet=demo-one\nprint(0)\n```\n\n```python snippet=demo-one-extra fragment\nimport aiohttp\n```\n\n## Watch for\n\nNothing.\n";

    #[test]
    fn parses_metadata_sections_and_snippet_variants() {
        let (entry, snippets) = parse("references/demo-one.md", "demo-one", GOOD).unwrap();
        assert_eq!(entry.category, Category::Pattern);
        assert_eq!(entry.section("When to use"), Some("Always."));
        assert_eq!(entry.section("watch for"), Some("Nothing."));
        assert_eq!(entry.snippet_ids, vec!["demo-one", "demo-one-extra"]);
        assert_eq!(snippets.len(), 3);
        assert_eq!(snippets[0].min_python, PyVersion::new(3, 11));
        assert_eq!(snippets[1].min_python, PyVersion::new(3, 9));
        assert_eq!(snippets[0].code, "print(1)\n");
        assert_eq!(snippets[0].line, 26);
        assert!(snippets[2].fragment);
        assert_eq!(snippets[0].section.as_deref(), Some("Code"));
    }

    #[test]
    fn id_must_match_file_name() {
        let err = parse("references/other.md", "other", GOOD).unwrap_err();
        assert!(err.message.contains("must equal the file name"), "{err}");
    }

    #[test]
    fn unknown_frontmatter_key_names_the_line() {
        let text = GOOD.replace("tags: [a]\n", "tags: [a]\ncolour: red\n");
        let err = parse("references/demo-one.md", "demo-one", &text).unwrap_err();
        assert!(err.message.contains("colour"), "{err}");
        assert_eq!(err.line, Some(7));
    }

    #[test]
    fn python_block_without_snippet_id_is_refused_with_its_line() {
        let text = GOOD.replace("```python snippet=demo-one\n", "```python\n");
        let err = parse("references/demo-one.md", "demo-one", &text).unwrap_err();
        assert_eq!(err.line, Some(30));
    }

    #[test]
    fn default_outside_bounds_is_refused() {
        let text = GOOD.replace("default: 3", "default: 30");
        let err = parse("references/demo-one.md", "demo-one", &text).unwrap_err();
        assert!(err.message.contains("outside its bounds"), "{err}");
    }

    #[test]
    fn kebab_ids() {
        assert!(is_kebab_id("gather-no-cancel"));
        assert!(!is_kebab_id("Gather"));
        assert!(!is_kebab_id("a--b"));
        assert!(!is_kebab_id("-a"));
        assert!(!is_kebab_id("a-"));
    }
}
