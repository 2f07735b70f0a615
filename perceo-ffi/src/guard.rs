//! The one guard every export runs in: catches panics, records the thread's last error.

use std::cell::RefCell;
use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::PerceoStatus;

/// Error code stored for a bad argument (NULL, invalid UTF-8, bad options JSON); the same
/// string as [`perceo_core::Error::Argument`]'s code.
pub(crate) const CODE_ARGUMENT: &str = "argument";
/// Error code stored when Perceo panicked.
pub(crate) const CODE_PANIC: &str = perceo_core::PANIC_CODE;
/// Error code stored when a result could not be turned into a C string or JSON.
pub(crate) const CODE_INTERNAL: &str = "internal";

/// Why an export failed before or after calling into the core.
#[derive(Debug)]
pub(crate) enum FfiError {
    /// The core failed: [`PerceoStatus::Error`] with the core's code and message.
    Core(perceo_core::Error),
    /// The caller passed a bad argument: [`PerceoStatus::InvalidArgument`].
    InvalidArgument(String),
    /// The result could not be handed over (never expected): [`PerceoStatus::Error`].
    Internal(String),
}

impl From<perceo_core::Error> for FfiError {
    fn from(e: perceo_core::Error) -> Self {
        FfiError::Core(e)
    }
}

impl FfiError {
    fn status(&self) -> PerceoStatus {
        match self {
            FfiError::Core(_) | FfiError::Internal(_) => PerceoStatus::Error,
            FfiError::InvalidArgument(_) => PerceoStatus::InvalidArgument,
        }
    }

    fn into_last_error(self) -> LastError {
        match self {
            FfiError::Core(e) => LastError {
                code: e.code(),
                message: e.to_string(),
            },
            FfiError::InvalidArgument(message) => LastError {
                code: CODE_ARGUMENT,
                message,
            },
            FfiError::Internal(message) => LastError {
                code: CODE_INTERNAL,
                message,
            },
        }
    }
}

/// The error of the last failed call on this thread.
#[derive(Debug, Clone)]
pub(crate) struct LastError {
    pub(crate) code: &'static str,
    pub(crate) message: String,
}

thread_local! {
    static LAST_ERROR: RefCell<Option<LastError>> = const { RefCell::new(None) };
}

fn store(error: Option<LastError>) {
    // `try_with`/`try_borrow_mut`: never panic here, not even during thread teardown.
    let _ = LAST_ERROR.try_with(|slot| {
        if let Ok(mut slot) = slot.try_borrow_mut() {
            *slot = error;
        }
    });
}

/// The last error recorded on this thread, if any.
pub(crate) fn last_error() -> Option<LastError> {
    LAST_ERROR
        .try_with(|slot| slot.try_borrow().ok().and_then(|e| e.clone()))
        .ok()
        .flatten()
}

/// Runs `f`, catching any panic: a panic is recorded as the thread's last error (code
/// `panic`) and `on_panic` is returned instead. Every export goes through here.
pub(crate) fn guard<T>(on_panic: T, f: impl FnOnce() -> T) -> T {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(value) => value,
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic payload".to_string());
            // Dropping a payload runs foreign code; it must not unwind into C either.
            let _ = catch_unwind(AssertUnwindSafe(move || drop(payload)));
            store(Some(LastError {
                code: CODE_PANIC,
                message: format!("Perceo panicked (a bug, please report it): {what}"),
            }));
            on_panic
        }
    }
}

/// [`guard`] for the status-returning exports: `Ok` clears the thread's last error, an
/// error records it and returns its status.
pub(crate) fn call(f: impl FnOnce() -> Result<(), FfiError>) -> PerceoStatus {
    guard(PerceoStatus::Panic, || match f() {
        Ok(()) => {
            store(None);
            PerceoStatus::Ok
        }
        Err(e) => {
            let status = e.status();
            store(Some(e.into_last_error()));
            status
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_the_panic_status_with_its_message() {
        let status = call(|| panic!("boom {}", 42));
        assert_eq!(status, PerceoStatus::Panic);
        let e = last_error().expect("a panic is recorded");
        assert_eq!(e.code, "panic");
        assert!(e.message.contains("boom 42"), "{}", e.message);
        assert_eq!(guard(7, || panic!("static message")), 7);
        assert!(last_error().unwrap().message.contains("static message"));
    }

    #[test]
    fn success_clears_and_errors_record_the_code() {
        assert_eq!(
            call(|| Err(FfiError::InvalidArgument("`x` is NULL".into()))),
            PerceoStatus::InvalidArgument
        );
        assert_eq!(last_error().unwrap().code, "argument");
        assert_eq!(
            call(|| Err(perceo_core::Error::Argument("nope".into()).into())),
            PerceoStatus::Error
        );
        assert_eq!(last_error().unwrap().message, "nope");
        assert_eq!(call(|| Ok(())), PerceoStatus::Ok);
        assert!(last_error().is_none());
    }

    #[test]
    fn the_last_error_is_per_thread() {
        let _ = call(|| Err(FfiError::InvalidArgument("here".into())));
        std::thread::spawn(|| assert!(last_error().is_none())).join().unwrap();
        assert!(last_error().is_some());
    }
}
