//! Property tests of the C ABI: any string input is answered with a status, never a panic.

use super::*;
use proptest::prelude::*;
use std::ffi::CString;

fn c_string(bytes: &[u8]) -> CString {
    CString::new(bytes.iter().copied().filter(|b| *b != 0).collect::<Vec<u8>>()).unwrap()
}

/// A copy of `examples/shop` in a git repository, opened once for all cases.
fn shop() -> &'static SharedProject {
    static SHOP: std::sync::OnceLock<SharedProject> = std::sync::OnceLock::new();
    SHOP.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("perceo-ffi-props-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/shop");
        let status = std::process::Command::new("cp")
            .arg("-r")
            .arg(&source)
            .arg(&dir)
            .status()
            .unwrap();
        assert!(status.success());
        for args in [
            &["init", "-q"][..],
            &["add", "-A"],
            &["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "base"],
        ] {
            assert!(
                std::process::Command::new("git")
                    .current_dir(&dir)
                    .args(args)
                    .status()
                    .unwrap()
                    .success()
            );
        }
        let path = CString::new(dir.to_str().unwrap()).unwrap();
        let mut project = ptr::null_mut();
        // SAFETY: valid strings; `project` is writable.
        let status = unsafe { perceo_project_open(path.as_ptr(), ptr::null(), &mut project) };
        assert_eq!(status, PerceoStatus::Ok);
        SharedProject(project)
    })
}

struct SharedProject(*mut PerceoProject);
// SAFETY: the handle is documented as usable from any thread for these calls.
unsafe impl Send for SharedProject {}
// SAFETY: as above; the calls used here may run concurrently on one handle.
unsafe impl Sync for SharedProject {}

fn free(out: *mut c_char) {
    // SAFETY: NULL or a string from this crate, freed once.
    unsafe { perceo_string_free(out) };
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn any_string_input_gives_a_status_never_a_panic(
        a in prop::collection::vec(any::<u8>(), 0..64),
        b in prop::collection::vec(any::<u8>(), 0..64),
        text in ".{0,40}",
    ) {
        let project = shop().0;
        let (a, b, text) = (c_string(&a), c_string(&b), c_string(text.as_bytes()));
        let mut out = ptr::null_mut();
        let mut opened = ptr::null_mut();
        // SAFETY: NUL-terminated strings, a live handle and writable out parameters, for
        // every call below.
        let statuses = unsafe {
            [
                perceo_project_open(a.as_ptr(), b.as_ptr(), &mut opened),
                perceo_project_why_json(project, a.as_ptr(), &mut out),
                {
                    free(out);
                    perceo_project_module_graph_json(project, a.as_ptr(), b.as_ptr(), &mut out)
                },
                {
                    free(out);
                    perceo_project_analyze(project, a.as_ptr(), b.as_ptr(), text.as_ptr(), &mut out)
                },
                {
                    free(out);
                    perceo_project_publish_event(project, a.as_ptr(), text.as_ptr(), &mut out)
                },
            ]
        };
        free(out);
        // SAFETY: NULL or a handle opened above, freed once.
        unsafe { perceo_project_free(opened) };
        for status in statuses {
            prop_assert_ne!(status, PerceoStatus::Panic, "{:?}", take_message());
        }
    }
}

fn take_message() -> Option<String> {
    let s = perceo_last_error_message();
    if s.is_null() {
        return None;
    }
    // SAFETY: a string from this crate, freed right after the copy.
    let owned = unsafe { CStr::from_ptr(s) }.to_string_lossy().into_owned();
    free(s);
    Some(owned)
}

#[test]
fn the_header_lists_every_code_a_c_caller_can_get() {
    let header = include_str!("../../include/perceo.h");
    let declaration = header
        .find("perceo_last_error_code(void)")
        .expect("the header declares it");
    let comment = &header[header[..declaration].rfind("/**").expect("with a comment")..declaration];
    for c in perceo_core::CODES {
        if c.source != perceo_core::CodeSource::Http {
            assert!(
                comment.contains(&format!("`{}`", c.code)),
                "perceo_last_error_code's comment does not list `{}`",
                c.code
            );
        }
    }
}
