//! React Router v7 framework mode: the route config `app/routes.ts`, read statically.
//!
//! The config's default export is evaluated as far as it is made of what `@react-router/dev`
//! documents: `route(path, file, [options], [children])`, `index(file)`,
//! `layout(file, [options], [children])`, `prefix(path, routes)`, array literals and spreads,
//! `const` arrays of the same file, `satisfies` / `as` / `await` / parentheses, `flatRoutes()`
//! of `@react-router/fs-routes` (the Remix v2 flat-routes convention, options `rootDirectory`
//! and `ignoredRouteFiles`), and `remixRoutesOptionAdapter(d => flatRoutes('routes', d, …))`
//! with `flatRoutes` of `remix-flat-routes` (its hybrid `+` folder convention), and
//! `autoRoutes()` of `react-router-auto-routes` (options `routesDir`, `ignoredRouteFiles`).
//! Anything else (an unknown call, a computed path) is left out with a warning naming the
//! file, the line and the construct; routes around it are kept.
//!
//! The app directory is `app` unless `react-router.config.*` sets `appDirectory` to a string.

use std::collections::HashMap;

use oxc_allocator::Allocator;
use oxc_ast::ast::{
    Argument, ArrayExpressionElement, ArrowFunctionBody, CallExpression, ExportDefaultDeclarationKind, Expression,
    ImportDeclarationSpecifier, ObjectExpression, ObjectPropertyKind, Program, Statement,
};
use oxc_parser::Parser;
use oxc_span::{GetSpan, SourceType};

use super::paths::{SOURCE_EXTS, split_dir};
use super::{Route, RouteKind};

/// Reads a project-relative file; `None` when it cannot be read.
pub(super) type Reader<'r> = &'r dyn Fn(&str) -> Option<String>;

/// One entry of a route config, as React Router builds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Entry {
    /// Path relative to the parent entry (`None`: a pathless layout or an index route).
    pub(super) path: Option<String>,
    /// Whether this is an index route (rendered at its parent's URL).
    pub(super) index: bool,
    /// The route module (project-relative).
    pub(super) file: String,
    /// Nested entries.
    pub(super) children: Vec<Entry>,
}

/// Routes of a React Router app whose route config could be read, and that config's path,
/// with warnings about the parts of it that could not. `None` when the app has no `routes.*`
/// config file or its default export could not be read at all.
pub(super) fn discover(files: &[String], read: Reader<'_>, warnings: &mut Vec<String>) -> Option<(Vec<Route>, String)> {
    let app_dir = app_directory(files, read, warnings);
    let config = SOURCE_EXTS
        .iter()
        .map(|ext| format!("{app_dir}/routes.{ext}"))
        .find(|candidate| files.contains(candidate))?;
    let Some(text) = read(&config) else {
        warnings.push(format!(
            "{config}: could not be read; the flat-routes convention was assumed"
        ));
        return None;
    };
    let entries = evaluate(&config, &text, &app_dir, files, warnings)?;
    let root = files.iter().find(|file| {
        let (dir, name) = split_dir(file);
        dir == app_dir && super::paths::source_stem(name) == Some("root")
    });
    let mut routes = Vec::new();
    let outer: Vec<String> = root.into_iter().cloned().collect();
    flatten(&entries, "", &outer, &mut routes);
    for route in &routes {
        // Only JS / TS modules are listed: an `.mdx` route module cannot be checked.
        let listable = super::paths::source_stem(split_dir(&route.file).1).is_some();
        if listable && !files.contains(&route.file) {
            warnings.push(format!(
                "{config}: route `{}` names `{}`, which does not exist",
                route.pattern, route.file
            ));
        }
    }
    Some((routes, config))
}

/// The app directory: `appDirectory` of `react-router.config.*` when it is a string literal,
/// else `app`.
fn app_directory(files: &[String], read: Reader<'_>, warnings: &mut Vec<String>) -> String {
    let default = "app".to_owned();
    let Some(config) = ["ts", "mts", "js", "mjs"]
        .iter()
        .map(|ext| format!("react-router.config.{ext}"))
        .find(|candidate| files.contains(candidate))
    else {
        return default;
    };
    let Some(text) = read(&config) else { return default };
    let allocator = Allocator::default();
    let parsed = Parser::new(&allocator, &text, source_type(&config)).parse();
    let object = parsed.program.body.iter().find_map(|statement| match statement {
        Statement::ExportDefaultDeclaration(export) => export.declaration.as_expression().map(unwrap_expression),
        _ => None,
    });
    let Some(Expression::ObjectExpression(object)) = object else {
        return default;
    };
    match property(object, "appDirectory").map(unwrap_expression) {
        None => default,
        Some(value) => string_of(value).map_or_else(
            || {
                warnings.push(format!(
                    "{config}: `appDirectory` is not a string literal; `app` was assumed"
                ));
                default
            },
            |dir| dir.trim_start_matches("./").trim_end_matches('/').to_owned(),
        ),
    }
}

/// The source type for a config file name.
fn source_type(path: &str) -> SourceType {
    SourceType::from_path(path).unwrap_or_else(|_| SourceType::ts())
}

/// Evaluates the route config `config` (text `text`); `None` (with a warning) when it has no
/// default export that could be read at all.
fn evaluate(
    config: &str,
    text: &str,
    app_dir: &str,
    files: &[String],
    warnings: &mut Vec<String>,
) -> Option<Vec<Entry>> {
    let allocator = Allocator::default();
    let parsed = Parser::new(&allocator, text, source_type(config)).parse();
    if parsed.panicked {
        warnings.push(format!(
            "{config}: does not parse; the flat-routes convention was assumed"
        ));
        return None;
    }
    let mut eval = Evaluator::new(config, text, app_dir, files, &parsed.program);
    let export = parsed.program.body.iter().find_map(|statement| match statement {
        Statement::ExportDefaultDeclaration(export) => Some(&export.declaration),
        _ => None,
    });
    let entries = match export.and_then(ExportDefaultDeclarationKind::as_expression) {
        Some(expression) => eval.entries(expression),
        None => {
            eval.warn(0, "has no default export of routes".into());
            None
        }
    };
    warnings.append(&mut eval.warnings);
    if entries.is_none() {
        warnings.push(format!("{config}: the flat-routes convention was assumed"));
    }
    entries
}

/// Strips what does not change a value: parentheses, `satisfies`, `as`, `!`, `await`.
fn unwrap_expression<'e, 'a>(mut expression: &'e Expression<'a>) -> &'e Expression<'a> {
    loop {
        expression = match expression {
            Expression::ParenthesizedExpression(inner) => &inner.expression,
            Expression::TSSatisfiesExpression(inner) => &inner.expression,
            Expression::TSAsExpression(inner) => &inner.expression,
            Expression::TSNonNullExpression(inner) => &inner.expression,
            Expression::AwaitExpression(inner) => &inner.argument,
            other => return other,
        };
    }
}

/// A string literal, or a template literal without placeholders.
fn string_of(expression: &Expression<'_>) -> Option<String> {
    match unwrap_expression(expression) {
        Expression::StringLiteral(literal) => Some(literal.value.to_string()),
        Expression::TemplateLiteral(template) if template.expressions.is_empty() => {
            template.quasis.first()?.value.cooked.map(|cooked| cooked.to_string())
        }
        _ => None,
    }
}

/// The value of the property `name` of an object literal.
fn property<'e, 'a>(object: &'e ObjectExpression<'a>, name: &str) -> Option<&'e Expression<'a>> {
    object.properties.iter().find_map(|property| match property {
        ObjectPropertyKind::ObjectProperty(property) if property.key.static_name().as_deref() == Some(name) => {
            Some(&property.value)
        }
        _ => None,
    })
}

/// A list of string literals (`ignoredRouteFiles`); `None` when it is not one.
fn strings_of(expression: &Expression<'_>) -> Option<Vec<String>> {
    let Expression::ArrayExpression(array) = unwrap_expression(expression) else {
        return None;
    };
    array
        .elements
        .iter()
        .map(|element| element.as_expression().and_then(string_of))
        .collect()
}

/// The evaluation of one route config file.
struct Evaluator<'e, 'a> {
    /// The config file (project-relative), for warnings.
    config: &'e str,
    /// Its text, for line numbers.
    text: &'e str,
    /// The app directory (project-relative).
    app_dir: &'e str,
    /// Every project file.
    files: &'e [String],
    /// Imported bindings: local name to `(module, imported name)`.
    imports: HashMap<String, (String, String)>,
    /// Top-level `const` initialisers by name.
    consts: HashMap<String, &'e Expression<'a>>,
    /// Problems met.
    warnings: Vec<String>,
    /// Names of the constants being evaluated (no endless recursion).
    evaluating: Vec<String>,
}

impl<'e, 'a> Evaluator<'e, 'a> {
    /// Collects the imports and constants of `program`.
    fn new(config: &'e str, text: &'e str, app_dir: &'e str, files: &'e [String], program: &'e Program<'a>) -> Self {
        let mut imports = HashMap::new();
        let mut consts = HashMap::new();
        for statement in &program.body {
            match statement {
                Statement::ImportDeclaration(import) => {
                    for specifier in import.specifiers.iter().flatten() {
                        let (local, imported) = match specifier {
                            ImportDeclarationSpecifier::ImportSpecifier(specifier) => {
                                (&specifier.local, specifier.imported.name().to_string())
                            }
                            ImportDeclarationSpecifier::ImportDefaultSpecifier(specifier) => {
                                (&specifier.local, "default".to_owned())
                            }
                            ImportDeclarationSpecifier::ImportNamespaceSpecifier(specifier) => {
                                (&specifier.local, "*".to_owned())
                            }
                        };
                        imports.insert(local.name.to_string(), (import.source.value.to_string(), imported));
                    }
                }
                Statement::VariableDeclaration(declaration) => collect_consts(declaration, &mut consts),
                Statement::ExportDeclaration(export) => {
                    if let oxc_ast::ast::Declaration::VariableDeclaration(declaration) = &export.declaration {
                        collect_consts(declaration, &mut consts);
                    }
                }
                _ => {}
            }
        }
        Evaluator {
            config,
            text,
            app_dir,
            files,
            imports,
            consts,
            warnings: Vec::new(),
            evaluating: Vec::new(),
        }
    }

    /// Records a problem at byte `offset` of the config.
    fn warn(&mut self, offset: u32, problem: String) {
        let line = self.text[..(offset as usize).min(self.text.len())]
            .matches('\n')
            .count()
            + 1;
        self.warnings.push(format!("{}:{line}: {problem}", self.config));
    }

    /// Records that the construct at `expression` is not understood.
    fn unknown(&mut self, expression: &Expression<'_>, what: &str) {
        let span = expression.span();
        let source = self.text[span.start as usize..span.end as usize]
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let snippet: String = source.chars().take(60).collect();
        let more = if source.chars().count() > 60 { "…" } else { "" };
        self.warn(
            span.start,
            format!("{what} `{snippet}{more}` is not understood; its routes are left out"),
        );
    }

    /// The entries an expression stands for (an array, a call returning entries, a constant);
    /// `None` (with a warning) when it cannot be read.
    fn entries(&mut self, expression: &Expression<'a>) -> Option<Vec<Entry>> {
        match unwrap_expression(expression) {
            Expression::ArrayExpression(array) => {
                let mut entries = Vec::new();
                for element in &array.elements {
                    match element {
                        ArrayExpressionElement::SpreadElement(spread) => {
                            entries.extend(self.entries(&spread.argument).unwrap_or_default());
                        }
                        ArrayExpressionElement::Elision(_) => {}
                        other => {
                            let Some(expression) = other.as_expression() else {
                                continue;
                            };
                            entries.extend(self.entries(expression).unwrap_or_default());
                        }
                    }
                }
                Some(entries)
            }
            Expression::Identifier(identifier) => {
                let name = identifier.name.to_string();
                match self.consts.get(&name).copied() {
                    Some(value) if !self.evaluating.contains(&name) => {
                        self.evaluating.push(name);
                        let entries = self.entries(value);
                        self.evaluating.pop();
                        entries
                    }
                    _ => {
                        self.unknown(expression, "the value");
                        None
                    }
                }
            }
            Expression::CallExpression(call) => self.call(call, expression),
            other => {
                self.unknown(other, "the expression");
                None
            }
        }
    }

    /// The function a call's callee names: `(module, imported name)`, the module empty for a
    /// name that is not imported. `ns.route` of `import * as ns` names `route` of that module;
    /// the default export of `remix-flat-routes` is its `flatRoutes`.
    fn callee(&self, call: &CallExpression<'_>) -> Option<(String, String)> {
        match unwrap_expression(&call.callee) {
            Expression::Identifier(identifier) => {
                let name = identifier.name.as_str();
                match self.imports.get(name) {
                    Some((module, imported)) if module == "remix-flat-routes" && imported == "default" => {
                        Some((module.clone(), "flatRoutes".to_owned()))
                    }
                    Some(import) => Some(import.clone()),
                    None => Some((String::new(), name.to_owned())),
                }
            }
            Expression::StaticMemberExpression(member) => {
                let Expression::Identifier(object) = unwrap_expression(&member.object) else {
                    return None;
                };
                let (module, imported) = self.imports.get(object.name.as_str())?;
                (imported == "*").then(|| (module.clone(), member.property.name.to_string()))
            }
            _ => None,
        }
    }

    /// The entries a call returns.
    fn call(&mut self, call: &CallExpression<'a>, expression: &Expression<'a>) -> Option<Vec<Entry>> {
        let Some((module, name)) = self.callee(call) else {
            self.unknown(expression, "the call");
            return None;
        };
        let args: Vec<&Expression<'a>> = call.arguments.iter().filter_map(Argument::as_expression).collect();
        if args.len() != call.arguments.len() {
            self.unknown(expression, "the call (spread arguments)");
            return None;
        }
        match (module.as_str(), name.as_str()) {
            ("@react-router/fs-routes", "flatRoutes") => Some(self.fs_routes(args.first().copied())),
            ("react-router-auto-routes", "autoRoutes" | "default") => Some(self.auto_routes(args.first().copied())),
            ("@react-router/remix-routes-option-adapter", "remixRoutesOptionAdapter") => {
                self.adapter(args.first().copied(), expression)
            }
            (_, "route") => self.route(&args, expression).map(|entry| vec![entry]),
            (_, "index") => self.index(&args, expression).map(|entry| vec![entry]),
            (_, "layout") => self.layout(&args, expression).map(|entry| vec![entry]),
            (_, "prefix") => self.prefix(&args, expression),
            _ => {
                self.unknown(expression, "the call");
                None
            }
        }
    }

    /// A route module path given relative to the app directory, made project-relative.
    fn module(&mut self, argument: Option<&&Expression<'a>>, expression: &Expression<'a>) -> Option<String> {
        let Some(file) = argument.and_then(|argument| string_of(argument)) else {
            self.unknown(expression, "the route file of");
            return None;
        };
        Some(join_file(self.app_dir, &file))
    }

    /// `route(path, file, [options], [children])`.
    fn route(&mut self, args: &[&Expression<'a>], expression: &Expression<'a>) -> Option<Entry> {
        let Some(path) = args.first().and_then(|path| string_of(path)) else {
            self.unknown(expression, "the path of");
            return None;
        };
        let file = self.module(args.get(1), expression)?;
        let children = self.children(args.get(2..).unwrap_or_default());
        Some(Entry {
            path: Some(path),
            index: false,
            file,
            children,
        })
    }

    /// `index(file, [options])`.
    fn index(&mut self, args: &[&Expression<'a>], expression: &Expression<'a>) -> Option<Entry> {
        let file = self.module(args.first(), expression)?;
        Some(Entry {
            path: None,
            index: true,
            file,
            children: Vec::new(),
        })
    }

    /// `layout(file, [options], [children])`.
    fn layout(&mut self, args: &[&Expression<'a>], expression: &Expression<'a>) -> Option<Entry> {
        let file = self.module(args.first(), expression)?;
        let children = self.children(args.get(1..).unwrap_or_default());
        Some(Entry {
            path: None,
            index: false,
            file,
            children,
        })
    }

    /// The children among the trailing arguments of `route` / `layout`: the first one that is
    /// not an options object.
    fn children(&mut self, args: &[&Expression<'a>]) -> Vec<Entry> {
        args.iter()
            .find(|argument| !matches!(unwrap_expression(argument), Expression::ObjectExpression(_)))
            .and_then(|argument| self.entries(argument))
            .unwrap_or_default()
    }

    /// `prefix(path, routes)`: the routes with `path` in front of theirs.
    fn prefix(&mut self, args: &[&Expression<'a>], expression: &Expression<'a>) -> Option<Vec<Entry>> {
        let Some(prefix) = args.first().and_then(|path| string_of(path)) else {
            self.unknown(expression, "the path of");
            return None;
        };
        let entries = self.entries(args.get(1)?)?;
        Some(prefixed(&prefix, entries))
    }

    /// `flatRoutes(options)` of `@react-router/fs-routes`.
    fn fs_routes(&mut self, options: Option<&Expression<'a>>) -> Vec<Entry> {
        let mut root = "routes".to_owned();
        let mut ignored = Vec::new();
        if let Some(options) = options {
            match unwrap_expression(options) {
                Expression::ObjectExpression(object) => {
                    if let Some(value) = property(object, "rootDirectory") {
                        match string_of(value) {
                            Some(dir) => root = dir.trim_start_matches("./").trim_end_matches('/').to_owned(),
                            None => self.unknown(value, "the `rootDirectory`"),
                        }
                    }
                    ignored = self.ignored(property(object, "ignoredRouteFiles"));
                }
                other => self.unknown(other, "the options"),
            }
        }
        super::remix::entries(self.files, &format!("{}/{root}/", self.app_dir), &ignored)
    }

    /// `autoRoutes(options)` of `react-router-auto-routes` (options `routesDir` as a string,
    /// `ignoredRouteFiles`).
    fn auto_routes(&mut self, options: Option<&Expression<'a>>) -> Vec<Entry> {
        let mut dir = "routes".to_owned();
        let mut ignored = Vec::new();
        if let Some(options) = options {
            match unwrap_expression(options) {
                Expression::ObjectExpression(object) => {
                    if let Some(value) = property(object, "routesDir") {
                        match string_of(value) {
                            Some(routes) => dir = routes.trim_start_matches("./").trim_end_matches('/').to_owned(),
                            None => self.unknown(value, "the `routesDir`"),
                        }
                    }
                    ignored = self.ignored(property(object, "ignoredRouteFiles"));
                    for option in ["paramChar", "colocationChar", "routeRegex", "visitFiles"] {
                        if let Some(value) = property(object, option) {
                            self.unknown(value, &format!("the `{option}` option"));
                        }
                    }
                }
                other => self.unknown(other, "the options"),
            }
        }
        super::auto_routes::entries(self.files, &format!("{}/{dir}", self.app_dir), &ignored)
    }

    /// The literal `ignoredRouteFiles` globs (a warning when they are not literal).
    fn ignored(&mut self, value: Option<&Expression<'a>>) -> Vec<String> {
        let Some(value) = value else { return Vec::new() };
        strings_of(value).unwrap_or_else(|| {
            self.unknown(value, "the `ignoredRouteFiles`");
            Vec::new()
        })
    }

    /// `remixRoutesOptionAdapter((defineRoutes) => flatRoutes('routes', defineRoutes, options))`
    /// with `flatRoutes` of `remix-flat-routes`.
    fn adapter(&mut self, function: Option<&Expression<'a>>, expression: &Expression<'a>) -> Option<Vec<Entry>> {
        let returned = function.and_then(|function| match unwrap_expression(function) {
            Expression::ArrowFunctionExpression(arrow) => match &arrow.body {
                ArrowFunctionBody::FunctionBody(body) => returned(&body.statements),
                body => body.as_expression(),
            },
            Expression::FunctionExpression(function) => {
                function.body.as_ref().and_then(|body| returned(&body.statements))
            }
            _ => None,
        });
        let call = match returned.map(unwrap_expression) {
            Some(Expression::CallExpression(call)) => call,
            _ => {
                self.unknown(expression, "the route adapter");
                return None;
            }
        };
        match self.callee(call) {
            Some((module, name)) if module == "remix-flat-routes" && name == "flatRoutes" => {}
            _ => {
                self.unknown(returned?, "the call");
                return None;
            }
        }
        let args: Vec<&Expression<'a>> = call.arguments.iter().filter_map(Argument::as_expression).collect();
        let dirs: Vec<String> = match args.first().map(|dir| unwrap_expression(dir)) {
            Some(dir @ Expression::ArrayExpression(_)) => strings_of(dir).unwrap_or_default(),
            Some(dir) => string_of(dir).into_iter().collect(),
            None => Vec::new(),
        };
        if dirs.is_empty() {
            self.unknown(returned?, "the route folder of");
            return None;
        }
        let mut app_dir = self.app_dir.to_owned();
        let mut ignored = Vec::new();
        if let Some(Expression::ObjectExpression(object)) = args.get(2).map(|options| unwrap_expression(options)) {
            ignored = self.ignored(property(object, "ignoredRouteFiles"));
            if let Some(value) = property(object, "appDir") {
                match string_of(value) {
                    Some(dir) => app_dir = dir.trim_start_matches("./").trim_end_matches('/').to_owned(),
                    None => self.unknown(value, "the `appDir`"),
                }
            }
            for option in [
                "basePath",
                "paramPrefixChar",
                "nestedDirectoryChar",
                "routeRegex",
                "visitFiles",
            ] {
                if let Some(value) = property(object, option) {
                    self.unknown(value, &format!("the `{option}` option"));
                }
            }
        }
        let dirs: Vec<String> = dirs
            .iter()
            .map(|dir| format!("{app_dir}/{}", dir.trim_start_matches("./").trim_end_matches('/')))
            .collect();
        Some(super::flat_routes::entries(self.files, &dirs, &ignored))
    }
}

/// The expression a function body returns (its first `return`).
fn returned<'e, 'a>(statements: &'e [Statement<'a>]) -> Option<&'e Expression<'a>> {
    statements.iter().find_map(|statement| match statement {
        Statement::ReturnStatement(ret) => ret.argument.as_ref(),
        _ => None,
    })
}

/// Records the `const` initialisers of a declaration.
fn collect_consts<'e, 'a>(
    declaration: &'e oxc_ast::ast::VariableDeclaration<'a>,
    consts: &mut HashMap<String, &'e Expression<'a>>,
) {
    for declarator in &declaration.declarations {
        if let (oxc_ast::ast::BindingPattern::BindingIdentifier(id), Some(init)) = (&declarator.id, &declarator.init) {
            consts.insert(id.name.to_string(), init);
        }
    }
}

/// A module path relative to the app directory, made project-relative.
fn join_file(app_dir: &str, file: &str) -> String {
    let mut parts: Vec<&str> = app_dir.split('/').filter(|part| !part.is_empty()).collect();
    for part in file.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

/// `prefix(path, entries)` as React Router defines it: routes with a path (and index routes)
/// get `path` in front; layouts pass it on to their children.
pub(super) fn prefixed(prefix: &str, entries: Vec<Entry>) -> Vec<Entry> {
    entries
        .into_iter()
        .map(|entry| {
            if entry.index || entry.path.is_some() {
                let path = match entry.path.as_deref() {
                    Some(path) if !path.is_empty() => join_paths(prefix, path),
                    _ => prefix.to_owned(),
                };
                Entry {
                    path: Some(path),
                    ..entry
                }
            } else {
                let children = prefixed(prefix, entry.children);
                Entry { children, ..entry }
            }
        })
        .collect()
}

/// Joins two route paths with one `/`.
fn join_paths(parent: &str, child: &str) -> String {
    let parent = parent.trim_end_matches('/');
    let child = child.trim_start_matches('/');
    match (parent.is_empty(), child.is_empty()) {
        (true, _) => child.to_owned(),
        (_, true) => parent.to_owned(),
        _ => format!("{parent}/{child}"),
    }
}

/// The routes of `entries` nested under a route at URL path `parent` and inside the files
/// `outer` (outermost first). An entry is a page when it is an index route, or has a path
/// and no index child of its own path; pathless layouts only wrap their children.
pub(super) fn flatten(entries: &[Entry], parent: &str, outer: &[String], routes: &mut Vec<Route>) {
    for entry in entries {
        let path = match entry.path.as_deref() {
            Some(path) if path.starts_with('/') => path.trim_matches('/').to_owned(),
            Some(path) => join_paths(parent, path),
            None => parent.to_owned(),
        };
        let has_index = entry.children.iter().any(|child| child.index && child.path.is_none());
        if entry.index || (entry.path.is_some() && !has_index) {
            routes.push(Route {
                app: None,
                pattern: format!("/{}", path.trim_matches('/')),
                kind: RouteKind::Page,
                file: entry.file.clone(),
                attached: outer.to_vec(),
            });
        }
        if !entry.children.is_empty() {
            let mut inner = outer.to_vec();
            inner.push(entry.file.clone());
            flatten(&entry.children, &path, &inner, routes);
        }
    }
}
