//! Literal values of a JavaScript or TypeScript config file (`svelte.config.js`,
//! `nuxt.config.ts`, `vite.config.ts`), read statically: the exported object as far as it is
//! written in literals. Nothing is executed; whatever is computed at run time reads as
//! [`ConfigValue::Unknown`].
//!
//! Understood: `export default {…}`, `export default defineConfig({…})` (any wrapper call
//! whose first argument is the object, or an arrow function returning it), `module.exports =
//! {…}`, a top-level `const config = {…}` exported by name, `satisfies`/`as` casts, and the
//! path expressions configs use for directories: `path.resolve(__dirname, 'src')`,
//! `resolve('./src')`, `join(__dirname, …)`, `fileURLToPath(new URL('./src',
//! import.meta.url))`, `new URL(…).pathname`.

use std::path::Path;

use oxc_allocator::Allocator;
use oxc_ast::ast::{
    Argument, ArrayExpressionElement, AssignmentTarget, Expression, ObjectPropertyKind, Statement, VariableDeclaration,
};
use oxc_parser::Parser;
use oxc_span::SourceType;

/// A value of a config file.
#[derive(Debug, Clone, PartialEq)]
pub enum ConfigValue {
    /// A string literal (or a template literal without placeholders).
    Str(String),
    /// A path computed from the config file's folder (`path.resolve(__dirname, 'src')`):
    /// relative to that folder, `/` separators.
    Path(String),
    /// An object literal, properties in order (spreads and computed keys left out).
    Object(Vec<(String, ConfigValue)>),
    /// An array literal.
    Array(Vec<ConfigValue>),
    /// `true` or `false`.
    Bool(bool),
    /// A regular expression literal: its pattern (flags left out).
    Regex(String),
    /// Anything computed at run time.
    Unknown,
}

impl ConfigValue {
    /// The property `key` of an object.
    pub fn get(&self, key: &str) -> Option<&ConfigValue> {
        match self {
            ConfigValue::Object(props) => props.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The value at a dotted path of property names (`kit.alias`).
    pub fn at(&self, dotted: &str) -> Option<&ConfigValue> {
        dotted.split('.').try_fold(self, |value, key| value.get(key))
    }

    /// A string or path value as written (paths relative to the config's folder).
    pub fn as_str(&self) -> Option<&str> {
        match self {
            ConfigValue::Str(s) | ConfigValue::Path(s) => Some(s),
            _ => None,
        }
    }
}

/// Reads the exported config of the file at `path`; `None` when it cannot be read or parsed,
/// or exports nothing readable.
pub fn read_config(path: &Path) -> Option<ConfigValue> {
    let text = std::fs::read_to_string(path).ok()?;
    parse_config(path, &text)
}

/// Like [`read_config`] on the text of a file at `path` (its extension picks the dialect).
pub fn parse_config(path: &Path, text: &str) -> Option<ConfigValue> {
    let allocator = Allocator::default();
    let source_type = SourceType::from_path(path).unwrap_or_else(|_| SourceType::ts());
    let ret = Parser::new(&allocator, text, source_type).parse();
    if ret.panicked {
        return None;
    }
    let reader = Reader {
        statements: &ret.program.body,
    };
    ret.program.body.iter().find_map(|statement| reader.exported(statement))
}

/// Evaluates expressions against the file's top-level `const` declarations.
struct Reader<'s, 'a> {
    statements: &'s [Statement<'a>],
}

impl<'a> Reader<'_, 'a> {
    fn exported(&self, statement: &Statement<'a>) -> Option<ConfigValue> {
        let expr = match statement {
            Statement::ExportDefaultDeclaration(decl) => decl.declaration.as_expression()?,
            Statement::ExpressionStatement(s) => match &s.expression {
                Expression::AssignmentExpression(assign) if is_module_exports(&assign.left) => &assign.right,
                _ => return None,
            },
            _ => return None,
        };
        match self.config_object(expr, 0) {
            ConfigValue::Unknown => None,
            value => Some(value),
        }
    }

    /// The object a config expression stands for: through wrapper calls, arrow functions,
    /// casts and `const` references.
    fn config_object(&self, expr: &Expression<'a>, depth: usize) -> ConfigValue {
        if depth > 8 {
            return ConfigValue::Unknown;
        }
        match expr.without_parentheses() {
            Expression::CallExpression(call) => match call.arguments.first().and_then(Argument::as_expression) {
                Some(first) => self.config_object(first, depth + 1),
                None => ConfigValue::Unknown,
            },
            Expression::ArrowFunctionExpression(arrow) => match arrow.body.as_expression() {
                Some(body) => self.config_object(body, depth + 1),
                None => ConfigValue::Unknown,
            },
            other => self.value(other, depth),
        }
    }

    fn value(&self, expr: &Expression<'a>, depth: usize) -> ConfigValue {
        if depth > 16 {
            return ConfigValue::Unknown;
        }
        match expr.without_parentheses() {
            Expression::StringLiteral(s) => ConfigValue::Str(s.value.to_string()),
            Expression::TemplateLiteral(t) if t.expressions.is_empty() => {
                ConfigValue::Str(t.quasis.iter().map(|q| q.value.raw.as_str()).collect())
            }
            Expression::BooleanLiteral(b) => ConfigValue::Bool(b.value),
            Expression::RegExpLiteral(r) => ConfigValue::Regex(r.regex.pattern.text.to_string()),
            Expression::ObjectExpression(object) => ConfigValue::Object(
                object
                    .properties
                    .iter()
                    .filter_map(|property| match property {
                        ObjectPropertyKind::ObjectProperty(p) if !p.computed => {
                            Some((p.key.static_name()?.to_string(), self.value(&p.value, depth + 1)))
                        }
                        _ => None,
                    })
                    .collect(),
            ),
            Expression::ArrayExpression(array) => ConfigValue::Array(
                array
                    .elements
                    .iter()
                    .map(|element| match element {
                        ArrayExpressionElement::SpreadElement(_) | ArrayExpressionElement::Elision(_) => {
                            ConfigValue::Unknown
                        }
                        other => other
                            .as_expression()
                            .map_or(ConfigValue::Unknown, |e| self.value(e, depth + 1)),
                    })
                    .collect(),
            ),
            Expression::TSSatisfiesExpression(e) => self.value(&e.expression, depth + 1),
            Expression::TSAsExpression(e) => self.value(&e.expression, depth + 1),
            Expression::Identifier(id) => self
                .const_init(id.name.as_str())
                .map_or(ConfigValue::Unknown, |init| self.value(init, depth + 1)),
            Expression::CallExpression(call) => match callee_name(&call.callee).as_deref() {
                Some("resolve" | "join" | "path.resolve" | "path.join" | "fileURLToPath" | "url.fileURLToPath") => {
                    self.path_call(call.arguments.iter().filter_map(Argument::as_expression), depth)
                }
                // `defineConfig({...})` inside a property, e.g. a nested vite config.
                Some(_) => {
                    call.arguments
                        .first()
                        .and_then(Argument::as_expression)
                        .map_or(ConfigValue::Unknown, |first| match self.value(first, depth + 1) {
                            object @ ConfigValue::Object(_) => object,
                            _ => ConfigValue::Unknown,
                        })
                }
                None => ConfigValue::Unknown,
            },
            // `new URL('./src', import.meta.url)` and its `.pathname`.
            Expression::NewExpression(new) if matches!(&new.callee, Expression::Identifier(id) if id.name == "URL") => {
                let mut args = new.arguments.iter().filter_map(Argument::as_expression);
                match (args.next(), args.next()) {
                    (Some(Expression::StringLiteral(s)), Some(base)) if is_import_meta_url(base) => {
                        ConfigValue::Path(normalize_relative(&s.value))
                    }
                    _ => ConfigValue::Unknown,
                }
            }
            Expression::StaticMemberExpression(member) if member.property.name == "pathname" => {
                match self.value(&member.object, depth + 1) {
                    path @ ConfigValue::Path(_) => path,
                    _ => ConfigValue::Unknown,
                }
            }
            _ => ConfigValue::Unknown,
        }
    }

    /// `resolve(__dirname, 'a', 'b')`, `resolve('./src')`, `fileURLToPath(new URL(…))`: a path
    /// relative to the config's folder when every part is literal.
    fn path_call<'e>(&self, args: impl Iterator<Item = &'e Expression<'a>>, depth: usize) -> ConfigValue
    where
        'a: 'e,
    {
        let mut parts: Vec<String> = Vec::new();
        for arg in args {
            match arg.without_parentheses() {
                Expression::Identifier(id) if id.name == "__dirname" || id.name == "process" => {}
                Expression::CallExpression(call) if callee_name(&call.callee).as_deref() == Some("process.cwd") => {}
                Expression::StaticMemberExpression(m) if m.property.name == "dirname" => {}
                other => match self.value(other, depth + 1) {
                    ConfigValue::Str(s) if s.starts_with('/') => return ConfigValue::Unknown,
                    ConfigValue::Str(s) | ConfigValue::Path(s) => parts.push(s),
                    _ => return ConfigValue::Unknown,
                },
            }
        }
        ConfigValue::Path(normalize_relative(&parts.join("/")))
    }

    /// The initializer of a top-level `const name = …`.
    fn const_init(&self, name: &str) -> Option<&Expression<'a>> {
        self.statements.iter().find_map(|statement| {
            let declaration: &VariableDeclaration<'a> = match statement {
                Statement::VariableDeclaration(d) => d,
                Statement::ExportDeclaration(e) => match &e.declaration {
                    oxc_ast::ast::Declaration::VariableDeclaration(d) => d,
                    _ => return None,
                },
                _ => return None,
            };
            declaration
                .declarations
                .iter()
                .find(|d| d.id.get_identifier_name().is_some_and(|n| n == name))
                .and_then(|d| d.init.as_ref())
        })
    }
}

/// `a.b.c` of a callee made of identifiers and static members.
fn callee_name(callee: &Expression<'_>) -> Option<String> {
    match callee.without_parentheses() {
        Expression::Identifier(id) => Some(id.name.to_string()),
        Expression::StaticMemberExpression(m) => Some(format!("{}.{}", callee_name(&m.object)?, m.property.name)),
        _ => None,
    }
}

fn is_import_meta_url(expr: &Expression<'_>) -> bool {
    matches!(expr, Expression::StaticMemberExpression(m)
        if m.property.name == "url" && matches!(&m.object, Expression::ImportMeta(_)))
}

fn is_module_exports(target: &AssignmentTarget<'_>) -> bool {
    matches!(target, AssignmentTarget::StaticMemberExpression(m)
        if m.property.name == "exports" && matches!(&m.object, Expression::Identifier(id) if id.name == "module"))
}

/// `./src/` → `src`, `a//b/../c` → `a/c` (`..` above the start kept).
pub(crate) fn normalize_relative(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." if out.last().is_some_and(|last| *last != "..") => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(name: &str, text: &str) -> ConfigValue {
        parse_config(Path::new(name), text).unwrap()
    }

    #[test]
    fn reads_wrapped_objects_and_paths() {
        let svelte = "import adapter from '@sveltejs/adapter-auto';\n\
            const config = { kit: { adapter: adapter(), alias: { $components: 'src/components', '$ui/*': './src/ui/*' } } };\n\
            export default config;";
        let value = read("svelte.config.js", svelte);
        assert_eq!(
            value.at("kit.alias.$components"),
            Some(&ConfigValue::Str("src/components".into()))
        );
        assert_eq!(
            value.at("kit.alias.$ui/*").and_then(ConfigValue::as_str),
            Some("./src/ui/*")
        );
        assert_eq!(value.at("kit.adapter"), Some(&ConfigValue::Unknown));

        let vite = "import path from 'node:path';\nimport { fileURLToPath, URL } from 'node:url';\n\
            export default defineConfig(({ mode }) => ({ resolve: { alias: {\n\
              '@': fileURLToPath(new URL('./src', import.meta.url)),\n\
              '~lib': path.resolve(__dirname, 'src', 'lib'),\n\
              '#x': resolve('./x/'),\n\
              bad: path.resolve(process.env.HOME, 'x') } } }));";
        let value = read("vite.config.ts", vite);
        let alias = value.at("resolve.alias").unwrap();
        assert_eq!(alias.get("@"), Some(&ConfigValue::Path("src".into())));
        assert_eq!(alias.get("~lib"), Some(&ConfigValue::Path("src/lib".into())));
        assert_eq!(alias.get("#x"), Some(&ConfigValue::Path("x".into())));
        assert_eq!(alias.get("bad"), Some(&ConfigValue::Unknown));

        let nuxt = "export default defineNuxtConfig({ srcDir: 'client/', alias: { images: './assets/images' } } satisfies any)";
        let value = read("nuxt.config.ts", nuxt);
        assert_eq!(value.get("srcDir").and_then(ConfigValue::as_str), Some("client/"));

        let cjs = "module.exports = { resolve: { alias: [{ find: '@', replacement: '/src' }] } }";
        let value = read("vite.config.js", cjs);
        assert!(matches!(value.at("resolve.alias"), Some(ConfigValue::Array(items)) if items.len() == 1));
    }

    #[test]
    fn unreadable_configs_give_nothing() {
        assert!(parse_config(Path::new("a.js"), "export default load()").is_none());
        assert!(parse_config(Path::new("a.js"), "export default {{{").is_none());
        assert!(parse_config(Path::new("a.js"), "const x = 1;").is_none());
    }
}
