//! Validates `run_demo` parameters against an entry's declared demo parameters and turns
//! them into the script's command-line flags.

use crate::catalog::{DemoParam, ParamType};
use serde_json::{Map, Value};

fn describe(p: &DemoParam) -> String {
    let mut text = format!("{} ({:?}", p.name, p.kind).to_lowercase();
    if let (Some(min), Some(max)) = (p.min, p.max) {
        text.push_str(&format!(", {min}..{max}"));
    }
    if let Some(choices) = &p.choices {
        text.push_str(&format!(", one of {}", choices.join("|")));
    }
    text.push_str(&format!(", default {})", p.default));
    text
}

/// Lists the declared parameters for an error message.
pub fn allowed(declared: &[DemoParam]) -> String {
    if declared.is_empty() {
        "this demo takes no parameters".to_string()
    } else {
        format!(
            "allowed: {}",
            declared.iter().map(describe).collect::<Vec<_>>().join("; ")
        )
    }
}

fn render(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Hosts that build arguments from text fields send numbers and flags as strings
/// (`{"tasks": "3"}`). A string that reads exactly as the declared type becomes that value;
/// anything else is left for the type check to refuse by name.
fn coerce(kind: &ParamType, value: &Value) -> Value {
    let Some(text) = value.as_str().map(str::trim) else {
        return value.clone();
    };
    let parsed = match kind {
        ParamType::Integer => text
            .parse::<i64>()
            .ok()
            .map(Value::from)
            .or_else(|| text.parse::<u64>().ok().map(Value::from)),
        ParamType::Number => text
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .and_then(|x| {
                // Keep integers integral, so the script sees `3`, not `3.0`.
                text.parse::<i64>()
                    .ok()
                    .map(Value::from)
                    .or_else(|| serde_json::Number::from_f64(x).map(Value::Number))
            }),
        ParamType::Boolean => text.parse::<bool>().ok().map(Value::from),
        ParamType::String => None,
    };
    parsed.unwrap_or_else(|| value.clone())
}

/// What a refused value was, for the error message: a string is shown as one, so the
/// reader sees why `"three"` is not an integer.
fn shown(value: &Value) -> String {
    match value {
        Value::String(s) => format!("the string {}", Value::from(s.as_str())),
        other => other.to_string(),
    }
}

/// Checks every given value and returns `--name value` flags for all declared
/// parameters (given or default), plus the effective values for the result.
pub fn to_flags(
    declared: &[DemoParam],
    given: &Map<String, Value>,
) -> Result<(Vec<String>, Map<String, Value>), String> {
    for name in given.keys() {
        if !declared.iter().any(|p| &p.name == name) {
            return Err(format!("unknown parameter `{name}`; {}", allowed(declared)));
        }
    }
    let mut flags = Vec::with_capacity(declared.len() * 2);
    let mut effective = Map::new();
    for p in declared {
        let value = &coerce(&p.kind, given.get(&p.name).unwrap_or(&p.default));
        let bad = |why: &str| format!("parameter `{}` {why}; {}", p.name, allowed(declared));
        let wrong = |what: &str| bad(&format!("must be {what}, not {}", shown(value)));
        match p.kind {
            ParamType::Integer if !(value.is_i64() || value.is_u64()) => {
                return Err(wrong("an integer"))
            }
            ParamType::Number if !value.is_number() => return Err(wrong("a number")),
            ParamType::Boolean if !value.is_boolean() => return Err(wrong("true or false")),
            ParamType::String if !value.is_string() => return Err(wrong("a string")),
            _ => {}
        }
        if let Some(x) = value.as_f64() {
            if p.min.is_some_and(|min| x < min) || p.max.is_some_and(|max| x > max) {
                return Err(bad(&format!("= {x} is out of range")));
            }
        }
        if let (Some(choices), Some(s)) = (&p.choices, value.as_str()) {
            if !choices.iter().any(|c| c == s) {
                return Err(bad(&format!("= `{s}` is not allowed")));
            }
        }
        if let Some(s) = value.as_str() {
            if s.len() > 256 || s.contains('\0') {
                return Err(bad("is too long or holds a NUL byte"));
            }
        }
        flags.push(format!("--{}", p.name));
        flags.push(render(value));
        effective.insert(p.name.clone(), value.clone());
    }
    Ok((flags, effective))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn declared() -> Vec<DemoParam> {
        vec![
            DemoParam {
                name: "tasks".into(),
                kind: ParamType::Integer,
                default: json!(20),
                min: Some(1.0),
                max: Some(100.0),
                choices: None,
                description: "n".into(),
            },
            DemoParam {
                name: "delay".into(),
                kind: ParamType::Number,
                default: json!(0.1),
                min: Some(0.0),
                max: Some(2.0),
                choices: None,
                description: "s".into(),
            },
        ]
    }

    #[test]
    fn defaults_fill_missing_values() {
        let given = json!({"tasks": 5}).as_object().unwrap().clone();
        let (flags, effective) = to_flags(&declared(), &given).unwrap();
        assert_eq!(flags, vec!["--tasks", "5", "--delay", "0.1"]);
        assert_eq!(effective["delay"], json!(0.1));
    }

    #[test]
    fn unknown_parameter_names_the_allowed_ones() {
        let given = json!({"task": 5}).as_object().unwrap().clone();
        let err = to_flags(&declared(), &given).unwrap_err();
        assert!(
            err.contains("unknown parameter `task`") && err.contains("tasks (integer, 1..100"),
            "{err}"
        );
    }

    #[test]
    fn out_of_range_and_wrong_type_are_refused() {
        let over = json!({"tasks": 1000}).as_object().unwrap().clone();
        assert!(to_flags(&declared(), &over)
            .unwrap_err()
            .contains("out of range"));
        let float = json!({"tasks": 1.5}).as_object().unwrap().clone();
        assert!(to_flags(&declared(), &float)
            .unwrap_err()
            .contains("integer"));
    }

    #[test]
    fn numbers_sent_as_strings_are_read_as_numbers() {
        let given = json!({"tasks": " 3", "delay": "0.5"})
            .as_object()
            .unwrap()
            .clone();
        let (flags, effective) = to_flags(&declared(), &given).unwrap();
        assert_eq!(flags, vec!["--tasks", "3", "--delay", "0.5"]);
        assert_eq!(effective["tasks"], json!(3));
        assert_eq!(effective["delay"], json!(0.5));
        // Still range-checked once read.
        let over = json!({"tasks": "1000"}).as_object().unwrap().clone();
        assert!(to_flags(&declared(), &over)
            .unwrap_err()
            .contains("out of range"));
    }

    #[test]
    fn strings_that_are_not_numbers_are_refused_by_name() {
        for bad in ["three", "1.5", "", "NaN"] {
            let given = json!({"tasks": bad}).as_object().unwrap().clone();
            let err = to_flags(&declared(), &given).unwrap_err();
            assert!(
                err.contains(&format!(
                    "`tasks` must be an integer, not the string \"{bad}\""
                )),
                "{err}"
            );
        }
        let given = json!({"delay": "inf"}).as_object().unwrap().clone();
        assert!(to_flags(&declared(), &given)
            .unwrap_err()
            .contains("must be a number"));
    }
}
