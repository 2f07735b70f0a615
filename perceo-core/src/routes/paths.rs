//! Path helpers shared by the framework conventions.

/// Extensions of JavaScript / TypeScript modules.
pub(super) const SOURCE_EXTS: &[&str] = &["ts", "tsx", "js", "jsx", "mjs", "cjs", "mts", "cts"];

/// Splits a path into its directory (`""` at the top) and its file name.
pub(super) fn split_dir(path: &str) -> (&str, &str) {
    path.rsplit_once('/').unwrap_or(("", path))
}

/// The file name without its extension, when the extension is one of `exts`.
/// Declaration files (`x.d.ts`) never match: they are not modules that run.
pub(super) fn stem<'a>(name: &'a str, exts: &[&str]) -> Option<&'a str> {
    let (stem, ext) = name.rsplit_once('.')?;
    let valid = !stem.is_empty() && exts.contains(&ext) && !stem.ends_with(".d");
    valid.then_some(stem)
}

/// [`stem`] for JavaScript / TypeScript modules.
pub(super) fn source_stem(name: &str) -> Option<&str> {
    stem(name, SOURCE_EXTS)
}

/// The files under `root` (which ends with `/`), each as `(full path, path relative to root)`.
pub(super) fn under<'a>(files: &'a [String], root: &str) -> impl Iterator<Item = (&'a str, &'a str)> {
    files
        .iter()
        .filter_map(move |file| file.strip_prefix(root).map(|rel| (file.as_str(), rel)))
}

/// Whether any of `files` lies under `root` (which ends with `/`).
pub(super) fn has_dir(files: &[String], root: &str) -> bool {
    files.iter().any(|file| file.starts_with(root))
}

/// The non-empty segments of a relative directory.
pub(super) fn segments(dir: &str) -> impl Iterator<Item = &str> {
    dir.split('/').filter(|segment| !segment.is_empty())
}

/// Joins URL segments into a pattern (`/` when there are none).
pub(super) fn pattern_of<S: AsRef<str>>(segments: impl IntoIterator<Item = S>) -> String {
    let mut pattern = String::new();
    for segment in segments {
        pattern.push('/');
        pattern.push_str(segment.as_ref());
    }
    if pattern.is_empty() {
        pattern.push('/');
    }
    pattern
}

/// Whether `dir` is `ancestor` or lies beneath it (`""` is the ancestor of every directory).
pub(super) fn is_within(dir: &str, ancestor: &str) -> bool {
    ancestor.is_empty()
        || dir
            .strip_prefix(ancestor)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// Whether a directory segment is a route group `(name)` (Next.js, SvelteKit, Nuxt), which
/// organises files without appearing in the URL. Next.js interceptors `(.)x` are not groups.
pub(super) fn is_group(segment: &str) -> bool {
    segment.len() > 2 && segment.starts_with('(') && segment.ends_with(')') && !segment[1..].starts_with('.')
}

/// Files that wrap every route in or beneath the directory they sit in (layouts and the like).
#[derive(Debug, Default)]
pub(super) struct Wrappers<'a> {
    /// `(directory relative to the routing root, project-relative file)`.
    entries: Vec<(&'a str, &'a str)>,
}

impl<'a> Wrappers<'a> {
    /// Records `file`, which wraps the routes in and beneath `dir`.
    pub(super) fn add(&mut self, dir: &'a str, file: &'a str) {
        self.entries.push((dir, file));
    }

    /// The files wrapping a route defined in `dir`, outermost first.
    pub(super) fn around(&self, dir: &str) -> Vec<String> {
        self.around_up_to(dir, dir)
    }

    /// Like [`Wrappers::around`] for a route in `dir` whose wrapping stops at the ancestor
    /// `top` (a SvelteKit layout reset, `+page@top.svelte`): only files of `top` and above.
    pub(super) fn around_up_to(&self, dir: &str, top: &str) -> Vec<String> {
        let mut found: Vec<_> = self
            .entries
            .iter()
            .filter(|(wrapped, _)| is_within(dir, wrapped) && is_within(top, wrapped))
            .collect();
        found.sort_by_key(|(wrapped, file)| (segments(wrapped).count(), *file));
        found.into_iter().map(|(_, file)| (*file).to_owned()).collect()
    }
}

/// A glob set of `patterns` (`**/.*`, `*.css`); patterns that are not valid globs are left
/// out. Used for `ignoredRouteFiles`.
pub(super) fn glob_set(patterns: &[String]) -> globset::GlobSet {
    let mut builder = globset::GlobSetBuilder::new();
    for pattern in patterns {
        if let Ok(glob) = globset::GlobBuilder::new(pattern).literal_separator(true).build() {
            builder.add(glob);
        }
    }
    builder.build().unwrap_or_else(|_| globset::GlobSet::empty())
}
