//! What `nuxt.config.*` says, when it says it literally, about where auto-imports come
//! from: `srcDir`, `components` folders and `imports.dirs`. Anything computed is ignored
//! (the defaults apply).

use oxc_allocator::Allocator;
use oxc_ast::ast::{ArrayExpressionElement, Expression, ObjectExpression, ObjectPropertyKind, Statement};
use oxc_parser::Parser;
use oxc_span::SourceType;

/// A folder of auto-imported components.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComponentDir {
    /// As written (`~/components`, `./components/ui`, `{ path: '…' }`).
    pub path: String,
    /// Prefix of every component name (`prefix: 'Ui'`).
    pub prefix: String,
    /// Whether sub-folder names prefix the component names (`pathPrefix`, default true).
    pub path_prefix: bool,
}

/// The literal parts of a Nuxt config that matter for auto-imports.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NuxtConfig {
    /// `srcDir`, as written.
    pub src_dir: Option<String>,
    /// `components`: `None` for the default (`components/`), `Some(vec![])` for `false`.
    pub component_dirs: Option<Vec<ComponentDir>>,
    /// `imports.dirs`, as written.
    pub import_dirs: Vec<String>,
}

/// Reads the config from its text (`path` decides the dialect); never fails: what is not
/// literal is left at its default.
pub fn parse(path: &str, text: &str) -> NuxtConfig {
    let allocator = Allocator::default();
    let source_type = SourceType::from_path(path).unwrap_or_else(|_| SourceType::ts());
    let ret = Parser::new(&allocator, text, source_type).parse();
    let mut config = NuxtConfig::default();
    for statement in &ret.program.body {
        let Statement::ExportDefaultDeclaration(decl) = statement else {
            continue;
        };
        let Some(expr) = decl.declaration.as_expression() else {
            continue;
        };
        let object = match expr.get_inner_expression() {
            Expression::ObjectExpression(o) => Some(o),
            Expression::CallExpression(call) => match call.arguments.first().and_then(|a| a.as_expression()) {
                Some(Expression::ObjectExpression(o)) => Some(o),
                _ => None,
            },
            _ => None,
        };
        if let Some(object) = object {
            read_root(object, &mut config);
        }
    }
    config
}

fn property<'b, 'a>(object: &'b ObjectExpression<'a>, name: &str) -> Option<&'b Expression<'a>> {
    object.properties.iter().find_map(|p| match p {
        ObjectPropertyKind::ObjectProperty(p) if p.key.static_name().as_deref() == Some(name) => Some(&p.value),
        _ => None,
    })
}

fn string(expr: &Expression<'_>) -> Option<String> {
    match expr {
        Expression::StringLiteral(s) => Some(s.value.to_string()),
        Expression::TemplateLiteral(t) if t.expressions.is_empty() => {
            Some(t.quasis.iter().map(|q| q.value.raw.as_str()).collect())
        }
        _ => None,
    }
}

fn read_root(object: &ObjectExpression<'_>, config: &mut NuxtConfig) {
    config.src_dir = property(object, "srcDir").and_then(string);
    match property(object, "components") {
        Some(Expression::BooleanLiteral(b)) if !b.value => config.component_dirs = Some(Vec::new()),
        Some(Expression::ArrayExpression(a)) => config.component_dirs = Some(component_dirs(&a.elements)),
        Some(Expression::ObjectExpression(o)) => {
            if let Some(Expression::ArrayExpression(a)) = property(o, "dirs") {
                config.component_dirs = Some(component_dirs(&a.elements));
            }
        }
        _ => {}
    }
    if let Some(Expression::ObjectExpression(imports)) = property(object, "imports")
        && let Some(Expression::ArrayExpression(dirs)) = property(imports, "dirs")
    {
        config.import_dirs = dirs
            .elements
            .iter()
            .filter_map(|e| e.as_expression().and_then(string))
            .collect();
    }
}

fn component_dirs(elements: &[ArrayExpressionElement<'_>]) -> Vec<ComponentDir> {
    elements
        .iter()
        .filter_map(|e| match e.as_expression()? {
            Expression::ObjectExpression(o) => Some(ComponentDir {
                path: property(o, "path").and_then(string)?,
                prefix: property(o, "prefix").and_then(string).unwrap_or_default(),
                path_prefix: !matches!(property(o, "pathPrefix"), Some(Expression::BooleanLiteral(b)) if !b.value),
            }),
            other => Some(ComponentDir {
                path: string(other)?,
                prefix: String::new(),
                path_prefix: true,
            }),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_dirs_are_read() {
        let text = "export default defineNuxtConfig({ srcDir: 'src/', components: ['~/components', \
                    { path: '~/ui', pathPrefix: false, prefix: 'Ui' }], imports: { dirs: ['./composables/api'] } })";
        let config = parse("nuxt.config.ts", text);
        assert_eq!(config.src_dir.as_deref(), Some("src/"));
        assert_eq!(
            config.component_dirs,
            Some(vec![
                ComponentDir {
                    path: "~/components".into(),
                    prefix: String::new(),
                    path_prefix: true
                },
                ComponentDir {
                    path: "~/ui".into(),
                    prefix: "Ui".into(),
                    path_prefix: false
                },
            ])
        );
        assert_eq!(config.import_dirs, vec!["./composables/api"]);
        assert_eq!(parse("nuxt.config.ts", "export default {}"), NuxtConfig::default());
    }
}
