//! JSONC (JSON with comments and trailing commas) reading with precise error locations.
//!
//! Shared by configuration, flow and persona files: parse errors name file, line and
//! column; type errors name the key path and where in the file the value is.

use std::fmt;
use std::path::Path;

use jsonc_parser::ParseOptions;
use jsonc_parser::ast;
use serde::de::DeserializeOwned;

use crate::error::{Error, Result};

/// One step of a key path: an object key or an array index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySegment {
    /// An object key.
    Key(String),
    /// An array index.
    Index(usize),
}

/// A key path such as `observer.watch.paths[1]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyPath(pub Vec<KeySegment>);

impl KeyPath {
    /// Parses a dotted key (`observer.ci.parallelism`, `observer.watch.paths.0`).
    pub fn parse_dotted(dotted: &str) -> Self {
        KeyPath(
            dotted
                .split('.')
                .filter(|s| !s.is_empty())
                .map(|s| match s.parse::<usize>() {
                    Ok(i) => KeySegment::Index(i),
                    Err(_) => KeySegment::Key(s.to_string()),
                })
                .collect(),
        )
    }

    fn from_serde(path: &serde_path_to_error::Path) -> Self {
        use serde_path_to_error::Segment;
        KeyPath(
            path.iter()
                .filter_map(|seg| match seg {
                    Segment::Map { key } => Some(KeySegment::Key(key.clone())),
                    Segment::Seq { index } => Some(KeySegment::Index(*index)),
                    Segment::Enum { variant } => Some(KeySegment::Key(variant.clone())),
                    Segment::Unknown => None,
                })
                .collect(),
        )
    }
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for seg in &self.0 {
            match seg {
                KeySegment::Key(k) => {
                    if !first {
                        f.write_str(".")?;
                    }
                    f.write_str(k)?;
                }
                KeySegment::Index(i) => write!(f, "[{i}]")?,
            }
            first = false;
        }
        if first {
            f.write_str("(root)")?;
        }
        Ok(())
    }
}

/// Parse options for Perceo's files: comments and trailing commas, nothing looser.
pub fn parse_options() -> ParseOptions {
    ParseOptions {
        allow_comments: true,
        allow_trailing_commas: true,
        allow_loose_object_property_names: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    }
}

/// Parses JSONC text to a JSON value; an empty file is an error.
pub fn parse_value(path: &Path, text: &str) -> Result<serde_json::Value> {
    let value: Option<serde_json::Value> =
        jsonc_parser::parse_to_serde_value(text, &parse_options()).map_err(|e| Error::Parse {
            path: path.to_path_buf(),
            line: e.line_display(),
            column: e.column_display(),
            message: e.kind().to_string(),
        })?;
    value.ok_or_else(|| {
        // `None` is an empty document, or one that holds `null`.
        let tokens = jsonc_parser::CollectOptions {
            comments: jsonc_parser::CommentCollectionStrategy::Off,
            tokens: true,
        };
        let holds_null = jsonc_parser::parse_to_ast(text, &tokens, &parse_options())
            .ok()
            .and_then(|p| p.tokens)
            .is_some_and(|t| !t.is_empty());
        Error::Parse {
            path: path.to_path_buf(),
            line: 1,
            column: 1,
            message: if holds_null {
                "the file holds `null`, not a JSON object".into()
            } else {
                "the file is empty".into()
            },
        }
    })
}

/// 1-based line and column of the value at `key` in `text`, if present.
/// For a missing key, the position of its nearest present ancestor.
pub fn locate(text: &str, key: &KeyPath) -> Option<(usize, usize)> {
    let collect = jsonc_parser::CollectOptions {
        comments: jsonc_parser::CommentCollectionStrategy::Off,
        tokens: false,
    };
    let parsed = jsonc_parser::parse_to_ast(text, &collect, &parse_options()).ok()?;
    let mut node = parsed.value.as_ref()?;
    let mut offset = range_of(node).start;
    for seg in &key.0 {
        let next = match (seg, node) {
            (KeySegment::Key(k), ast::Value::Object(obj)) => {
                obj.properties.iter().find(|p| p.name.as_str() == k).map(|p| &p.value)
            }
            (KeySegment::Index(i), ast::Value::Array(arr)) => arr.elements.get(*i),
            _ => None,
        };
        match next {
            Some(n) => {
                node = n;
                offset = range_of(n).start;
            }
            None => break,
        }
    }
    Some(line_col(text, offset))
}

/// Whether `key` is present in the file's text.
pub fn contains(value: &serde_json::Value, key: &KeyPath) -> bool {
    lookup(value, key).is_some()
}

/// The value at `key`, if present.
pub fn lookup<'v>(value: &'v serde_json::Value, key: &KeyPath) -> Option<&'v serde_json::Value> {
    let mut node = value;
    for seg in &key.0 {
        node = match seg {
            KeySegment::Key(k) => node.get(k)?,
            KeySegment::Index(i) => node.get(*i)?,
        };
    }
    Some(node)
}

fn range_of(v: &ast::Value<'_>) -> jsonc_parser::common::Range {
    match v {
        ast::Value::StringLit(n) => n.range,
        ast::Value::NumberLit(n) => n.range,
        ast::Value::BooleanLit(n) => n.range,
        ast::Value::Object(n) => n.range,
        ast::Value::Array(n) => n.range,
        ast::Value::NullKeyword(n) => n.range,
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// A deserialisation outcome: the typed value and the key paths that were not recognised.
pub struct Typed<T> {
    /// The typed value.
    pub value: T,
    /// Unknown keys, as dotted paths.
    pub unknown_keys: Vec<String>,
}

/// Deserialises `value` into `T`, collecting unknown keys; a type error is reported at the
/// location `locate_in` gives for its key path (file, line, column).
pub fn deserialize<T: DeserializeOwned>(
    value: &serde_json::Value,
    locate_in: impl Fn(&KeyPath) -> (std::path::PathBuf, usize, usize),
) -> Result<Typed<T>> {
    let mut unknown_keys = Vec::new();
    let mut track = serde_path_to_error::Track::new();
    let de = serde_path_to_error::Deserializer::new(value, &mut track);
    let result = serde_ignored::deserialize(de, |path| unknown_keys.push(path.to_string()));
    match result {
        Ok(value) => Ok(Typed { value, unknown_keys }),
        Err(err) => {
            let key = KeyPath::from_serde(&track.path());
            let (path, line, column) = locate_in(&key);
            Err(Error::Invalid {
                path,
                line,
                column,
                key: key.to_string(),
                message: err.to_string(),
            })
        }
    }
}

/// The text of a JSONC file: a directory is refused, bytes that are not UTF-8 are an error
/// at their line, column and byte offset (exit 2, like any other bad input), and a UTF-8
/// byte order mark is dropped (as TypeScript and editors accept it).
pub fn read_text(path: &Path) -> Result<String> {
    if path.is_dir() {
        return Err(Error::NotAFile {
            path: path.to_path_buf(),
        });
    }
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let valid = String::from_utf8_lossy(&e.as_bytes()[..offset]).into_owned();
        let line = valid.matches('\n').count() + 1;
        let column = valid.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        Error::Parse {
            path: path.to_path_buf(),
            line,
            column,
            message: format!("the file is not valid UTF-8 (byte offset {offset})"),
        }
    })?;
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    })
}

/// Reads, parses and deserialises one JSONC file.
pub fn read_file<T: DeserializeOwned>(path: &Path) -> Result<Typed<T>> {
    let text = read_text(path)?;
    let value = parse_value(path, &text)?;
    deserialize(&value, |key| {
        let (line, col) = locate(&text, key).unwrap_or((1, 1));
        (path.to_path_buf(), line, col)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_nested_keys_and_indices() {
        let text = "{\n  // c\n  \"a\": {\n    \"b\": [1, \"x\"],\n  },\n}";
        let key = KeyPath(vec![
            KeySegment::Key("a".into()),
            KeySegment::Key("b".into()),
            KeySegment::Index(1),
        ]);
        assert_eq!(locate(text, &key), Some((4, 14)));
        assert_eq!(key.to_string(), "a.b[1]");
    }

    #[test]
    fn rejects_single_quotes_but_accepts_comments_and_trailing_commas() {
        let p = Path::new("x.json");
        assert!(parse_value(p, "{ /* c */ \"a\": 1, }").is_ok());
        let err = parse_value(p, "{\n 'a': 1 }").unwrap_err();
        assert!(matches!(err, Error::Parse { line: 2, .. }), "{err}");
        assert!(parse_value(p, "  ").is_err());
    }

    #[test]
    fn dotted_keys_parse_indices() {
        let k = KeyPath::parse_dotted("observer.watch.paths.0");
        assert_eq!(k.to_string(), "observer.watch.paths[0]");
    }
}
