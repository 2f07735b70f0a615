//! Import and navigation extraction from one JS/TS (or Vue/Svelte script) file, with oxc's
//! parser. Never fatal: a file that does not parse yields what the parser recovered.

use oxc_allocator::Allocator;
use oxc_ast::ast::{
    Argument, BindingIdentifier, CallExpression, ExportAllDeclaration, ExportDeclaration, ExportDefaultDeclaration,
    ExportFromDeclaration, ExportNamedDeclaration, Expression, IdentifierReference, ImportDeclaration,
    ImportDeclarationSpecifier, ImportExpression, ImportOrExportKind, JSXAttribute, JSXAttributeName,
    JSXAttributeValue, TSImportEqualsDeclaration, TSModuleReference, TemplateLiteral,
};
use oxc_ast_visit::{Visit, walk};
use oxc_parser::Parser;
use oxc_span::SourceType;
use serde::{Deserialize, Serialize};

use super::auto_facts::AutoCollector;
use super::sfc;

/// How a module refers to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ImportKind {
    /// `import x from '…'`.
    Static,
    /// `import '…'` (side effect only).
    SideEffect,
    /// `export … from '…'` / `export * from '…'`.
    ReExport,
    /// `import('…')`, including inside `next/dynamic` and `React.lazy`.
    Dynamic,
    /// `require('…')` / `import x = require('…')`.
    Require,
    /// No import at all: the framework links it (Nuxt components used by tag name,
    /// composables and utils used by identifier, layouts and middleware named in
    /// `definePageMeta`).
    AutoImport,
}

/// The module specifier as written.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Specifier {
    /// A plain string: `'./Button'`.
    Literal(String),
    /// A template literal with expressions: the literal parts (`./locales/`, `.json`).
    Template(Vec<String>),
}

/// One import found in a file.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Import {
    /// What is imported.
    pub specifier: Specifier,
    /// How.
    pub kind: ImportKind,
    /// `import type` / `export type` (or every specifier is `type`).
    pub type_only: bool,
    /// 1-based line of the import in the file (in a `.vue`/`.svelte` file, in the whole
    /// file, not in its `<script>` block).
    pub line: u32,
}

/// What one file says about its dependencies and where it navigates.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FileFacts {
    /// Imports in source order.
    pub imports: Vec<Import>,
    /// Navigation targets: `<Link href>`, `router.push/replace`, `redirect()`, `navigate()`;
    /// template literals keep `${…}` placeholders.
    pub navigations: Vec<String>,
    /// Parse errors (the imports are still taken as far as the parser recovered).
    pub parse_errors: Vec<String>,
    /// What framework auto-imports need, when asked for (see [`extract_with`]).
    pub auto: Option<AutoFacts>,
    /// The module's top-level symbols, when asked for (symbol precision; JS/TS modules only).
    #[serde(default)]
    pub symbols: Option<super::symbols::SymbolTable>,
    /// The message keys the file names, when asked for (with the symbols).
    #[serde(default)]
    pub messages: Option<super::messages::MessageUses>,
    /// The API endpoint paths it calls (see [`super::endpoints`]).
    #[serde(default)]
    pub endpoints: Vec<String>,
    /// The analytics events it fires (see [`super::events`]).
    #[serde(default)]
    pub events: Vec<String>,
}

/// What a parse collects besides imports and navigations.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Wanted {
    /// What Nuxt's auto-imports need ([`FileFacts::auto`]).
    pub auto: bool,
    /// The symbol table ([`FileFacts::symbols`], for JS/TS modules) and the message keys
    /// ([`FileFacts::messages`]).
    pub symbols: bool,
}

/// What a file uses and offers without imports, for frameworks that auto-import (Nuxt).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AutoFacts {
    /// Component-like tag names of a Vue template (`StatusCard`, `status-card`), and the
    /// names imported from Nuxt's `#components`.
    pub tags: Vec<String>,
    /// Identifiers used but not declared or imported in the file (scripts and template),
    /// sorted: candidates for auto-imported composables and utils.
    pub free: Vec<String>,
    /// Names the module exports at the top level, sorted; `default` for `export default`.
    pub exports: Vec<String>,
    /// Layouts named by `definePageMeta({ layout })`, `setPageLayout('…')` or
    /// `<NuxtLayout name="…">`.
    pub layouts: Vec<String>,
    /// Route middleware named by `definePageMeta({ middleware })`.
    pub middleware: Vec<String>,
}

/// Extensions parsed as JS/TS modules.
pub const MODULE_EXTENSIONS: &[&str] = &["ts", "tsx", "js", "jsx", "mjs", "cjs", "mts", "cts"];
/// Single-file-component extensions whose `<script>` blocks are parsed.
pub const SFC_EXTENSIONS: &[&str] = &["vue", "svelte"];

/// Whether a path is a module Perceo parses.
pub fn is_source_path(path: &str) -> bool {
    let ext = path.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    MODULE_EXTENSIONS.contains(&ext) || SFC_EXTENSIONS.contains(&ext)
}

/// Extracts imports and navigations from `text`; `path` decides the dialect. The
/// auto-import facts are collected for `.vue` files only.
pub fn extract(path: &str, text: &str) -> FileFacts {
    extract_with(path, text, path.ends_with(".vue"))
}

/// Like [`extract`]; `auto` asks for [`FileFacts::auto`] (what Nuxt's auto-imports need).
pub fn extract_with(path: &str, text: &str, auto: bool) -> FileFacts {
    extract_wanted(path, text, Wanted { auto, symbols: false })
}

/// Like [`extract`], collecting what `wanted` asks for.
pub fn extract_wanted(path: &str, text: &str, wanted: Wanted) -> FileFacts {
    let mut facts = extract_parsed(path, text, wanted);
    facts.endpoints = super::endpoints::scan(text);
    facts.events = super::events::scan(text);
    if wanted.symbols {
        facts.messages = Some(super::messages::scan(text));
    }
    facts
}

fn extract_parsed(path: &str, text: &str, wanted: Wanted) -> FileFacts {
    let auto = wanted.auto;
    let ext = path.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    if SFC_EXTENSIONS.contains(&ext) {
        let parts = sfc::split(text);
        let mut facts = FileFacts::default();
        let mut declared = std::collections::BTreeSet::new();
        let mut auto_facts = AutoFacts::default();
        for script in &parts.scripts {
            let (part, names) = extract_module(script.dialect, script.body, Wanted { auto, symbols: false });
            let before = line_at(text, script.offset) - 1;
            facts.imports.extend(part.imports.into_iter().map(|i| Import {
                line: i.line + before,
                ..i
            }));
            facts.navigations.extend(part.navigations);
            facts.parse_errors.extend(part.parse_errors);
            if let (Some(a), Some(names)) = (part.auto, names) {
                declared.extend(names.declared);
                auto_facts.tags.extend(a.tags);
                auto_facts.free.extend(a.free);
                auto_facts.exports.extend(a.exports);
                auto_facts.layouts.extend(a.layouts);
                auto_facts.middleware.extend(a.middleware);
            }
        }
        facts
            .imports
            .extend(parts.side_effects.into_iter().map(|(s, offset)| Import {
                specifier: Specifier::Literal(s),
                kind: ImportKind::SideEffect,
                type_only: false,
                line: line_at(text, offset),
            }));
        facts.imports.sort_by_key(|i| i.line);
        if auto {
            let template = if ext == "vue" {
                sfc::template_use(&parts.markup)
            } else {
                sfc::TemplateUse::default()
            };
            auto_facts.free.extend(template.identifiers);
            auto_facts.free.retain(|n| !declared.contains(n));
            auto_facts.tags.extend(template.tags);
            auto_facts.layouts.extend(sfc::layout_names(&parts.markup));
            for list in [
                &mut auto_facts.free,
                &mut auto_facts.exports,
                &mut auto_facts.layouts,
                &mut auto_facts.middleware,
            ] {
                list.sort();
                list.dedup();
            }
            facts.auto = Some(auto_facts);
        }
        return facts;
    }
    extract_module(path, text, wanted).0
}

/// Names a module declares, to take them out of the free identifiers of the other script
/// block of the same component.
struct Names {
    declared: std::collections::BTreeSet<String>,
}

fn extract_module(path: &str, text: &str, wanted: Wanted) -> (FileFacts, Option<Names>) {
    let source_type = SourceType::from_path(path).unwrap_or_else(|_| SourceType::tsx());
    let (mut facts, panicked_at) = parse_once(source_type, text, wanted);
    // When the parser gave up, the program it returns is empty: parse the text before the
    // line of the first error again, so the imports at the top of the file are still taken.
    if let Some(offset) = panicked_at {
        let mut cut = text[..offset.min(text.len())].rfind('\n').unwrap_or(0);
        for _ in 0..3 {
            if cut == 0 {
                break;
            }
            let (prefix_facts, again) = parse_once(source_type, &text[..cut], wanted);
            if again.is_none() {
                facts.0.imports = prefix_facts.0.imports;
                facts.0.navigations = prefix_facts.0.navigations;
                facts.0.auto = prefix_facts.0.auto;
                facts.1 = prefix_facts.1;
                break;
            }
            cut = text[..cut].rfind('\n').unwrap_or(0);
        }
    }
    facts
}

thread_local! {
    /// One arena per thread, reset between files: allocating a fresh arena for each of
    /// thousands of files costs more than parsing some of them.
    static ARENA: std::cell::RefCell<Allocator> = std::cell::RefCell::new(Allocator::default());
}

/// The facts of one parse and the names it declares (when auto-import facts are asked for).
type Parsed = (FileFacts, Option<Names>);

/// Parses once; returns the facts and, when the parser gave up, the offset of its first error.
fn parse_once(source_type: SourceType, text: &str, wanted: Wanted) -> (Parsed, Option<usize>) {
    ARENA.with(|arena| match arena.try_borrow_mut() {
        Ok(mut allocator) => {
            allocator.reset();
            parse_in(&allocator, source_type, text, wanted)
        }
        // Not expected (parsing does not re-enter), but never worth a panic.
        Err(_) => parse_in(&Allocator::default(), source_type, text, wanted),
    })
}

fn parse_in(allocator: &Allocator, source_type: SourceType, text: &str, wanted: Wanted) -> (Parsed, Option<usize>) {
    let ret = Parser::new(allocator, text, source_type).parse();
    let mut collector = Collector {
        auto: wanted.auto.then(AutoCollector::default),
        ..Collector::default()
    };
    collector.visit_program(&ret.program);
    if wanted.symbols {
        let clean = !ret.panicked && !ret.diagnostics.has_errors();
        collector.facts.symbols = Some(super::symbols::table_of(&ret.program, text, clean));
    }
    let names = collector.auto.take().map(|a| {
        let (facts, declared) = a.finish();
        collector.facts.auto = Some(facts);
        Names { declared }
    });
    let mut facts = collector.facts;
    // Offsets to lines in one pass over the text (imports come in source order, mostly).
    let mut order: Vec<usize> = (0..facts.imports.len()).collect();
    order.sort_by_key(|&i| facts.imports[i].line);
    let (mut line, mut counted) = (1u32, 0usize);
    for i in order {
        let offset = (facts.imports[i].line as usize).min(text.len());
        line += text.as_bytes()[counted..offset].iter().filter(|b| **b == b'\n').count() as u32;
        counted = offset;
        facts.imports[i].line = line;
    }
    facts.parse_errors = ret.diagnostics.errors().map(|e| e.message.to_string()).collect();
    let panicked_at = ret.panicked.then(|| {
        ret.diagnostics
            .errors()
            .find_map(|e| e.labels.first().map(|l| l.offset() as usize))
            .unwrap_or(text.len())
    });
    ((facts, names), panicked_at)
}

/// The 1-based line of byte `offset` in `text`.
pub(crate) fn line_at(text: &str, offset: usize) -> u32 {
    let end = offset.min(text.len());
    text.as_bytes()[..end].iter().filter(|b| **b == b'\n').count() as u32 + 1
}

#[derive(Default)]
struct Collector {
    facts: FileFacts,
    /// Set when auto-import facts are collected.
    auto: Option<AutoCollector>,
}

fn template_parts(t: &TemplateLiteral<'_>) -> Specifier {
    if t.expressions.is_empty() {
        Specifier::Literal(t.quasis.iter().map(|q| q.value.raw.as_str()).collect())
    } else {
        Specifier::Template(t.quasis.iter().map(|q| q.value.raw.to_string()).collect())
    }
}

fn specifier_of(expr: &Expression<'_>) -> Option<Specifier> {
    match expr {
        Expression::StringLiteral(s) => Some(Specifier::Literal(s.value.to_string())),
        Expression::TemplateLiteral(t) => Some(template_parts(t)),
        _ => None,
    }
}

/// Text of a navigation target: string, or template with `${…}` placeholders.
fn navigation_of(expr: &Expression<'_>) -> Option<String> {
    match specifier_of(expr)? {
        Specifier::Literal(s) => Some(s),
        Specifier::Template(parts) => Some(parts.join("${}")),
    }
}

fn first_argument<'b, 'a>(call: &'b CallExpression<'a>) -> Option<&'b Expression<'a>> {
    call.arguments.first().and_then(Argument::as_expression)
}

impl Collector {
    /// Records an import starting at byte `offset` (turned into a line after the visit).
    fn push(&mut self, offset: u32, specifier: Specifier, kind: ImportKind, type_only: bool) {
        self.facts.imports.push(Import {
            specifier,
            kind,
            type_only,
            line: offset,
        });
    }

    fn push_navigation(&mut self, target: String) {
        if target.starts_with('/') {
            self.facts.navigations.push(target);
        }
    }
}

impl<'a> Visit<'a> for Collector {
    fn visit_import_declaration(&mut self, it: &ImportDeclaration<'a>) {
        let all_type_specifiers = it.specifiers.as_ref().is_some_and(|specs| {
            !specs.is_empty()
                && specs.iter().all(|s| {
                    matches!(s, ImportDeclarationSpecifier::ImportSpecifier(spec) if spec.import_kind == ImportOrExportKind::Type)
                })
        });
        if let (Some(auto), Some(specs)) = (&mut self.auto, &it.specifiers) {
            for spec in specs {
                auto.binding(spec.local().name.as_str());
                // Nuxt's `#components` names components as its auto-imports do.
                if it.source.value == "#components"
                    && let ImportDeclarationSpecifier::ImportSpecifier(named) = spec
                {
                    auto.component(named.imported.name().as_str());
                }
            }
        }
        let type_only = it.import_kind == ImportOrExportKind::Type || all_type_specifiers;
        let kind = if it.specifiers.is_none() {
            ImportKind::SideEffect
        } else {
            ImportKind::Static
        };
        self.push(
            it.span.start,
            Specifier::Literal(it.source.value.to_string()),
            kind,
            type_only,
        );
    }

    fn visit_export_from_declaration(&mut self, it: &ExportFromDeclaration<'a>) {
        let type_only = it.export_kind == ImportOrExportKind::Type
            || (!it.specifiers.is_empty() && it.specifiers.iter().all(|s| s.export_kind == ImportOrExportKind::Type));
        self.push(
            it.span.start,
            Specifier::Literal(it.source.value.to_string()),
            ImportKind::ReExport,
            type_only,
        );
    }

    fn visit_export_all_declaration(&mut self, it: &ExportAllDeclaration<'a>) {
        let type_only = it.export_kind == ImportOrExportKind::Type;
        self.push(
            it.span.start,
            Specifier::Literal(it.source.value.to_string()),
            ImportKind::ReExport,
            type_only,
        );
    }

    fn visit_import_expression(&mut self, it: &ImportExpression<'a>) {
        if let Some(spec) = specifier_of(&it.source) {
            self.push(it.span.start, spec, ImportKind::Dynamic, false);
        }
        walk::walk_import_expression(self, it);
    }

    fn visit_ts_import_equals_declaration(&mut self, it: &TSImportEqualsDeclaration<'a>) {
        if let TSModuleReference::ExternalModuleReference(ext) = &it.module_reference {
            let type_only = it.import_kind == ImportOrExportKind::Type;
            self.push(
                it.span.start,
                Specifier::Literal(ext.expression.value.to_string()),
                ImportKind::Require,
                type_only,
            );
        }
    }

    fn visit_identifier_reference(&mut self, it: &IdentifierReference<'a>) {
        if let Some(auto) = &mut self.auto {
            auto.reference(&it.name);
        }
    }

    fn visit_binding_identifier(&mut self, it: &BindingIdentifier<'a>) {
        if let Some(auto) = &mut self.auto {
            auto.binding(&it.name);
        }
    }

    fn visit_export_named_declaration(&mut self, it: &ExportNamedDeclaration<'a>) {
        if let Some(auto) = &mut self.auto {
            auto.export_named(it);
        }
        walk::walk_export_named_declaration(self, it);
    }

    fn visit_export_declaration(&mut self, it: &ExportDeclaration<'a>) {
        if let Some(auto) = &mut self.auto {
            auto.export_declaration(it);
        }
        walk::walk_export_declaration(self, it);
    }

    fn visit_export_default_declaration(&mut self, it: &ExportDefaultDeclaration<'a>) {
        if let Some(auto) = &mut self.auto {
            auto.export_default();
        }
        walk::walk_export_default_declaration(self, it);
    }

    fn visit_call_expression(&mut self, it: &CallExpression<'a>) {
        if let Some(auto) = &mut self.auto {
            auto.call(it);
        }
        match &it.callee {
            Expression::Identifier(id) if id.name == "require" => {
                if let Some(spec) = first_argument(it).and_then(specifier_of) {
                    self.push(it.span.start, spec, ImportKind::Require, false);
                }
            }
            Expression::Identifier(id) if matches!(id.name.as_str(), "redirect" | "permanentRedirect" | "navigate") => {
                if let Some(target) = first_argument(it).and_then(navigation_of) {
                    self.push_navigation(target);
                }
            }
            callee => {
                if let Some(member) = callee.as_member_expression()
                    && matches!(
                        member.static_property_name(),
                        Some("push" | "replace" | "navigate" | "navigateTo")
                    )
                    && let Some(target) = first_argument(it).and_then(navigation_of)
                {
                    self.push_navigation(target);
                }
            }
        }
        walk::walk_call_expression(self, it);
    }

    fn visit_jsx_attribute(&mut self, it: &JSXAttribute<'a>) {
        let is_href = matches!(&it.name, JSXAttributeName::Identifier(id) if id.name == "href" || id.name == "to");
        if is_href {
            match &it.value {
                Some(JSXAttributeValue::StringLiteral(s)) => self.push_navigation(s.value.to_string()),
                Some(JSXAttributeValue::ExpressionContainer(c)) => {
                    if let Some(target) = c.expression.as_expression().and_then(navigation_of) {
                        self.push_navigation(target);
                    }
                }
                _ => {}
            }
        }
        walk::walk_jsx_attribute(self, it);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(s: &str) -> Specifier {
        Specifier::Literal(s.into())
    }

    fn kinds(facts: &FileFacts) -> Vec<(Specifier, ImportKind, bool)> {
        facts
            .imports
            .iter()
            .map(|i| (i.specifier.clone(), i.kind, i.type_only))
            .collect()
    }

    #[test]
    fn every_import_form_is_found() {
        let src = r#"
            import React from 'react';
            import './polyfills';
            import type { Props } from '@/components';
            import { type A, type B } from './types';
            import styles from './Button.module.css';
            import data from './data.json';
            export { Button } from './Button';
            export * from './Card';
            export type { T } from './t';
            const Gallery = dynamic(() => import('@/components/Gallery'));
            const Lazy = React.lazy(() => import('./Lazy'));
            const analytics = require('./legacy/analytics');
            import fs = require('fs');
            async function load(locale: string) { return import(`../locales/${locale}.json`); }
        "#;
        let facts = extract("x.tsx", src);
        assert!(facts.parse_errors.is_empty(), "{:?}", facts.parse_errors);
        let lines: Vec<u32> = facts.imports.iter().map(|i| i.line).collect();
        assert_eq!(lines, vec![2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
        assert_eq!(
            kinds(&facts),
            vec![
                (lit("react"), ImportKind::Static, false),
                (lit("./polyfills"), ImportKind::SideEffect, false),
                (lit("@/components"), ImportKind::Static, true),
                (lit("./types"), ImportKind::Static, true),
                (lit("./Button.module.css"), ImportKind::Static, false),
                (lit("./data.json"), ImportKind::Static, false),
                (lit("./Button"), ImportKind::ReExport, false),
                (lit("./Card"), ImportKind::ReExport, false),
                (lit("./t"), ImportKind::ReExport, true),
                (lit("@/components/Gallery"), ImportKind::Dynamic, false),
                (lit("./Lazy"), ImportKind::Dynamic, false),
                (lit("./legacy/analytics"), ImportKind::Require, false),
                (lit("fs"), ImportKind::Require, false),
                (
                    Specifier::Template(vec!["../locales/".into(), ".json".into()]),
                    ImportKind::Dynamic,
                    false
                ),
            ]
        );
    }

    #[test]
    fn navigations_are_found() {
        let src = r#"
            export default function P({ id }) {
              const router = useRouter();
              if (!id) redirect('/login');
              router.push('/checkout');
              items.push('not-a-path');
              return <><Link href="/cart">c</Link><Link href={`/product/${id}`}>p</Link><a href="https://x.y">x</a></>;
            }
        "#;
        let facts = extract("p.tsx", src);
        assert_eq!(facts.navigations, vec!["/login", "/checkout", "/cart", "/product/${}"]);
    }

    #[test]
    fn broken_files_keep_what_parsed() {
        let facts = extract("bad.ts", "import a from './a';\nconst x = ;\n");
        assert!(!facts.parse_errors.is_empty());
        assert_eq!(facts.imports.first().map(|i| i.specifier.clone()), Some(lit("./a")));
    }

    #[test]
    fn vue_and_svelte_script_blocks_are_parsed() {
        let vue = "<template><div/></template>\n<script setup lang=\"ts\">\nimport Card from '@/components/Card.vue'\n</script>";
        assert_eq!(extract("a.vue", vue).imports[0].specifier, lit("@/components/Card.vue"));
        let svelte = "<script>\n  import Nav from '$lib/Nav.svelte';\n</script>\n<Nav/>";
        assert_eq!(extract("b.svelte", svelte).imports[0].specifier, lit("$lib/Nav.svelte"));
    }

    #[test]
    fn sfc_style_imports_and_src_attributes_are_imports() {
        let vue = "<template><div/></template>\n<script setup lang=\"tsx\">\nimport A from './A'\nconst x = <A/>\n</script>\n\
                   <script src=\"./extra.ts\"></script>\n<style lang=\"scss\">\n@use './tokens';\n@import '~/styles/vars.css';\n</style>";
        let facts = extract("c.vue", vue);
        assert!(facts.parse_errors.is_empty(), "{:?}", facts.parse_errors);
        let lines: Vec<u32> = facts.imports.iter().map(|i| i.line).collect();
        assert_eq!(lines, vec![3, 6, 8, 9], "lines in the .vue file, not in its blocks");
        let specs: Vec<Specifier> = facts.imports.iter().map(|i| i.specifier.clone()).collect();
        assert_eq!(
            specs,
            vec![lit("./A"), lit("./extra.ts"), lit("./tokens"), lit("~/styles/vars.css")]
        );
        let svelte =
            "<script lang=\"ts\">\nimport Nav from './Nav.svelte'\n</script>\n<style>@import './nav.css';</style>";
        let specs: Vec<Specifier> = extract("n.svelte", svelte)
            .imports
            .iter()
            .map(|i| i.specifier.clone())
            .collect();
        assert_eq!(specs, vec![lit("./Nav.svelte"), lit("./nav.css")]);
    }

    #[test]
    fn auto_import_facts_of_a_vue_page() {
        let vue = "<script setup lang=\"ts\">\nimport { ref } from 'vue'\nconst count = ref(0)\n\
                   definePageMeta({ layout: 'admin', middleware: ['auth', 'audit'] })\nconst user = useUser()\n</script>\n\
                   <script lang=\"ts\">\nexport default { name: 'X' }\n</script>\n\
                   <template><StatusCard :user=\"user\" />{{ formatDate(count) }}<lazy-foo-bar/></template>";
        let auto = extract("pages/admin.vue", vue).auto.expect("collected for .vue");
        assert_eq!(auto.tags, vec!["StatusCard", "lazy-foo-bar"]);
        assert_eq!(auto.free, vec!["definePageMeta", "formatDate", "useUser"]);
        assert_eq!(auto.layouts, vec!["admin"]);
        assert_eq!(auto.middleware, vec!["audit", "auth"]);
        assert_eq!(auto.exports, vec!["default"]);
    }

    #[test]
    fn auto_import_facts_of_a_module_only_when_asked() {
        let ts = "import { a } from './a'\nexport const useCart = () => a(useState('cart'))\nexport function total(x: Cart) { return x }\n\
                  export type Cart = { n: number }\nconst local = 1\nexport { local as alias }\nexport default 3\n";
        assert_eq!(extract("composables/cart.ts", ts).auto, None);
        let auto = extract_with("composables/cart.ts", ts, true).auto.expect("asked for");
        assert_eq!(auto.exports, vec!["Cart", "alias", "default", "total", "useCart"]);
        assert_eq!(auto.free, vec!["useState"]);
    }
}
