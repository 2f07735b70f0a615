//! Single-file components (`.vue`, `.svelte`): the blocks of one file, scanned without a
//! full HTML parser. `<script>` and `<script setup>` bodies are parsed as modules by the
//! caller; `<style>` `@import` / `@use` / `@forward` and `src="…"` attributes of `<script>`
//! and `<style>` become side-effect imports; the template gives the tag names and the
//! identifiers its expressions use (for Nuxt's auto-imports).

/// One `<script>` block: the dialect to parse it as and its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptBlock<'t> {
    /// A file name whose extension is the dialect (`script.ts`, `script.tsx`, `script.js`).
    pub dialect: &'static str,
    /// The body between `<script …>` and `</script>`.
    pub body: &'t str,
    /// Byte offset of the body in the file.
    pub offset: usize,
}

/// What the scan of a single-file component found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SfcParts<'t> {
    /// `<script>` / `<script setup>` blocks, in file order.
    pub scripts: Vec<ScriptBlock<'t>>,
    /// Specifiers of `src="…"` attributes and of `@import` / `@use` / `@forward` in styles,
    /// each with its byte offset in the file.
    pub side_effects: Vec<(String, usize)>,
    /// The text outside `<script>` and `<style>` blocks (the template and its markup).
    pub markup: String,
}

/// Splits a single-file component into its blocks.
pub fn split(text: &str) -> SfcParts<'_> {
    let mut parts = SfcParts::default();
    let mut rest = text;
    loop {
        let next = [("<script", "</script>"), ("<style", "</style>")]
            .into_iter()
            .filter_map(|(open, close)| Some((find_tag(rest, open)?, open, close)))
            .min_by_key(|(at, _, _)| *at);
        let Some((at, open, close)) = next else {
            parts.markup.push_str(rest);
            break;
        };
        parts.markup.push_str(&rest[..at]);
        let after_open = &rest[at..];
        let Some(tag_end) = after_open.find('>') else { break };
        let tag = &after_open[..tag_end];
        if let Some(src) = attribute(tag, "src") {
            parts.side_effects.push((relative_specifier(src), offset_in(text, tag)));
        }
        if tag.ends_with('/') {
            rest = &after_open[tag_end + 1..];
            continue;
        }
        let body_start = &after_open[tag_end + 1..];
        let Some(end) = body_start.find(close) else { break };
        let body = &body_start[..end];
        if open == "<script" {
            parts.scripts.push(ScriptBlock {
                dialect: dialect(attribute(tag, "lang")),
                body,
                offset: offset_in(text, body),
            });
        } else {
            let start = offset_in(text, body);
            parts
                .side_effects
                .extend(style_imports(body).into_iter().map(|(s, at)| (s, start + at)));
        }
        rest = &body_start[end + close.len()..];
    }
    parts
}

/// Byte offset of `part` (a slice of `text`) in `text`.
fn offset_in(text: &str, part: &str) -> usize {
    (part.as_ptr() as usize)
        .saturating_sub(text.as_ptr() as usize)
        .min(text.len())
}

/// Where the tag `open` (`<script`) starts in `text`, as a whole tag name.
fn find_tag(text: &str, open: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = text[from..].find(open) {
        let at = from + i;
        let next = text[at + open.len()..].chars().next();
        if matches!(next, Some(c) if c.is_whitespace() || c == '>' || c == '/') {
            return Some(at);
        }
        from = at + open.len();
    }
    None
}

/// The value of the attribute `name` in a start tag (`lang="ts"`, `lang='ts'`).
fn attribute<'t>(tag: &'t str, name: &str) -> Option<&'t str> {
    let mut from = 0;
    while let Some(i) = tag[from..].find(name) {
        let at = from + i;
        from = at + name.len();
        let before_ok = tag[..at].ends_with(char::is_whitespace);
        let after = tag[from..].trim_start();
        if !before_ok || !after.starts_with('=') {
            continue;
        }
        let value = after[1..].trim_start();
        let quote = value.chars().next()?;
        if quote == '"' || quote == '\'' {
            return value[1..].find(quote).map(|end| &value[1..1 + end]);
        }
        let end = value
            .find(|c: char| c.is_whitespace() || c == '>')
            .unwrap_or(value.len());
        return Some(&value[..end]);
    }
    None
}

/// The dialect of a `lang` attribute.
fn dialect(lang: Option<&str>) -> &'static str {
    match lang.map(str::to_ascii_lowercase).as_deref() {
        Some("ts" | "typescript") => "script.ts",
        Some("tsx") => "script.tsx",
        Some("jsx") => "script.jsx",
        _ => "script.js",
    }
}

/// A bare `src="Foo.ts"` names a file beside the component, like `./Foo.ts`.
fn relative_specifier(src: &str) -> String {
    if src.starts_with(['.', '/', '~', '@', '#', '$']) || src.contains(':') {
        src.to_string()
    } else {
        format!("./{src}")
    }
}

/// Specifiers of `@import '…'`, `@use '…'` and `@forward '…'` in a stylesheet, each with the
/// byte offset of its at-rule (`url(…)`, `sass:` modules and URLs on other hosts are left
/// out).
pub fn style_imports(css: &str) -> Vec<(String, usize)> {
    let mut out: Vec<(usize, String)> = Vec::new();
    for at_rule in ["@import", "@use", "@forward"] {
        let mut from = 0;
        while let Some(i) = css[from..].find(at_rule) {
            let rule_at = from + i;
            let at = rule_at + at_rule.len();
            from = at;
            let rest = css[at..].trim_start();
            // `@import 'a', 'b';` lists several.
            let statement = &rest[..rest.find([';', '\n', '{']).unwrap_or(rest.len())];
            for piece in statement.split(',') {
                let piece = piece.trim();
                let Some(quote) = piece.chars().next().filter(|q| *q == '"' || *q == '\'') else {
                    continue;
                };
                let Some(end) = piece[1..].find(quote) else { continue };
                let spec = &piece[1..1 + end];
                if spec.is_empty() || spec.starts_with("sass:") || spec.contains("://") {
                    continue;
                }
                out.push((rule_at, spec.to_string()));
            }
        }
    }
    out.sort_by_key(|(at, _)| *at);
    out.into_iter().map(|(at, spec)| (spec, at)).collect()
}

/// Tag names and expression identifiers of a Vue template.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TemplateUse {
    /// Component-like tag names (`StatusCard`, `status-card`, `LazyFoo`), deduplicated.
    pub tags: Vec<String>,
    /// Identifiers in `{{ … }}` and in `:prop`, `@event`, `v-…` and `#slot` values that are
    /// not member names (`a.b` gives `a`), deduplicated.
    pub identifiers: Vec<String>,
}

/// HTML and Vue built-in tags that are never components of the app.
fn is_builtin_tag(tag: &str) -> bool {
    matches!(
        tag,
        "template" | "slot" | "component" | "transition" | "keep-alive" | "teleport" | "suspense"
    ) || matches!(
        tag,
        "Transition" | "TransitionGroup" | "KeepAlive" | "Teleport" | "Suspense" | "Component" | "Slot"
    )
}

/// Scans the markup of a Vue file for component tags and expression identifiers.
pub fn template_use(markup: &str) -> TemplateUse {
    let mut tags = std::collections::BTreeSet::new();
    let mut idents = std::collections::BTreeSet::new();
    let bytes = markup.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if markup[i..].starts_with("<!--") {
            i = markup[i..].find("-->").map_or(bytes.len(), |e| i + e + 3);
            continue;
        }
        if markup[i..].starts_with("{{") {
            let end = markup[i + 2..].find("}}").map_or(bytes.len(), |e| i + 2 + e);
            expression_identifiers(&markup[i + 2..end], &mut idents);
            i = (end + 2).min(bytes.len());
            continue;
        }
        if bytes[i] == b'<' && bytes.get(i + 1).is_some_and(u8::is_ascii_alphabetic) {
            let name_end = markup[i + 1..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.'))
                .map_or(bytes.len(), |e| i + 1 + e);
            let name = &markup[i + 1..name_end];
            let component_like = name.starts_with(|c: char| c.is_ascii_uppercase()) || name.contains('-');
            if component_like && !is_builtin_tag(name) {
                tags.insert(name.to_string());
            }
            i = scan_attributes(markup, name_end, &mut idents);
            continue;
        }
        i += markup[i..].chars().next().map_or(1, char::len_utf8);
    }
    TemplateUse {
        tags: tags.into_iter().collect(),
        identifiers: idents.into_iter().collect(),
    }
}

/// Reads the attributes of a start tag from `at`; returns the offset after the tag.
fn scan_attributes(markup: &str, mut at: usize, idents: &mut std::collections::BTreeSet<String>) -> usize {
    let bytes = markup.as_bytes();
    while at < bytes.len() {
        let c = bytes[at];
        if c == b'>' {
            return at + 1;
        }
        if c.is_ascii_whitespace() || c == b'/' {
            at += 1;
            continue;
        }
        let name_end = markup[at..]
            .find(|c: char| c.is_whitespace() || c == '=' || c == '>' || c == '/')
            .map_or(bytes.len(), |e| at + e);
        let name = &markup[at..name_end];
        at = name_end;
        let after = markup[at..].trim_start();
        if !after.starts_with('=') {
            continue;
        }
        at = bytes.len() - after.len() + 1;
        let value = markup[at..].trim_start();
        at = bytes.len() - value.len();
        let (body, next) = match value.chars().next() {
            Some(q @ ('"' | '\'')) => match value[1..].find(q) {
                Some(end) => (&value[1..1 + end], at + end + 2),
                None => (&value[1..], bytes.len()),
            },
            _ => {
                let end = value
                    .find(|c: char| c.is_whitespace() || c == '>')
                    .unwrap_or(value.len());
                (&value[..end], at + end)
            }
        };
        if name.starts_with([':', '@', '#']) || name.starts_with("v-") {
            expression_identifiers(body, idents);
        }
        at = next;
    }
    bytes.len()
}

/// Identifiers of a template expression that are not member names or object keys; string
/// contents are skipped (template literal placeholders are read).
fn expression_identifiers(expr: &str, out: &mut std::collections::BTreeSet<String>) {
    let chars: Vec<char> = expr.chars().collect();
    let mut i = 0;
    let mut last_significant = ' ';
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' || c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != c {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
            last_significant = c;
            continue;
        }
        if c == '`' {
            // Keep scanning inside placeholders; skip the literal text.
            i += 1;
            while i < chars.len() && chars[i] != '`' {
                if chars[i] == '$' && chars.get(i + 1) == Some(&'{') {
                    let start = i + 2;
                    let mut depth = 1;
                    i = start;
                    while i < chars.len() && depth > 0 {
                        match chars[i] {
                            '{' => depth += 1,
                            '}' => depth -= 1,
                            _ => {}
                        }
                        i += 1;
                    }
                    let inner: String = chars[start..i.saturating_sub(1).max(start)].iter().collect();
                    expression_identifiers(&inner, out);
                    continue;
                }
                i += 1;
            }
            i += 1;
            last_significant = '`';
            continue;
        }
        if c.is_alphabetic() || c == '_' || c == '$' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '$') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let next = chars[i..].iter().find(|c| !c.is_whitespace()).copied();
            let is_key = next == Some(':') && matches!(last_significant, '{' | ',');
            if last_significant != '.' && !is_key && !is_keyword(&word) {
                out.insert(word);
            }
            last_significant = 'a';
            continue;
        }
        if !c.is_whitespace() {
            last_significant = c;
        }
        i += 1;
    }
}

fn is_keyword(word: &str) -> bool {
    matches!(
        word,
        "true" | "false" | "null" | "undefined" | "in" | "of" | "typeof" | "instanceof" | "new" | "void" | "this"
    )
}

/// Layouts a template names statically: `<NuxtLayout name="admin">`.
pub fn layout_names(markup: &str) -> Vec<String> {
    let mut out = Vec::new();
    for open in ["<NuxtLayout", "<nuxt-layout"] {
        let mut from = 0;
        while let Some(at) = find_tag(&markup[from..], open) {
            let start = from + at;
            let end = markup[start..].find('>').map_or(markup.len(), |e| start + e);
            if let Some(name) = attribute(&markup[start..end], "name") {
                out.push(name.to_string());
            }
            from = end;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_attributes_and_styles_are_split() {
        let text = "<template><Card/></template>\n<script lang=\"tsx\">\nexport default {}\n</script>\n\
                    <script setup lang='ts'>\nconst a = 1\n</script>\n<script src=\"./logic.ts\"></script>\n\
                    <style lang=\"scss\">\n@use 'sass:math';\n@import '~/styles/vars', \"./theme.scss\";\n@forward \"./tokens\";\n</style>\n\
                    <style src=\"shared.css\"></style>";
        let parts = split(text);
        let dialects: Vec<&str> = parts.scripts.iter().map(|s| s.dialect).collect();
        assert_eq!(dialects, vec!["script.tsx", "script.ts", "script.js"]);
        let specs: Vec<&str> = parts.side_effects.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(
            specs,
            vec![
                "./logic.ts",
                "~/styles/vars",
                "./theme.scss",
                "./tokens",
                "./shared.css"
            ]
        );
        assert!(parts.markup.contains("<Card/>"));
        assert!(!parts.markup.contains("const a"));
    }

    #[test]
    fn template_tags_and_identifiers() {
        let markup = "<template><div :class=\"{ active: isActive(x) }\" @click=\"open(item.id)\">\
                      {{ formatDate(post.date, 'YYYY') }} <!-- <Hidden/> -->\
                      <status-card v-if=\"ok\" /><LazyUserAvatar/><Transition/></div></template>";
        let got = template_use(markup);
        assert_eq!(got.tags, vec!["LazyUserAvatar", "status-card"]);
        assert_eq!(
            got.identifiers,
            vec!["formatDate", "isActive", "item", "ok", "open", "post", "x"]
        );
    }
}
