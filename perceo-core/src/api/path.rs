//! Path-segment encoding for the engines' read endpoints.

/// `segment` percent-encoded for use as one URL path segment (everything but RFC 3986
/// unreserved characters is escaped, so `/`, `?` and `#` cannot change the path). A segment
/// that is only `.` or `..` would still be a dot segment: callers validate ids first.
pub(crate) fn path_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_segments_cannot_escape_their_segment() {
        assert_eq!(path_segment("add-to-cart"), "add-to-cart");
        assert_eq!(path_segment("../x?y#z"), "..%2Fx%3Fy%23z");
        assert_eq!(path_segment("é"), "%C3%A9");
    }
}
