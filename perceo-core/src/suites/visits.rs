//! What each test of a spec file visits: per `test(...)`/`it(...)` (title, line), the URLs it
//! opens or asserts, read from the source with oxc.
//!
//! Understood: `page.goto(url)`, `page.waitForURL(url)`, `expect(page).toHaveURL(url)`,
//! `cy.visit(url)`, `cy.url().should('include' | 'eq' | 'contain', url)`,
//! `request.get/post/put/patch/delete/fetch(url)` (API tests), and, as helper calls, any
//! other call given a literal path (`'/settings'`) or an object whose `path`/`url`/`redirect…`
//! property is one. `beforeEach` visits count for every test of their `describe` (or file).
//! URLs come from string literals and template literals, whose placeholders become `*`
//! (`/t/${team}/documents` → `/t/*/documents`), from top-level constants of the same file
//! that hold such text, and from URL regexes that are literal paths (`/\/product\/[^/]+$/`
//! → `/product/*`). Not followed: helpers that build the URL from
//! a parameter inside another file (the call site's literal is what counts).

use std::collections::HashMap;

use oxc_allocator::Allocator;
use oxc_ast::ast::{
    Argument, CallExpression, Declaration, ExportDefaultDeclarationKind, Expression, Function,
    ImportDeclarationSpecifier, ObjectPropertyKind, Program, Statement,
};
use oxc_ast_visit::{Visit as AstVisit, walk};
use oxc_parser::Parser;
use oxc_span::{GetSpan, SourceType};
use serde::Serialize;

/// How a test reaches a URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum VisitKind {
    /// `page.goto`, `cy.visit`.
    Goto,
    /// `page.waitForURL`, `expect(page).toHaveURL`, `cy.url().should(...)`.
    UrlAssertion,
    /// `request.get(...)` and friends: an API call.
    Request,
    /// A literal path given to another function (a helper of the suite).
    Helper,
}

/// One URL a test visits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Visit {
    /// The URL as written, placeholders as `*`.
    pub url: String,
    /// 1-based line of the call.
    pub line: u32,
    /// How.
    pub kind: VisitKind,
}

/// One test of a spec file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TestCase {
    /// The spec file (project-relative).
    pub file: String,
    /// 1-based line of the `test(...)` call.
    pub line: u32,
    /// Its title, `describe` titles first, joined with ` › ` (as Playwright prints them).
    pub title: String,
    /// What it visits, in source order (its `beforeEach` visits last).
    pub visits: Vec<Visit>,
}

/// Visits of helper functions by name: what a call to each makes a test visit.
pub type Helpers = HashMap<String, Vec<Visit>>;

/// A module of a suite as far as linking needs it: its tests, the visits of its top-level
/// functions (through the functions of the same module they call), and what it imports from
/// relative paths (`(local name, source, imported name)`; `default` for a default import).
#[derive(Debug, Default)]
pub struct SuiteModule {
    /// The tests, with the visits of same-module helpers they call.
    pub tests: Vec<TestCase>,
    /// Visits of the module's functions, by their exported (or local) name.
    pub helpers: Helpers,
    /// Relative imports: `(local name, source, imported name)`.
    pub imports: Vec<(String, String, String)>,
}

/// The tests of the spec file `file` with the text `text` (helpers of the same file followed).
pub fn tests_in(file: &str, text: &str) -> Vec<TestCase> {
    read_module(file, text, &Helpers::new()).tests
}

/// Reads a module of a suite; `imported` are the visits of helpers it imports (by local name).
pub fn read_module(file: &str, text: &str, imported: &Helpers) -> SuiteModule {
    let allocator = Allocator::default();
    let source_type = SourceType::from_path(file).unwrap_or_else(|_| SourceType::tsx());
    let ret = Parser::new(&allocator, text, source_type).parse();
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(at, _)| at + 1))
        .collect();
    let constants = module_constants(&ret.program);
    let mut helpers = imported.clone();
    helpers.extend(local_helpers(file, &line_starts, &ret.program, imported, &constants));
    let mut collector = Collector::new(file, line_starts, &helpers, &constants);
    collector.visit_program(&ret.program);
    let root = collector.scopes.pop().unwrap_or_default();
    collector.close_scope(root);
    SuiteModule {
        tests: collector.tests,
        helpers: exported_helpers(&ret.program, &helpers),
        imports: relative_imports(&ret.program),
    }
}

/// The top-level functions of a program (`function f`, `const f = () => …`, exported or not)
/// with their bodies' visits, the calls between them followed three deep.
fn local_helpers(
    file: &str,
    line_starts: &[usize],
    program: &Program<'_>,
    imported: &Helpers,
    constants: &Constants,
) -> Helpers {
    let mut found: Vec<(String, Vec<Visit>, Vec<String>)> = Vec::new();
    for statement in &program.body {
        for (name, body) in top_level_functions(statement) {
            let mut collector = Collector::new(file, line_starts.to_vec(), imported, constants);
            collector.tests.push(TestCase {
                file: file.to_string(),
                line: 0,
                title: String::new(),
                visits: Vec::new(),
            });
            collector.current = Some(Target::Test(0));
            match body {
                Body::Expression(e) => collector.visit_expression(e),
                Body::Function(f) => {
                    if let Some(body) = &f.body {
                        collector.visit_function_body(body);
                    }
                }
            }
            let visits = collector.tests.pop().map(|t| t.visits).unwrap_or_default();
            found.push((name, visits, collector.calls));
        }
    }
    let direct: HashMap<String, (Vec<Visit>, Vec<String>)> = found
        .into_iter()
        .map(|(name, visits, calls)| (name, (visits, calls)))
        .collect();
    let mut helpers = Helpers::new();
    for name in direct.keys() {
        let mut visits = Vec::new();
        let mut frontier = vec![name.clone()];
        let mut seen = vec![name.clone()];
        for _ in 0..3 {
            let mut next = Vec::new();
            for current in &frontier {
                if let Some((own, calls)) = direct.get(current) {
                    visits.extend(own.iter().cloned());
                    for call in calls {
                        if !seen.contains(call) {
                            seen.push(call.clone());
                            next.push(call.clone());
                        }
                    }
                }
            }
            frontier = next;
        }
        helpers.insert(name.clone(), visits);
    }
    helpers
}

/// A top-level function: a declaration, or an expression bound to a name.
enum Body<'s, 'a> {
    Expression(&'s Expression<'a>),
    Function(&'s Function<'a>),
}

/// `(name, body)` of the functions a top-level statement declares.
fn top_level_functions<'s, 'a>(statement: &'s Statement<'a>) -> Vec<(String, Body<'s, 'a>)> {
    let declared = |f: &'s Function<'a>| -> Vec<(String, Body<'s, 'a>)> {
        f.id.as_ref()
            .map(|id| (id.name.to_string(), Body::Function(f)))
            .into_iter()
            .collect()
    };
    let declaration = match statement {
        Statement::FunctionDeclaration(f) => return declared(f),
        Statement::VariableDeclaration(d) => Some(&**d),
        Statement::ExportDeclaration(e) => match &e.declaration {
            Declaration::VariableDeclaration(d) => Some(&**d),
            Declaration::FunctionDeclaration(f) => return declared(f),
            _ => None,
        },
        _ => None,
    };
    let Some(declaration) = declaration else {
        return Vec::new();
    };
    declaration
        .declarations
        .iter()
        .filter_map(|d| {
            let name = d.id.get_identifier_name()?.to_string();
            let init = d.init.as_ref()?;
            matches!(
                init.without_parentheses(),
                Expression::ArrowFunctionExpression(_) | Expression::FunctionExpression(_)
            )
            .then_some((name, Body::Expression(init)))
        })
        .collect()
}

/// The helpers a module offers to importers: every top-level function by name (a default
/// export as `default`).
fn exported_helpers(program: &Program<'_>, helpers: &Helpers) -> Helpers {
    let mut out = helpers.clone();
    for statement in &program.body {
        if let Statement::ExportDefaultDeclaration(e) = statement
            && let ExportDefaultDeclarationKind::Identifier(id) = &e.declaration
            && let Some(visits) = helpers.get(id.name.as_str())
        {
            out.insert("default".to_string(), visits.clone());
        }
    }
    out
}

/// `(local name, source, imported name)` of the imports from relative paths.
fn relative_imports(program: &Program<'_>) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for statement in &program.body {
        let Statement::ImportDeclaration(import) = statement else {
            continue;
        };
        let source = import.source.value.as_str();
        if !source.starts_with('.') {
            continue;
        }
        for specifier in import.specifiers.iter().flatten() {
            let (local, imported) = match specifier {
                ImportDeclarationSpecifier::ImportSpecifier(s) => {
                    (s.local.name.to_string(), s.imported.name().to_string())
                }
                ImportDeclarationSpecifier::ImportDefaultSpecifier(s) => {
                    (s.local.name.to_string(), "default".to_string())
                }
                ImportDeclarationSpecifier::ImportNamespaceSpecifier(_) => continue,
            };
            out.push((local, source.to_string(), imported));
        }
    }
    out
}

/// A `describe` block (or the file): its title and `beforeEach` visits, and where its tests
/// start in the list.
#[derive(Default)]
struct Scope {
    title: Option<String>,
    first_test: usize,
    before_each: Vec<Visit>,
}

struct Collector<'f> {
    file: &'f str,
    line_starts: Vec<usize>,
    tests: Vec<TestCase>,
    scopes: Vec<Scope>,
    /// Where visits go now: a test's index, or `None` inside a `beforeEach` (scope top).
    current: Option<Target>,
    /// Helper functions whose visits a call adds.
    helpers: &'f Helpers,
    /// Names of plain functions called while collecting (for helpers calling helpers).
    calls: Vec<String>,
    /// The module's constants, for URLs named by one.
    constants: &'f Constants,
}

#[derive(Clone, Copy)]
enum Target {
    Test(usize),
    BeforeEach,
}

/// `a.b.c` of a callee made of identifiers and static members.
fn callee_path(callee: &Expression<'_>) -> Option<String> {
    match callee.without_parentheses() {
        Expression::Identifier(id) => Some(id.name.to_string()),
        Expression::StaticMemberExpression(m) => Some(format!("{}.{}", callee_path(&m.object)?, m.property.name)),
        _ => None,
    }
}

/// Top-level `const NAME = 'text'` of a module (string or template literals, the latter
/// through the constants before them), by name.
pub type Constants = HashMap<String, String>;

/// A string or template literal as text, placeholders as `*` unless they name a constant.
/// A bare identifier that names a constant is its text.
fn literal(expr: &Expression<'_>, constants: &Constants) -> Option<String> {
    match expr.without_parentheses() {
        Expression::StringLiteral(s) => Some(s.value.to_string()),
        Expression::TemplateLiteral(t) => {
            let mut out = String::new();
            for (i, q) in t.quasis.iter().enumerate() {
                out.push_str(q.value.cooked.as_ref().map_or(q.value.raw.as_str(), |c| c.as_str()));
                if let Some(e) = t.expressions.get(i) {
                    match e.without_parentheses() {
                        Expression::Identifier(id) if constants.contains_key(id.name.as_str()) => {
                            out.push_str(&constants[id.name.as_str()]);
                        }
                        _ => out.push('*'),
                    }
                }
            }
            Some(out)
        }
        Expression::Identifier(id) => constants.get(id.name.as_str()).cloned(),
        _ => None,
    }
}

/// The top-level constants of a program (exported or not) whose value is literal text.
fn module_constants(program: &Program<'_>) -> Constants {
    let mut constants = Constants::new();
    for statement in &program.body {
        let declaration = match statement {
            Statement::VariableDeclaration(d) => &**d,
            Statement::ExportDeclaration(e) => match &e.declaration {
                Declaration::VariableDeclaration(d) => &**d,
                _ => continue,
            },
            _ => continue,
        };
        if !declaration.kind.is_const() {
            continue;
        }
        for d in &declaration.declarations {
            if let (Some(name), Some(init)) = (d.id.get_identifier_name(), d.init.as_ref())
                && let Some(text) = literal(init, &constants)
            {
                constants.insert(name.to_string(), text);
            }
        }
    }
    constants
}

/// The path a URL regex stands for, when it is a literal path with wildcards:
/// `/\/checkout$/` is `/checkout`, `/\/product\/[^/]+$/` is `/product/*`. Anchors (`^`, `$`)
/// and a trailing optional slash are dropped; a character class or `.` repeated (`[^/]+`,
/// `\d+`, `.*`) is a wildcard; anything else a regex can say (alternation, groups, optional
/// parts) gives `None`: the test's URL is then unknown rather than guessed.
fn regex_path(pattern: &str) -> Option<String> {
    let pattern = pattern.strip_prefix('^').unwrap_or(pattern);
    let pattern = pattern.strip_suffix('$').unwrap_or(pattern);
    let pattern = pattern
        .strip_suffix("\\/?")
        .or_else(|| pattern.strip_suffix("/?"))
        .unwrap_or(pattern);
    let mut out = String::new();
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        let wildcard = match c {
            '\\' => match chars.next()? {
                'd' | 'w' | 'S' => true,
                escaped if escaped.is_ascii_alphanumeric() => return None,
                escaped => {
                    out.push(escaped);
                    false
                }
            },
            '[' => {
                // a character class, up to its closing `]`
                let mut previous = '[';
                loop {
                    let next = chars.next()?;
                    if next == ']' && previous != '\\' {
                        break;
                    }
                    previous = if previous == '\\' { ' ' } else { next };
                }
                true
            }
            '.' => true,
            '(' | ')' | '|' | '?' | '{' | '}' | '+' | '*' | '^' | '$' => return None,
            other => {
                out.push(other);
                false
            }
        };
        if wildcard {
            match chars.next() {
                Some('+' | '*') => out.push('*'),
                // one character: `.` in `\.html` unescaped, or a single class
                _ => return None,
            }
        }
    }
    // `.*\/checkout`: anywhere in the URL, which for a path is the path itself
    let out = out.strip_prefix('*').map_or(out.clone(), str::to_string);
    out.starts_with('/').then_some(out)
}

/// A URL argument: a string or template literal, or a regex that is a literal path.
fn url_literal(expr: &Expression<'_>, constants: &Constants) -> Option<String> {
    match expr.without_parentheses() {
        Expression::RegExpLiteral(r) => regex_path(r.regex.pattern.text.as_str()),
        other => literal(other, constants),
    }
}

/// Whether a callee is part of an assertion chain (`expect(x).not.toContain('/login')`):
/// paths given there are what a test checks, not where it goes.
fn in_expect_chain(callee: &Expression<'_>) -> bool {
    let mut current = callee.without_parentheses();
    loop {
        match current {
            Expression::CallExpression(call) => {
                if matches!(
                    callee_path(&call.callee).as_deref(),
                    Some("expect" | "expect.soft" | "expect.poll")
                ) {
                    return true;
                }
                current = call.callee.without_parentheses();
            }
            Expression::StaticMemberExpression(m) => current = m.object.without_parentheses(),
            Expression::ComputedMemberExpression(m) => current = m.object.without_parentheses(),
            _ => return false,
        }
    }
}

/// Whether an assertion is negated (`expect(page).not.toHaveURL(...)`).
fn is_negated(callee: &Expression<'_>) -> bool {
    matches!(callee.without_parentheses(), Expression::StaticMemberExpression(m)
        if matches!(m.object.without_parentheses(), Expression::StaticMemberExpression(inner) if inner.property.name == "not"))
}

fn is_path(text: &str) -> bool {
    (text.starts_with('/') || text.starts_with("http://") || text.starts_with("https://"))
        && !text.contains(char::is_whitespace)
}

fn function_argument<'b, 'a>(call: &'b CallExpression<'a>) -> Option<&'b Expression<'a>> {
    call.arguments.iter().filter_map(Argument::as_expression).find(|e| {
        matches!(
            e,
            Expression::ArrowFunctionExpression(_) | Expression::FunctionExpression(_)
        )
    })
}

impl<'f> Collector<'f> {
    fn new(file: &'f str, line_starts: Vec<usize>, helpers: &'f Helpers, constants: &'f Constants) -> Self {
        Collector {
            file,
            line_starts,
            tests: Vec::new(),
            scopes: vec![Scope::default()],
            current: None,
            helpers,
            calls: Vec::new(),
            constants,
        }
    }

    fn line(&self, offset: u32) -> u32 {
        let offset = offset as usize;
        (self.line_starts.partition_point(|start| *start <= offset)) as u32
    }

    fn record(&mut self, url: String, offset: u32, kind: VisitKind) {
        let visit = Visit {
            url,
            line: self.line(offset),
            kind,
        };
        match self.current {
            Some(Target::Test(index)) => self.tests[index].visits.push(visit),
            Some(Target::BeforeEach) => {
                if let Some(scope) = self.scopes.last_mut() {
                    scope.before_each.push(visit);
                }
            }
            None => {}
        }
    }

    /// Gives the tests of a closed scope its `beforeEach` visits.
    fn close_scope(&mut self, scope: Scope) {
        let first = scope.first_test.min(self.tests.len());
        for test in &mut self.tests[first..] {
            test.visits.extend(scope.before_each.iter().cloned());
        }
    }

    fn title(&self, own: &str) -> String {
        self.scopes
            .iter()
            .filter_map(|s| s.title.as_deref())
            .chain(std::iter::once(own))
            .collect::<Vec<_>>()
            .join(" › ")
    }

    /// The visit a call makes, if it is one of the known ones.
    fn visit_of(&self, it: &CallExpression<'_>) -> Option<(String, VisitKind)> {
        let method = it.callee.as_member_expression()?.static_property_name()?;
        let first = it.arguments.first().and_then(Argument::as_expression);
        match method {
            "goto" | "visit" => Some((literal(first?, self.constants)?, VisitKind::Goto)),
            "waitForURL" | "toHaveURL" if !is_negated(&it.callee) => {
                Some((url_literal(first?, self.constants)?, VisitKind::UrlAssertion))
            }
            "get" | "post" | "put" | "patch" | "delete" | "fetch" | "head" => {
                let object = callee_path(it.callee.as_member_expression()?.object())?;
                let url = literal(first?, self.constants)?;
                (object.to_lowercase().contains("request") && is_path(&url)).then_some((url, VisitKind::Request))
            }
            "should" => {
                // cy.url().should('include', '/x'), cy.location('pathname').should('eq', '/x')
                let Expression::CallExpression(inner) = it.callee.as_member_expression()?.object() else {
                    return None;
                };
                let inner_method = inner.callee.as_member_expression()?.static_property_name()?;
                if !matches!(inner_method, "url" | "location") {
                    return None;
                }
                let mut args = it.arguments.iter().filter_map(Argument::as_expression);
                let chainer = literal(args.next()?, self.constants)?;
                if !matches!(
                    chainer.as_str(),
                    "include" | "eq" | "contain" | "equal" | "contains" | "match"
                ) {
                    return None;
                }
                Some((url_literal(args.next()?, self.constants)?, VisitKind::UrlAssertion))
            }
            _ => None,
        }
    }

    /// Literal paths given to a helper: as arguments, or as `path`/`url`/`redirect…`/`href`
    /// properties of an object argument.
    fn helper_paths(&self, it: &CallExpression<'_>) -> Vec<(String, u32)> {
        let mut found = Vec::new();
        for arg in it.arguments.iter().filter_map(Argument::as_expression) {
            match arg.without_parentheses() {
                Expression::ObjectExpression(object) => {
                    for property in &object.properties {
                        let ObjectPropertyKind::ObjectProperty(p) = property else {
                            continue;
                        };
                        let key = p.key.static_name().map(|k| k.to_lowercase()).unwrap_or_default();
                        if ["path", "url", "redirect", "href", "route"]
                            .iter()
                            .any(|k| key.contains(k))
                            && let Some(url) = literal(&p.value, self.constants).filter(|u| is_path(u))
                        {
                            found.push((url, p.value.span().start));
                        }
                    }
                }
                other => {
                    if let Some(url) = literal(other, self.constants).filter(|u| u.starts_with('/') && is_path(u)) {
                        found.push((url, other.span().start));
                    }
                }
            }
        }
        found
    }
}

impl<'a> AstVisit<'a> for Collector<'_> {
    fn visit_call_expression(&mut self, it: &CallExpression<'a>) {
        let name = callee_path(&it.callee).unwrap_or_default();
        let title = it
            .arguments
            .first()
            .and_then(Argument::as_expression)
            .and_then(|e| literal(e, self.constants));
        let body = function_argument(it);
        let is_describe = matches!(
            name.as_str(),
            "describe"
                | "test.describe"
                | "context"
                | "describe.only"
                | "test.describe.only"
                | "test.describe.serial"
                | "test.describe.parallel"
                | "describe.skip"
                | "test.describe.skip"
        );
        let is_test = matches!(
            name.as_str(),
            "test" | "it" | "test.only" | "it.only" | "test.skip" | "it.skip" | "test.fixme" | "specify"
        );
        let is_before_each = matches!(name.as_str(), "test.beforeEach" | "beforeEach");
        if let (true, Some(title), Some(_)) = (is_describe, &title, body) {
            self.scopes.push(Scope {
                title: Some(title.clone()),
                first_test: self.tests.len(),
                before_each: Vec::new(),
            });
            walk::walk_call_expression(self, it);
            if let Some(scope) = self.scopes.pop() {
                self.close_scope(scope);
            }
            return;
        }
        if let (true, Some(title), Some(_)) = (is_test, &title, body) {
            let index = self.tests.len();
            self.tests.push(TestCase {
                file: self.file.to_string(),
                line: self.line(it.span.start),
                title: self.title(title),
                visits: Vec::new(),
            });
            let outer = self.current.replace(Target::Test(index));
            walk::walk_call_expression(self, it);
            self.current = outer;
            return;
        }
        if is_before_each && body.is_some() {
            let outer = self.current.replace(Target::BeforeEach);
            walk::walk_call_expression(self, it);
            self.current = outer;
            return;
        }
        if self.current.is_some() {
            if let Expression::Identifier(id) = it.callee.without_parentheses() {
                self.calls.push(id.name.to_string());
                if let Some(visits) = self.helpers.get(id.name.as_str()) {
                    for visit in visits.clone() {
                        self.record(visit.url, it.span.start, VisitKind::Helper);
                    }
                }
            }
            if let Some((url, kind)) = self.visit_of(it) {
                self.record(url, it.span.start, kind);
            } else if !name.starts_with("expect")
                && !name.starts_with("console.")
                && !name.ends_with(".step")
                && !in_expect_chain(&it.callee)
            {
                for (url, offset) in self.helper_paths(it) {
                    self.record(url, offset, VisitKind::Helper);
                }
            }
        }
        walk::walk_call_expression(self, it);
    }
}

#[cfg(test)]
mod tests;
