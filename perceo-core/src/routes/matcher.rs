//! Matching of navigation targets against route patterns in every framework's notation.

/// Stands for a template-literal placeholder `${…}` once the href is normalised.
const PLACEHOLDER: char = '\u{0}';

/// Rank of a pattern segment that consumed a target segment: higher is more specific.
const STATIC: u8 = 5;
/// Rank of a segment mixing text and parameters (`[id]-details`).
const MIXED: u8 = 4;
/// Rank of a required parameter.
const DYNAMIC: u8 = 3;
/// Rank of an optional parameter that consumed a segment.
const OPTIONAL_DYNAMIC: u8 = 2;
/// Rank of a required catch-all.
const CATCH_ALL: u8 = 1;
/// Rank of an optional catch-all.
const OPTIONAL_CATCH_ALL: u8 = 0;

/// One segment of a navigation target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Target {
    /// Known text.
    Text(String),
    /// Contains a template placeholder: unknown at analysis time.
    Template,
}

/// The segments of an absolute navigation target, with the query string, hash and empty
/// segments (trailing slash) removed. `None` for URLs with a scheme, `mailto:`, fragments,
/// protocol-relative and relative paths.
pub(super) fn href_segments(href: &str) -> Option<Vec<Target>> {
    let href = href.trim();
    if href.starts_with("http") || href.starts_with("mailto:") || href.starts_with('#') {
        return None;
    }
    let normalised = replace_placeholders(href);
    let path = normalised.split(['?', '#']).next().unwrap_or_default();
    if !path.starts_with('/') || path.starts_with("//") {
        return None;
    }
    let segments = path.split('/').filter(|segment| !segment.is_empty());
    Some(
        segments
            .map(|segment| {
                if segment.contains(PLACEHOLDER) {
                    Target::Template
                } else {
                    Target::Text(segment.to_owned())
                }
            })
            .collect(),
    )
}

/// Replaces every `${…}` (braces inside it balanced) with [`PLACEHOLDER`], so that a `/`,
/// `?` or `#` inside the expression does not split the path.
fn replace_placeholders(href: &str) -> String {
    let mut out = String::with_capacity(href.len());
    let mut rest = href;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        out.push(PLACEHOLDER);
        rest = &rest[start + 2..];
        let mut depth = 1;
        let end = rest.char_indices().find_map(|(index, character)| {
            match character {
                '{' => depth += 1,
                '}' => depth -= 1,
                _ => {}
            }
            (depth == 0).then_some(index + 1)
        });
        rest = &rest[end.unwrap_or(rest.len())..];
    }
    out.push_str(rest);
    out
}

/// Part of a segment mixing text and parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Part<'p> {
    /// Literal text.
    Text(&'p str),
    /// `[name]` (at least one character) or `[[name]]` (possibly none).
    Param {
        /// Whether the parameter may be empty.
        optional: bool,
    },
}

/// One segment of a route pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Segment<'p> {
    /// Literal text.
    Static(&'p str),
    /// Optional static segment: Remix `(en)`, React Router `en?`.
    OptionalStatic(&'p str),
    /// Text and parameters in one segment (`[id]-details`, `[a]-[b]`).
    Mixed(Vec<Part<'p>>),
    /// `[id]`, `[id=matcher]`, `$id`, `:id`; optional: `[[id]]`, `($id)`, `:id?`.
    Dynamic {
        /// Whether the segment may be absent.
        optional: bool,
    },
    /// `[...slug]`; optional: `[[...slug]]`, the Remix splat `$` and React Router's `*`.
    CatchAll {
        /// Whether it may match no segment.
        optional: bool,
    },
}

/// Parses a pattern (any framework's notation) into segments.
pub(super) fn parse_pattern(pattern: &str) -> Vec<Segment<'_>> {
    pattern
        .split('/')
        .filter(|segment| !segment.is_empty())
        .map(parse_segment)
        .collect()
}

/// The content of `segment` between `open` and `close`, when it is exactly one bracket group.
fn enclosed<'s>(segment: &'s str, open: &str, close: &str) -> Option<&'s str> {
    let inner = segment.strip_prefix(open)?.strip_suffix(close)?;
    (!inner.is_empty() && !inner.contains(['[', ']'])).then_some(inner)
}

/// Parses one pattern segment.
fn parse_segment(segment: &str) -> Segment<'_> {
    if let Some(inner) = enclosed(segment, "[[", "]]") {
        let optional = true;
        return if inner.starts_with("...") {
            Segment::CatchAll { optional }
        } else {
            Segment::Dynamic { optional }
        };
    }
    if let Some(inner) = enclosed(segment, "[", "]") {
        let optional = false;
        return if inner.starts_with("...") {
            Segment::CatchAll { optional }
        } else {
            Segment::Dynamic { optional }
        };
    }
    if segment == "$" || segment == "*" {
        return Segment::CatchAll { optional: true };
    }
    if let Some(name) = segment.strip_prefix(':').filter(|name| !name.is_empty()) {
        let optional = name.ends_with('?');
        return Segment::Dynamic { optional };
    }
    if let Some(text) = segment.strip_suffix('?').filter(|text| !text.is_empty()) {
        return Segment::OptionalStatic(text);
    }
    if segment.len() > 1 && segment.starts_with('$') {
        return Segment::Dynamic { optional: false };
    }
    if let Some(inner) = segment.strip_prefix('(').and_then(|rest| rest.strip_suffix(')')) {
        return if inner.starts_with('$') {
            Segment::Dynamic { optional: true }
        } else {
            Segment::OptionalStatic(inner)
        };
    }
    mixed_parts(segment).map_or(Segment::Static(segment), Segment::Mixed)
}

/// Splits a segment such as `[id]-details` into text and parameters; `None` if it has no
/// well-formed parameter.
fn mixed_parts(segment: &str) -> Option<Vec<Part<'_>>> {
    let mut parts = Vec::new();
    let mut rest = segment;
    while let Some(start) = rest.find('[') {
        let optional = rest[start..].starts_with("[[");
        let close = if optional { "]]" } else { "]" };
        let end = start + rest[start..].find(close)? + close.len();
        if start > 0 {
            parts.push(Part::Text(&rest[..start]));
        }
        parts.push(Part::Param { optional });
        rest = &rest[end..];
    }
    if !rest.is_empty() {
        parts.push(Part::Text(rest));
    }
    parts
        .iter()
        .any(|part| matches!(part, Part::Param { .. }))
        .then_some(parts)
}

/// Whether `text` matches the parts of a mixed segment.
fn matches_parts(parts: &[Part<'_>], text: &str) -> bool {
    match parts.split_first() {
        None => text.is_empty(),
        Some((Part::Text(literal), rest)) => text
            .strip_prefix(literal)
            .is_some_and(|after| matches_parts(rest, after)),
        Some((Part::Param { optional }, rest)) => {
            let min = usize::from(!optional);
            let ends = text.char_indices().map(|(index, _)| index).chain([text.len()]);
            ends.filter(|&end| end >= min)
                .any(|end| matches_parts(rest, &text[end..]))
        }
    }
}

impl Segment<'_> {
    /// The rank with which this (single-segment) pattern segment consumes `target`.
    fn accepts(&self, target: &Target) -> Option<u8> {
        match (self, target) {
            (Segment::Static(text) | Segment::OptionalStatic(text), Target::Text(actual)) => {
                (text == actual).then_some(STATIC)
            }
            (Segment::Mixed(parts), Target::Text(actual)) => matches_parts(parts, actual).then_some(MIXED),
            (Segment::Dynamic { optional: false }, _) => Some(DYNAMIC),
            (Segment::Dynamic { optional: true }, _) => Some(OPTIONAL_DYNAMIC),
            _ => None,
        }
    }

    /// Whether the segment may match nothing.
    fn is_optional(&self) -> bool {
        matches!(self, Segment::OptionalStatic(_) | Segment::Dynamic { optional: true })
    }
}

/// The best way `pattern` matches `target`, as one rank per target segment (compare
/// lexicographically: higher is more specific), or `None` if it does not match.
pub(super) fn rank(pattern: &[Segment<'_>], target: &[Target]) -> Option<Vec<u8>> {
    let Some((first, rest)) = pattern.split_first() else {
        return target.is_empty().then(Vec::new);
    };
    let prepend = |ranks: &[u8], tail: Vec<u8>| ranks.iter().copied().chain(tail).collect::<Vec<u8>>();
    if let Segment::CatchAll { optional } = first {
        let weight = if *optional { OPTIONAL_CATCH_ALL } else { CATCH_ALL };
        let min = usize::from(!optional);
        return (min..=target.len())
            .filter_map(|taken| rank(rest, &target[taken..]).map(|tail| prepend(&vec![weight; taken], tail)))
            .max();
    }
    let skipped = if first.is_optional() { rank(rest, target) } else { None };
    let consumed = target.split_first().and_then(|(head, tail)| {
        let weight = first.accepts(head)?;
        rank(rest, tail).map(|ranks| prepend(&[weight], ranks))
    });
    skipped.into_iter().chain(consumed).max()
}
