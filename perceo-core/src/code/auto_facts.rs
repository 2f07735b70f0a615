//! What Nuxt's auto-imports need from one module, collected during the import visit when
//! asked for: the identifiers it uses without declaring or importing them, the names it
//! exports, and the layouts and middleware it names in `definePageMeta` / `setPageLayout`.

use std::collections::{BTreeSet, HashSet};

use oxc_ast::ast::{
    ArrayExpressionElement, CallExpression, Declaration, ExportDeclaration, ExportNamedDeclaration, Expression,
    ObjectPropertyKind,
};

use super::imports::AutoFacts;

/// Accumulates [`AutoFacts`] while the module's AST is visited.
#[derive(Debug, Default)]
pub(super) struct AutoCollector {
    references: HashSet<String>,
    declared: HashSet<String>,
    exports: Vec<String>,
    layouts: Vec<String>,
    middleware: Vec<String>,
    components: Vec<String>,
}

impl AutoCollector {
    /// An identifier read or called (`useAuth` in `useAuth()`).
    pub(super) fn reference(&mut self, name: &str) {
        if !self.references.contains(name) {
            self.references.insert(name.to_string());
        }
    }

    /// A component imported by name from Nuxt's `#components`.
    pub(super) fn component(&mut self, name: &str) {
        self.components.push(name.to_string());
    }

    /// A name bound anywhere in the module (variable, function, parameter, import).
    pub(super) fn binding(&mut self, name: &str) {
        if !self.declared.contains(name) {
            self.declared.insert(name.to_string());
        }
    }

    /// `export { c, d as e }`.
    pub(super) fn export_named(&mut self, it: &ExportNamedDeclaration<'_>) {
        self.exports
            .extend(it.specifiers.iter().map(|s| s.exported.name().to_string()));
    }

    /// `export const a …`, `export function b`, `export type T …`.
    pub(super) fn export_declaration(&mut self, it: &ExportDeclaration<'_>) {
        {
            match &it.declaration {
                Declaration::VariableDeclaration(v) => {
                    for d in &v.declarations {
                        self.exports
                            .extend(d.id.get_binding_identifiers().iter().map(|b| b.name.to_string()));
                    }
                }
                Declaration::FunctionDeclaration(f) => self.exports.extend(f.id.as_ref().map(|i| i.name.to_string())),
                Declaration::ClassDeclaration(c) => self.exports.extend(c.id.as_ref().map(|i| i.name.to_string())),
                Declaration::TSTypeAliasDeclaration(t) => self.exports.push(t.id.name.to_string()),
                Declaration::TSInterfaceDeclaration(t) => self.exports.push(t.id.name.to_string()),
                Declaration::TSEnumDeclaration(t) => self.exports.push(t.id.name.to_string()),
                _ => {}
            }
        }
    }

    /// `export default …`.
    pub(super) fn export_default(&mut self) {
        self.exports.push("default".to_string());
    }

    /// `definePageMeta({ layout: 'admin', middleware: ['auth'] })`, `setPageLayout('x')`.
    pub(super) fn call(&mut self, it: &CallExpression<'_>) {
        let Expression::Identifier(callee) = &it.callee else {
            return;
        };
        let first = it.arguments.first().and_then(|a| a.as_expression());
        match (callee.name.as_str(), first) {
            ("setPageLayout", Some(Expression::StringLiteral(s))) => self.layouts.push(s.value.to_string()),
            ("definePageMeta", Some(Expression::ObjectExpression(meta))) => {
                for prop in &meta.properties {
                    let ObjectPropertyKind::ObjectProperty(p) = prop else {
                        continue;
                    };
                    let key = p.key.static_name();
                    let names: Vec<String> = match &p.value {
                        Expression::StringLiteral(s) => vec![s.value.to_string()],
                        Expression::ArrayExpression(a) => a
                            .elements
                            .iter()
                            .filter_map(|e| match e {
                                ArrayExpressionElement::StringLiteral(s) => Some(s.value.to_string()),
                                _ => None,
                            })
                            .collect(),
                        _ => Vec::new(),
                    };
                    match key.as_deref() {
                        Some("layout") => self.layouts.extend(names),
                        Some("middleware") => self.middleware.extend(names),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }

    /// The facts, and every name the module declares.
    pub(super) fn finish(self) -> (AutoFacts, BTreeSet<String>) {
        let mut free: Vec<String> = self
            .references
            .into_iter()
            .filter(|r| !self.declared.contains(r))
            .collect();
        free.sort();
        let mut exports = self.exports;
        exports.sort();
        exports.dedup();
        (
            AutoFacts {
                tags: self.components,
                free,
                exports,
                layouts: self.layouts,
                middleware: self.middleware,
            },
            self.declared.into_iter().collect(),
        )
    }
}
