//! The API endpoints a source file calls, read from its text: the literal path passed to
//! `fetch`, `$fetch`/`useFetch`/`ofetch` (Nuxt), `useSWR*`, `axios`/`axios.get`…, `ky`…,
//! `request`, and any string or template literal that starts with `/api/`. Template parts
//! (`` `/api/cart/${id}` ``) stay as written: the route matcher takes `${…}` for any
//! segment. Paths only (an absolute URL to another host is not this app's endpoint).

use std::sync::LazyLock;

use regex::Regex;

static CALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?:^|[^\w$.])(?:fetch|\$fetch|useFetch|useLazyFetch|ofetch|useSWR\w*|axios(?:\.\w+)?|ky(?:\.\w+)?|request)\(\s*(?:'(/[^'\n]*)'|"(/[^"\n]*)"|`(/[^`\n]*)`)"#,
    )
    .expect("a valid regex")
});
static API_LITERAL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?:'(/api/[^'\n]*)'|"(/api/[^"\n]*)"|`(/api/[^`\n]*)`)"#).expect("a valid regex"));

/// The endpoint paths `text` calls, sorted, without duplicates.
pub fn scan(text: &str) -> Vec<String> {
    // Most files call nothing: a plain substring search rules them out before the regexes.
    const HINTS: &[&str] = &["fetch", "Fetch", "useSWR", "axios", "ky", "request", "/api/"];
    if !HINTS.iter().any(|h| text.contains(h)) {
        return Vec::new();
    }
    let mut out = first_captures(&[&CALL, &API_LITERAL], text);
    out.retain(|path| !path.starts_with("//"));
    out
}

/// The first capture group that matched, of every match of each of `regexes` in `text`,
/// sorted, without duplicates (the events scan uses it too).
pub(super) fn first_captures(regexes: &[&Regex], text: &str) -> Vec<String> {
    let mut out: Vec<String> = regexes
        .iter()
        .flat_map(|re| re.captures_iter(text))
        .filter_map(|c| c.iter().skip(1).flatten().next().map(|m| m.as_str().to_string()))
        .collect();
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_and_api_literals_are_found_with_their_templates() {
        let found = scan(
            "await fetch('/api/cart', { method: 'POST' });\n\
             const { data } = useSWR(`/api/products/${id}`);\n\
             axios.get(\"/orders/recent\"); ky.post('/checkout');\n\
             const url = '/api/search?q=' + q;\n\
             fetch('https://example.com/api/x'); fetch('//cdn/x'); myfetch('/nope');\n",
        );
        assert_eq!(
            found,
            vec![
                "/api/cart",
                "/api/products/${id}",
                "/api/search?q=",
                "/checkout",
                "/orders/recent"
            ]
        );
    }
}
