//! Borrowing C inputs (NULL and UTF-8 checked) and handing C strings out.

use std::ffi::{CStr, CString, c_char};

use crate::guard::FfiError;

/// Borrows a required NUL-terminated UTF-8 argument for the duration of the call.
///
/// # Safety
///
/// `ptr` is NULL or points to a NUL-terminated string that stays valid and unmodified
/// for `'a`.
pub(crate) unsafe fn required<'a>(ptr: *const c_char, name: &str) -> Result<&'a str, FfiError> {
    // SAFETY: forwarded from the caller's contract.
    unsafe { optional(ptr, name) }?.ok_or_else(|| FfiError::InvalidArgument(format!("`{name}` is NULL")))
}

/// Borrows an optional (nullable) NUL-terminated UTF-8 argument for the duration of the call.
///
/// # Safety
///
/// As [`required`].
pub(crate) unsafe fn optional<'a>(ptr: *const c_char, name: &str) -> Result<Option<&'a str>, FfiError> {
    if ptr.is_null() {
        return Ok(None);
    }
    // SAFETY: `ptr` is non-NULL and, by the caller's contract, NUL-terminated and valid for 'a.
    let bytes = unsafe { CStr::from_ptr(ptr) };
    bytes.to_str().map(Some).map_err(|e| {
        FfiError::InvalidArgument(format!(
            "`{name}` is not valid UTF-8 (invalid byte at offset {})",
            e.valid_up_to()
        ))
    })
}

/// Checks an out parameter and sets it to NULL, so it is NULL on every failure.
///
/// # Safety
///
/// `out` is NULL or valid for one pointer-sized write.
pub(crate) unsafe fn out_param<'a, T>(out: *mut *mut T, name: &str) -> Result<&'a mut *mut T, FfiError> {
    // SAFETY: by the caller's contract `out` is NULL or valid for writes; `as_mut` checks NULL.
    let out = unsafe { out.as_mut() }.ok_or_else(|| FfiError::InvalidArgument(format!("`{name}` is NULL")))?;
    *out = std::ptr::null_mut();
    Ok(out)
}

/// Leaks `s` as a C string that [`crate::perceo_string_free`] releases.
pub(crate) fn into_c_string(s: String) -> Result<*mut c_char, FfiError> {
    CString::new(s)
        .map(CString::into_raw)
        .map_err(|e| FfiError::Internal(format!("a result contains a NUL byte at offset {}", e.nul_position())))
}

/// Like [`into_c_string`] for messages: a NUL byte (never expected) becomes U+FFFD.
pub(crate) fn message_to_c_string(s: &str) -> *mut c_char {
    let s = if s.contains('\0') {
        s.replace('\0', "\u{FFFD}")
    } else {
        s.to_string()
    };
    CString::new(s).map_or(std::ptr::null_mut(), CString::into_raw)
}

/// Serialises `value` as JSON and leaks it as a C string.
pub(crate) fn json_c_string<T: serde::Serialize + ?Sized>(value: &T) -> Result<*mut c_char, FfiError> {
    let json = serde_json::to_string(value).map_err(|e| FfiError::Internal(format!("cannot serialise JSON: {e}")))?;
    into_c_string(json)
}
