//! Editing a JSONC config file in place, keeping its comments and layout.

use jsonc_parser::cst::{CstInputValue, CstObject, CstRootNode};

use crate::error::{Error, Result};
use crate::jsonc::{self, KeyPath, KeySegment};

/// Parses a command-line value: JSON when it parses (`4`, `true`, `["a"]`, `{"x":1}`),
/// otherwise the text itself as a string.
pub fn parse_value_argument(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|_| serde_json::Value::String(text.to_string()))
}

fn to_input(value: serde_json::Value) -> CstInputValue {
    match value {
        serde_json::Value::Null => CstInputValue::Null,
        serde_json::Value::Bool(b) => CstInputValue::Bool(b),
        serde_json::Value::Number(n) => CstInputValue::Number(n.to_string()),
        serde_json::Value::String(s) => CstInputValue::String(s),
        serde_json::Value::Array(items) => CstInputValue::Array(items.into_iter().map(to_input).collect()),
        serde_json::Value::Object(map) => {
            CstInputValue::Object(map.into_iter().map(|(k, v)| (k, to_input(v))).collect())
        }
    }
}

/// Returns `text` with the value at dotted `key` set to `value`; missing objects on the
/// way are created. Only object keys are supported (arrays are set whole).
pub fn set_key(text: &str, key: &str, value: serde_json::Value) -> Result<String> {
    let path = KeyPath::parse_dotted(key);
    let key_err = |message: &str| Error::Key {
        key: key.to_string(),
        message: message.to_string(),
    };
    let names: Vec<&str> = path
        .0
        .iter()
        .map(|s| match s {
            KeySegment::Key(k) => Ok(k.as_str()),
            KeySegment::Index(_) => Err(key_err("array elements cannot be set one by one; set the whole array")),
        })
        .collect::<Result<_>>()?;
    let Some((last, parents)) = names.split_last() else {
        return Err(key_err("the key is empty"));
    };
    let root = CstRootNode::parse(text, &jsonc::parse_options()).map_err(|e| Error::Parse {
        path: "config".into(),
        line: e.line_display(),
        column: e.column_display(),
        message: e.kind().to_string(),
    })?;
    let mut obj: CstObject = root
        .object_value()
        .ok_or_else(|| key_err("the config file does not hold a JSON object"))?;
    for name in parents {
        obj = match obj.get(name) {
            Some(prop) => prop
                .value()
                .and_then(|v| v.as_object())
                .ok_or_else(|| key_err(&format!("`{name}` is not an object")))?,
            None => obj.object_value_or_set(name),
        };
    }
    let input = to_input(value);
    match obj.get(last) {
        Some(prop) => prop.set_value(input),
        None => {
            obj.append(last, input);
        }
    }
    Ok(root.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_comments_and_creates_missing_objects() {
        let text = "{\n  // the project\n  \"project\": { \"name\": \"shop\" },\n}\n";
        let out = set_key(text, "observer.ci.parallelism", serde_json::json!(8)).unwrap();
        assert!(out.contains("// the project"), "{out}");
        let v = jsonc::parse_value("x".as_ref(), &out).unwrap();
        assert_eq!(v["observer"]["ci"]["parallelism"], 8);
        let out = set_key(&out, "project.name", serde_json::json!("store")).unwrap();
        let v = jsonc::parse_value("x".as_ref(), &out).unwrap();
        assert_eq!(v["project"]["name"], "store");
    }

    #[test]
    fn refuses_to_descend_into_scalars() {
        let err = set_key("{\"project\": 1}", "project.name", serde_json::json!("x")).unwrap_err();
        assert_eq!(err.code(), "config.key");
    }

    #[test]
    fn value_arguments_are_json_or_text() {
        assert_eq!(parse_value_argument("4"), serde_json::json!(4));
        assert_eq!(parse_value_argument("[\"a\"]"), serde_json::json!(["a"]));
        assert_eq!(parse_value_argument("bolt://x"), serde_json::json!("bolt://x"));
    }
}
