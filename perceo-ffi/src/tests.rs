//! Unit tests of the C ABI: statuses, last errors, ownership of returned strings.

use super::*;
use std::ffi::CString;

fn take(s: *mut c_char) -> Option<String> {
    if s.is_null() {
        return None;
    }
    // SAFETY: a string from this crate, freed right after the copy.
    let owned = unsafe { CStr::from_ptr(s) }.to_string_lossy().into_owned();
    // SAFETY: as above; freed once.
    unsafe { perceo_string_free(s) };
    Some(owned)
}

#[test]
fn version_is_the_package_version() {
    // SAFETY: a static NUL-terminated string.
    let v = unsafe { CStr::from_ptr(perceo_version()) };
    assert_eq!(v.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
}

#[test]
fn null_and_invalid_utf8_are_invalid_arguments() {
    let mut project = ptr::null_mut();
    // SAFETY: NULL is an allowed input; `project` is writable.
    let status = unsafe { perceo_project_open(ptr::null(), ptr::null(), &mut project) };
    assert_eq!(status, PerceoStatus::InvalidArgument);
    assert!(project.is_null());
    assert_eq!(take(perceo_last_error_code()).as_deref(), Some("argument"));
    assert!(take(perceo_last_error_message()).unwrap().contains("project_dir"));

    let bad = CString::new(vec![b'/', 0xff, 0xfe]).unwrap();
    // SAFETY: a NUL-terminated string; `project` is writable.
    let status = unsafe { perceo_project_open(bad.as_ptr(), ptr::null(), &mut project) };
    assert_eq!(status, PerceoStatus::InvalidArgument);
    assert!(take(perceo_last_error_message()).unwrap().contains("UTF-8"));

    let mut json = ptr::null_mut();
    // SAFETY: NULL handle is checked; `json` is writable.
    let status = unsafe { perceo_project_config_json(ptr::null(), &mut json) };
    assert_eq!(status, PerceoStatus::InvalidArgument);
    assert!(json.is_null());
}

#[test]
fn free_functions_accept_null() {
    // SAFETY: NULL is documented as accepted.
    unsafe {
        perceo_string_free(ptr::null_mut());
        perceo_project_free(ptr::null_mut());
    }
}

#[test]
fn a_missing_project_is_config_not_found() {
    let dir = std::env::temp_dir().join("perceo-ffi-no-such-project/deeper");
    let dir = CString::new(dir.to_str().unwrap()).unwrap();
    let mut project = ptr::null_mut();
    // SAFETY: valid strings; `project` is writable.
    let status = unsafe { perceo_project_open(dir.as_ptr(), ptr::null(), &mut project) };
    assert_eq!(status, PerceoStatus::Error);
    assert_eq!(take(perceo_last_error_code()).as_deref(), Some("config.not_found"));
    // Reading the last error does not clear it.
    assert!(
        take(perceo_last_error_message())
            .unwrap()
            .contains("no Perceo configuration")
    );
    assert_eq!(take(perceo_last_error_code()).as_deref(), Some("config.not_found"));
}

#[test]
fn analyze_options_are_checked() {
    assert_eq!(parse_analyze_options(None).unwrap(), OnEmpty::All);
    assert_eq!(
        parse_analyze_options(Some(r#"{"onEmpty":"smoke"}"#)).unwrap(),
        OnEmpty::Smoke
    );
    assert_eq!(parse_analyze_options(Some("{}")).unwrap(), OnEmpty::All);
    assert!(parse_analyze_options(Some(r#"{"onEmpty":"some"}"#)).is_err());
    assert!(parse_analyze_options(Some(r#"{"on_empty":"all"}"#)).is_err());
    assert!(parse_analyze_options(Some("not json")).is_err());
}
