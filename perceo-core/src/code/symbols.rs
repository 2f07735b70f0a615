//! The top-level symbols of one JS/TS module, for symbol-level impact: what each top-level
//! statement declares, a hash of its text, and the top-level names it uses; the import
//! bindings; the exports. [`changed_exports`] compares two versions of a module and says which
//! exports changed, or why only the whole file can be said to have changed.
//!
//! References are collected by name without scopes: a local that shadows a top-level name
//! counts as a use of it. That only over-approximates (more is marked changed), never less.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use oxc_allocator::Allocator;
use oxc_ast::ast::{
    Declaration, ExportDefaultDeclarationKind, Expression, IdentifierReference, ImportDeclarationSpecifier,
    JSXMemberExpression, JSXMemberExpressionObject, ModuleDeclaration, Program, StaticMemberExpression,
};
use oxc_ast_visit::{Visit, walk};
use oxc_parser::Parser;
use oxc_span::{GetSpan, SourceType};
use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::xxh3_64;

use super::imports::MODULE_EXTENSIONS;

/// The export name of a default export.
pub const DEFAULT: &str = "default";

/// What an import binding takes from its module.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Imported {
    /// One export by name (`default` for a default import).
    Name(String),
    /// The whole namespace (`import * as ns`, `export * as ns from`).
    Namespace,
}

/// One name bound by an import statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportBinding {
    /// The local name.
    pub local: String,
    /// The module specifier as written.
    pub specifier: String,
    /// What it takes.
    pub imported: Imported,
}

/// Where an export's value comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExportOf {
    /// A top-level binding of the module.
    Local(String),
    /// The top-level statement at this index (`export default <expression>`).
    Item(usize),
    /// Another module (`export { a as b } from './x'`, `export * as ns from './x'`).
    ReExport {
        /// The specifier as written.
        specifier: String,
        /// What is taken from it.
        imported: Imported,
    },
}

/// One top-level statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// The names it declares (none for an expression statement; the bound names for an
    /// import).
    pub declares: Vec<String>,
    /// Hash of its text.
    pub hash: u64,
    /// Top-level-looking names it uses (`ns.name` for a member of a namespace import), sorted.
    pub uses: Vec<String>,
    /// Whether it is an import or `export … from` statement (compared by binding instead).
    pub is_import: bool,
}

impl Item {
    /// Whether running it does something besides declaring: an expression statement, a
    /// loop, a bare `import './x'`...
    pub fn has_effects(&self) -> bool {
        self.declares.is_empty() && !self.is_import
    }
}

/// The top-level symbols of a module.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SymbolTable {
    /// Top-level statements in order.
    pub items: Vec<Item>,
    /// Names bound by imports.
    pub bindings: Vec<ImportBinding>,
    /// Exports by exported name.
    pub exports: BTreeMap<String, ExportOf>,
    /// Specifiers of `export * from`.
    pub stars: Vec<String>,
    /// Why the module cannot be followed name by name (CommonJS, a parse error).
    pub opaque: Option<String>,
    /// The statements using each name as written (`a`, `o.name`).
    users: HashMap<String, Vec<usize>>,
    /// The statements using a member of each object (`o` of `o.name`).
    member_users: HashMap<String, Vec<usize>>,
    /// The statements declaring each name (imports left out).
    declarers: HashMap<String, Vec<usize>>,
}

/// Whether `path` is a JS/TS module (the files that have a symbol table).
pub fn is_module_path(path: &str) -> bool {
    let ext = path.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    MODULE_EXTENSIONS.contains(&ext)
}

/// The symbol table of `text` (a module file named `path`), or `None` for files that are
/// not JS/TS modules (Vue and Svelte components, styles, JSON).
pub fn table(path: &str, text: &str) -> Option<SymbolTable> {
    if !is_module_path(path) {
        return None;
    }
    let source_type = SourceType::from_path(path).unwrap_or_else(|_| SourceType::tsx());
    let allocator = Allocator::default();
    let ret = Parser::new(&allocator, text, source_type).parse();
    Some(table_of(
        &ret.program,
        text,
        !ret.panicked && !ret.diagnostics.has_errors(),
    ))
}

/// The symbol table of a parsed `program` of `text`; `parsed_cleanly` is false when the
/// parser reported errors (the module is then opaque).
pub(crate) fn table_of(program: &Program<'_>, text: &str, parsed_cleanly: bool) -> SymbolTable {
    let mut table = SymbolTable::default();
    if !parsed_cleanly {
        table.opaque = Some("it does not parse".into());
        return table;
    }
    for statement in &program.body {
        let span = statement.span();
        let source = &text[span.start as usize..span.end as usize];
        let index = table.items.len();
        let mut item = Item {
            declares: Vec::new(),
            hash: xxh3_64(source.as_bytes()),
            uses: Vec::new(),
            is_import: false,
        };
        let mut uses = Uses::default();
        match statement.as_module_declaration() {
            Some(ModuleDeclaration::ImportDeclaration(it)) => {
                item.is_import = true;
                for spec in it.specifiers.iter().flatten() {
                    let imported = match spec {
                        ImportDeclarationSpecifier::ImportSpecifier(s) => Imported::Name(s.imported.name().to_string()),
                        ImportDeclarationSpecifier::ImportDefaultSpecifier(_) => Imported::Name(DEFAULT.into()),
                        ImportDeclarationSpecifier::ImportNamespaceSpecifier(_) => Imported::Namespace,
                    };
                    item.declares.push(spec.local().name.to_string());
                    table.bindings.push(ImportBinding {
                        local: spec.local().name.to_string(),
                        specifier: it.source.value.to_string(),
                        imported,
                    });
                }
                // A bare `import './x'` runs the module: an effect of its own.
                item.is_import = it.specifiers.as_ref().is_some_and(|s| !s.is_empty());
            }
            Some(ModuleDeclaration::ExportFromDeclaration(it)) => {
                item.is_import = true;
                for spec in &it.specifiers {
                    let exported = spec.exported.name().to_string();
                    item.declares.push(exported.clone());
                    table.exports.insert(
                        exported,
                        ExportOf::ReExport {
                            specifier: it.source.value.to_string(),
                            imported: Imported::Name(spec.local.name().to_string()),
                        },
                    );
                }
            }
            Some(ModuleDeclaration::ExportAllDeclaration(it)) => {
                item.is_import = true;
                match &it.exported {
                    Some(name) => {
                        item.declares.push(name.name().to_string());
                        table.exports.insert(
                            name.name().to_string(),
                            ExportOf::ReExport {
                                specifier: it.source.value.to_string(),
                                imported: Imported::Namespace,
                            },
                        );
                    }
                    None => table.stars.push(it.source.value.to_string()),
                }
            }
            Some(ModuleDeclaration::ExportNamedDeclaration(it)) => {
                // `export { a as b }`: declares nothing new, uses `a`.
                item.is_import = true;
                for spec in &it.specifiers {
                    let local = spec.local.name().to_string();
                    item.declares.push(spec.exported.name().to_string());
                    table
                        .exports
                        .insert(spec.exported.name().to_string(), ExportOf::Local(local));
                }
            }
            Some(ModuleDeclaration::ExportDeclaration(it)) => {
                for name in declared_names(&it.declaration) {
                    table.exports.insert(name.clone(), ExportOf::Local(name.clone()));
                    item.declares.push(name);
                }
                uses.visit_declaration(&it.declaration);
            }
            Some(ModuleDeclaration::ExportDefaultDeclaration(it)) => {
                let id = match &it.declaration {
                    ExportDefaultDeclarationKind::FunctionDeclaration(f) => f.id.as_ref(),
                    ExportDefaultDeclarationKind::ClassDeclaration(c) => c.id.as_ref(),
                    _ => None,
                };
                match id {
                    Some(id) => {
                        item.declares.push(id.name.to_string());
                        table
                            .exports
                            .insert(DEFAULT.into(), ExportOf::Local(id.name.to_string()));
                    }
                    None => {
                        item.declares.push(DEFAULT.into());
                        table.exports.insert(DEFAULT.into(), ExportOf::Item(index));
                    }
                }
                uses.visit_export_default_declaration(it);
            }
            Some(ModuleDeclaration::TSExportAssignment(_)) => table.opaque = Some("it uses `export =`".into()),
            Some(ModuleDeclaration::TSNamespaceExportDeclaration(_)) => {}
            None => match statement.as_declaration() {
                Some(declaration) => {
                    item.declares = declared_names(declaration);
                    if let Declaration::TSImportEqualsDeclaration(_) = declaration {
                        table.opaque = Some("it uses `import x = require(…)`".into());
                    }
                    uses.visit_declaration(declaration);
                }
                None => uses.visit_statement(statement),
            },
        }
        if uses.commonjs {
            table.opaque = Some("it is a CommonJS module (`require`, `module.exports`)".into());
        }
        item.uses = uses.names.into_iter().collect();
        table.items.push(item);
    }
    for (i, item) in table.items.iter().enumerate() {
        for used in &item.uses {
            table.users.entry(used.clone()).or_default().push(i);
            if let Some((object, _)) = used.split_once('.') {
                table.member_users.entry(object.to_string()).or_default().push(i);
            }
        }
        if !item.is_import {
            for name in &item.declares {
                table.declarers.entry(name.clone()).or_default().push(i);
            }
        }
    }
    table
}

/// The names a declaration binds.
fn declared_names(declaration: &Declaration<'_>) -> Vec<String> {
    match declaration {
        Declaration::VariableDeclaration(v) => v
            .declarations
            .iter()
            .flat_map(|d| d.id.get_binding_identifiers())
            .map(|id| id.name.to_string())
            .collect(),
        other => other.id().map(|id| vec![id.name.to_string()]).unwrap_or_default(),
    }
}

/// The names a statement uses.
#[derive(Default)]
struct Uses {
    names: BTreeSet<String>,
    commonjs: bool,
}

impl<'a> Visit<'a> for Uses {
    fn visit_identifier_reference(&mut self, it: &IdentifierReference<'a>) {
        if matches!(it.name.as_str(), "require" | "module" | "exports") {
            self.commonjs = true;
        }
        self.names.insert(it.name.to_string());
    }

    fn visit_static_member_expression(&mut self, it: &StaticMemberExpression<'a>) {
        // `o.name` is recorded as such (a use of `o` too: see `uses_any`), so that the member
        // of a namespace import can be told from the namespace used as a whole.
        match &it.object {
            Expression::Identifier(object) => {
                if matches!(object.name.as_str(), "module" | "exports") {
                    self.commonjs = true;
                }
                self.names.insert(format!("{}.{}", object.name, it.property.name));
            }
            _ => walk::walk_static_member_expression(self, it),
        }
    }

    fn visit_jsx_member_expression(&mut self, it: &JSXMemberExpression<'a>) {
        // `<ui.Button>`, as `ui.Button` in code.
        match &it.object {
            JSXMemberExpressionObject::IdentifierReference(object) => {
                self.names.insert(format!("{}.{}", object.name, it.property.name));
            }
            _ => walk::walk_jsx_member_expression(self, it),
        }
    }
}

/// What a change did to a module's exports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportChange {
    /// Only these exports changed (the module's other exports and its effects are the same).
    Names(BTreeSet<String>),
    /// The module can only be said to have changed as a whole: why.
    File(String),
}

/// Which exports of a module changed from `old` to `new` (`old` is `None` for an added file,
/// whose every export is new).
pub fn changed_exports(old: Option<&SymbolTable>, new: &SymbolTable) -> ExportChange {
    let Some(old) = old else {
        return ExportChange::Names(new.exports.keys().cloned().collect());
    };
    if let Some(why) = new.opaque.as_ref().or(old.opaque.as_ref()) {
        return ExportChange::File(why.clone());
    }
    let effects = |t: &SymbolTable| {
        let mut hashes: Vec<u64> = t.items.iter().filter(|i| i.has_effects()).map(|i| i.hash).collect();
        hashes.sort_unstable();
        hashes
    };
    if effects(old) != effects(new) {
        return ExportChange::File("a top-level statement with side effects changed".into());
    }
    if old.stars != new.stars {
        return ExportChange::File("its `export * from` statements changed".into());
    }
    // Names whose declaration changed, appeared or went away.
    let declarations = |t: &SymbolTable| -> BTreeMap<String, u64> {
        t.items
            .iter()
            .filter(|i| !i.is_import)
            .flat_map(|i| i.declares.iter().map(move |n| (n.clone(), i.hash)))
            .collect()
    };
    let (was, is) = (declarations(old), declarations(new));
    let mut seeds: BTreeSet<String> = was
        .iter()
        .filter(|(name, hash)| is.get(*name) != Some(hash))
        .map(|(name, _)| name.clone())
        .collect();
    seeds.extend(is.keys().filter(|name| !was.contains_key(*name)).cloned());
    // Import bindings that now come from elsewhere.
    for binding in &new.bindings {
        if !old.bindings.contains(binding) {
            seeds.insert(binding.local.clone());
        }
    }
    for binding in &old.bindings {
        if !new.bindings.contains(binding) {
            seeds.insert(binding.local.clone());
        }
    }
    let mut changed = dirty_exports(new, &seeds);
    // Exports that appeared, went away, or now come from elsewhere (a default expression
    // is compared by its text: its index moves with the statements before it).
    let source = |t: &SymbolTable, name: &str| {
        t.exports.get(name).map(|of| match of {
            ExportOf::Item(i) => ExportOf::Item(t.items[*i].hash as usize),
            other => other.clone(),
        })
    };
    for name in old.exports.keys().chain(new.exports.keys()) {
        if source(old, name) != source(new, name) {
            changed.insert(name.clone());
        }
    }
    ExportChange::Names(changed)
}

/// The exports of `table` that depend on one of `seeds` (names of the module: top-level
/// bindings, import bindings, `ns.name` members): the closure over what each top-level
/// statement uses.
pub fn dirty_exports(table: &SymbolTable, seeds: &BTreeSet<String>) -> BTreeSet<String> {
    let (dirty_names, dirty_items) = closure(table, seeds);
    table
        .exports
        .iter()
        .filter(|(_, of)| match of {
            ExportOf::Local(local) => dirty_names.contains(local),
            ExportOf::Item(i) => dirty_items.contains(i),
            ExportOf::ReExport { .. } => false,
        })
        .map(|(name, _)| name.clone())
        .collect()
}

/// Whether a top-level statement with effects uses one of `seeds`, directly or through the
/// bindings it reaches.
pub fn effects_depend_on(table: &SymbolTable, seeds: &BTreeSet<String>) -> bool {
    let (_, dirty_items) = closure(table, seeds);
    dirty_items.iter().any(|&i| table.items[i].has_effects())
}

/// The top-level statements that depend on `seeds`.
pub fn dependent_items(table: &SymbolTable, seeds: &BTreeSet<String>) -> BTreeSet<usize> {
    closure(table, seeds).1
}

/// The names and statements that depend on `seeds`: a breadth-first walk over who uses
/// what. A use `o.name` depends on `o` and on `o.name`; a bare use of `ns` on every
/// `ns.name`.
fn closure(table: &SymbolTable, seeds: &BTreeSet<String>) -> (BTreeSet<String>, BTreeSet<usize>) {
    let mut names = seeds.clone();
    let mut items = BTreeSet::new();
    let mut queue: Vec<String> = seeds.iter().cloned().collect();
    while let Some(name) = queue.pop() {
        let mut hit: Vec<usize> = Vec::new();
        hit.extend(table.users.get(&name).into_iter().flatten());
        hit.extend(table.declarers.get(&name).into_iter().flatten());
        match name.split_once('.') {
            // `ns.Card` changed: a statement using `ns` as a whole uses it too.
            Some((object, _)) => hit.extend(table.users.get(object).into_iter().flatten()),
            None => hit.extend(table.member_users.get(&name).into_iter().flatten()),
        }
        for i in hit {
            if items.insert(i) {
                let item = &table.items[i];
                if !item.is_import {
                    for declared in &item.declares {
                        if names.insert(declared.clone()) {
                            queue.push(declared.clone());
                        }
                    }
                }
            }
        }
    }
    (names, items)
}

#[cfg(test)]
mod tests;
