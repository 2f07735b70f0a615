//! Nuxt's naming rules for auto-imported components, layouts and default exports, after
//! `scule` (`splitByCase`, `pascalCase`) and Nuxt's `resolveComponentNameSegments`.

/// Splits a name at `-`, `_`, `/`, `.` and at case changes, as `scule`'s `splitByCase`
/// does: `StatusCard` → `Status`, `Card`; `HTMLParser` → `HTML`, `Parser`.
pub fn split_by_case(text: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut buff = String::new();
    let mut previous_upper: Option<bool> = None;
    let mut previous_splitter: Option<bool> = None;
    for c in text.chars() {
        if matches!(c, '-' | '_' | '/' | '.') {
            parts.push(std::mem::take(&mut buff));
            previous_upper = None;
            continue;
        }
        let is_upper = (!c.is_ascii_digit()).then(|| c.to_lowercase().next() != Some(c));
        if previous_splitter == Some(false) {
            if previous_upper == Some(false) && is_upper == Some(true) {
                parts.push(std::mem::replace(&mut buff, c.to_string()));
                previous_upper = is_upper;
                continue;
            }
            if previous_upper == Some(true) && is_upper == Some(false) && buff.chars().count() > 1 {
                let last = buff.pop().unwrap_or_default();
                parts.push(std::mem::take(&mut buff));
                buff.push(last);
                buff.push(c);
                previous_upper = is_upper;
                continue;
            }
        }
        buff.push(c);
        previous_upper = is_upper;
        previous_splitter = Some(false);
    }
    parts.push(buff);
    parts
}

/// `status` → `Status` (the first character upper-cased, the rest kept).
fn upper_first(part: &str) -> String {
    let mut chars = part.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `scule`'s `pascalCase` of parts already split.
pub fn pascal(parts: &[String]) -> String {
    parts.iter().map(|p| upper_first(p)).collect()
}

/// `scule`'s `camelCase`: `format-date` → `formatDate`.
pub fn camel(text: &str) -> String {
    let p = pascal(&split_by_case(text));
    let mut chars = p.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `scule`'s `kebabCase`: `AdminPanel` → `admin-panel`.
pub fn kebab(text: &str) -> String {
    split_by_case(text)
        .iter()
        .filter(|p| !p.is_empty())
        .map(|p| p.to_lowercase())
        .collect::<Vec<_>>()
        .join("-")
}

/// Nuxt's `resolveComponentNameSegments`: the prefix folders then the file name, without
/// the prefix words the file name repeats (`base/BaseButton` → `Base`, `Button`).
fn component_segments(file_name: &str, prefix_parts: &[String]) -> Vec<String> {
    let file_parts = split_by_case(file_name);
    let file_content = file_parts.join("/").to_lowercase();
    let mut name_parts: Vec<String> = prefix_parts.to_vec();
    let mut matched: Vec<String> = Vec::new();
    for index in (0..prefix_parts.len()).rev() {
        let mut head: Vec<String> = split_by_case(&prefix_parts[index])
            .into_iter()
            .map(|p| p.to_lowercase())
            .collect();
        head.append(&mut matched);
        matched = head;
        let matched_content = matched.join("/");
        let repeats = file_content == matched_content || file_content.starts_with(&format!("{matched_content}/"));
        let same_folder_twice = prefix_parts[index].to_lowercase() == file_content
            && prefix_parts.get(index + 1) == Some(&prefix_parts[index]);
        if repeats || same_folder_twice {
            name_parts.truncate(index);
        }
    }
    name_parts.extend(file_parts);
    name_parts
}

/// The PascalCase name Nuxt registers for the component file at `rel` (relative to its
/// components folder, with extension), given the folder's `prefix` and `pathPrefix`.
/// `.client` / `.server` / `.global` / `.island` suffixes are dropped; `index` takes the
/// name of its folder.
pub fn component_name(rel: &str, prefix: &str, path_prefix: bool) -> Option<String> {
    let (dir, file) = rel.rsplit_once('/').unwrap_or(("", rel));
    let mut stem = file.rsplit_once('.').map(|(s, _)| s)?;
    loop {
        let trimmed = [".client", ".server", ".global", ".island"]
            .iter()
            .find_map(|suffix| stem.strip_suffix(suffix));
        match trimmed {
            Some(t) => stem = t,
            None => break,
        }
    }
    let mut stem = stem.to_string();
    if stem.eq_ignore_ascii_case("index") {
        stem = if path_prefix {
            String::new()
        } else {
            dir.rsplit('/').next().unwrap_or("").to_string()
        };
    }
    let mut prefix_parts: Vec<String> = Vec::new();
    if !prefix.is_empty() {
        prefix_parts.extend(split_by_case(prefix));
    }
    if path_prefix && !dir.is_empty() {
        prefix_parts.extend(split_by_case(dir));
    }
    let name = pascal(&component_segments(&stem, &prefix_parts));
    (!name.is_empty()).then_some(name)
}

/// The component name a template tag refers to: `status-card` and `StatusCard` →
/// `StatusCard`.
pub fn tag_component(tag: &str) -> String {
    if tag.contains('-') {
        tag.split('-').map(upper_first).collect()
    } else {
        upper_first(tag)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_are_named_like_nuxt() {
        assert_eq!(
            component_name("status/StatusCard.vue", "", true).as_deref(),
            Some("StatusCard")
        );
        assert_eq!(
            component_name("base/BaseButton.vue", "", true).as_deref(),
            Some("BaseButton")
        );
        assert_eq!(
            component_name("base/foo/Button.vue", "", true).as_deref(),
            Some("BaseFooButton")
        );
        assert_eq!(
            component_name("account/AccountAvatar.client.vue", "", true).as_deref(),
            Some("AccountAvatar")
        );
        assert_eq!(component_name("nav/index.vue", "", true).as_deref(), Some("Nav"));
        assert_eq!(component_name("nav/index.vue", "", false).as_deref(), Some("Nav"));
        assert_eq!(
            component_name("ui/Button.vue", "Ui", false).as_deref(),
            Some("UiButton")
        );
        assert_eq!(component_name("Item/Item/Item.vue", "", true).as_deref(), Some("Item"));
        assert_eq!(
            component_name("form/input-text.vue", "", true).as_deref(),
            Some("FormInputText")
        );
        assert_eq!(tag_component("status-card"), "StatusCard");
        assert_eq!(tag_component("LazyStatusCard"), "LazyStatusCard");
    }

    #[test]
    fn split_by_case_follows_scule() {
        assert_eq!(split_by_case("HTMLParser"), vec!["HTML", "Parser"]);
        assert_eq!(split_by_case("fooBar-baz"), vec!["foo", "Bar", "baz"]);
        assert_eq!(camel("format-date"), "formatDate");
        assert_eq!(kebab("AdminPanel"), "admin-panel");
    }
}
