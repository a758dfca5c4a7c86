//! JSON Schemas for tool inputs and outputs, derived with schemars from the very types the
//! arguments are deserialized into, so the advertised schema and the validation agree.

use schemars::generate::SchemaSettings;
use schemars::JsonSchema;
use serde_json::Value;

/// A self-contained 2020-12 object schema: subschemas inlined (some hosts reject
/// `$ref`/`$defs`) and no `$schema`/`title` noise. Output schemas keep `null` where a
/// result field can be null, so structured results validate against them, but spell it
/// as `anyOf` branches with one `type` each: clients that map schemas onto a single-type
/// dialect (Gemini's OpenAPI subset, the Inspector's `--strict` portability check) drop
/// or reject `"type": [X, "null"]`.
pub fn output_schema_for<T: JsonSchema>() -> Value {
    let mut value = raw_schema_for::<T>();
    split_nullable_types(&mut value);
    value
}

fn raw_schema_for<T: JsonSchema>() -> Value {
    let generator = SchemaSettings::draft2020_12()
        .with(|s| s.inline_subschemas = true)
        .into_generator();
    let mut value = generator.into_root_schema_for::<T>().to_value();
    if let Some(map) = value.as_object_mut() {
        map.remove("$schema");
        map.remove("title");
    }
    make_portable(&mut value);
    value
}

/// Numeric formats schemars writes from Rust types. JSON Schema 2020-12 defines none of
/// them, so strict validators (ajv in every TypeScript host) warn on each one.
const RUST_NUMBER_FORMATS: &[&str] = &[
    "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64",
    "float", "double",
];

/// Removes what strict 2020-12 validators flag: Rust-only `format`s (an unsigned one keeps
/// its meaning as `minimum: 0`), and `"default": null` from `#[serde(default)]` options,
/// which contradicts the property's own type.
fn make_portable(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            let rust_format = map
                .get("format")
                .and_then(Value::as_str)
                .filter(|f| RUST_NUMBER_FORMATS.contains(f))
                .map(str::to_owned);
            if let Some(format) = rust_format {
                map.remove("format");
                if format.starts_with("uint") {
                    map.entry("minimum").or_insert(Value::from(0));
                }
            }
            if map.get("default").is_some_and(Value::is_null) {
                map.remove("default");
            }
            map.values_mut().for_each(make_portable);
        }
        Value::Array(items) => items.iter_mut().for_each(make_portable),
        _ => {}
    }
}

/// `{"type": [X, "null"], ...rest}` becomes `{"anyOf": [{"type": X, ...rest}, {"type":
/// "null"}]}`, keeping `description` on the outside where readers look for it.
fn split_nullable_types(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            map.values_mut().for_each(split_nullable_types);
            let Some(Value::Array(types)) = map.get("type") else {
                return;
            };
            if types.len() != 2 || !types.iter().any(|t| t == "null") {
                return;
            }
            let Some(other) = types.iter().find(|t| *t != "null").cloned() else {
                return;
            };
            let description = map.remove("description");
            let mut branch = std::mem::take(map);
            branch.insert("type".into(), other);
            if let Some(Value::Array(choices)) = branch.get_mut("enum") {
                choices.retain(|c| !c.is_null());
            }
            let null = serde_json::json!({"type": "null"});
            map.insert(
                "anyOf".into(),
                Value::Array(vec![Value::Object(branch), null]),
            );
            if let Some(description) = description {
                map.insert("description".into(), description);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(split_nullable_types),
        _ => {}
    }
}

/// An input schema: like [`output_schema_for`], but optional arguments are simply
/// optional, not also `null` (models then never send `null` for "not given").
pub fn input_schema_for<T: JsonSchema>() -> Value {
    let mut schema = raw_schema_for::<T>();
    strip_null(&mut schema);
    schema
}

fn strip_null(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            if let Some(Value::Array(types)) = map.get_mut("type") {
                types.retain(|t| t != "null");
                if types.len() == 1 {
                    let only = types.remove(0);
                    map.insert("type".into(), only);
                }
            }
            for key in ["anyOf", "oneOf"] {
                if let Some(Value::Array(variants)) = map.get_mut(key) {
                    variants.retain(|v| v.get("type").is_none_or(|t| t != "null"));
                    if variants.len() == 1 {
                        let only = variants.remove(0);
                        map.remove(key);
                        if let Value::Object(inner) = only {
                            for (k, v) in inner {
                                map.entry(k).or_insert(v);
                            }
                        }
                    }
                }
            }
            if let Some(Value::Array(choices)) = map.get_mut("enum") {
                choices.retain(|c| !c.is_null());
            }
            map.values_mut().for_each(strip_null);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_null),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    enum Colour {
        Red,
        Blue,
    }

    #[derive(Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Args {
        colour: Option<Colour>,
        name: String,
    }

    #[test]
    fn schema_is_inline_closed_and_not_nullable() {
        let schema = input_schema_for::<Args>();
        let text = schema.to_string();
        assert!(!text.contains("$ref") && !text.contains("$defs"), "{text}");
        assert_eq!(schema["type"], "object");
        assert_eq!(schema["additionalProperties"], false);
        assert_eq!(schema["required"], serde_json::json!(["name"]));
        assert!(!text.contains("null"), "{text}");
    }

    /// Property and item schemas that are a bare `true`/`false` (strict tool-schema
    /// checkers, e.g. the MCP Inspector's `--strict`, reject them).
    fn bare_boolean_schemas(schema: &Value, path: &str, found: &mut Vec<String>) {
        let Value::Object(map) = schema else { return };
        if let Some(Value::Object(props)) = map.get("properties") {
            for (name, sub) in props {
                let at = format!("{path}.properties.{name}");
                if sub.is_boolean() {
                    found.push(at.clone());
                }
                bare_boolean_schemas(sub, &at, found);
            }
        }
        if let Some(items) = map.get("items") {
            if items.is_boolean() {
                found.push(format!("{path}.items"));
            }
            bare_boolean_schemas(items, &format!("{path}.items"), found);
        }
        for key in ["anyOf", "oneOf", "allOf"] {
            if let Some(Value::Array(variants)) = map.get(key) {
                for (i, v) in variants.iter().enumerate() {
                    bare_boolean_schemas(v, &format!("{path}.{key}[{i}]"), found);
                }
            }
        }
    }

    #[derive(serde::Serialize, JsonSchema)]
    #[allow(dead_code)]
    struct Out {
        /// Why it stopped.
        code: Option<i32>,
    }

    #[test]
    fn nullable_output_fields_are_anyof_with_single_types() {
        let schema = output_schema_for::<Out>();
        let code = &schema["properties"]["code"];
        assert_eq!(
            code["anyOf"],
            serde_json::json!([{"type": "integer"}, {"type": "null"}])
        );
        assert_eq!(code["description"], "Why it stopped.");
        assert!(!schema.to_string().contains(r#"["integer","null"]"#));
    }

    #[derive(Deserialize, JsonSchema)]
    #[allow(dead_code)]
    struct Counts {
        /// How many.
        #[serde(default)]
        limit: Option<u32>,
        ratio: f64,
    }

    #[test]
    fn rust_formats_and_null_defaults_are_removed() {
        let schema = input_schema_for::<Counts>();
        let text = schema.to_string();
        assert!(!text.contains("format"), "{text}");
        assert!(!text.contains("null"), "{text}");
        assert_eq!(schema["properties"]["limit"]["minimum"], 0);
        assert_eq!(schema["properties"]["limit"]["type"], "integer");
    }

    #[test]
    fn tool_schemas_have_no_bare_boolean_subschemas() {
        let mut found = Vec::new();
        for tool in crate::mcp::tools::definitions() {
            let name = tool["name"].as_str().unwrap();
            bare_boolean_schemas(
                &tool["inputSchema"],
                &format!("{name}.inputSchema"),
                &mut found,
            );
            bare_boolean_schemas(
                &tool["outputSchema"],
                &format!("{name}.outputSchema"),
                &mut found,
            );
        }
        assert!(found.is_empty(), "{found:?}");
    }
}
