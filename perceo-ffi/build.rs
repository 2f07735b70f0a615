//! Regenerates `include/perceo.h` from this crate's exports with cbindgen. The file is only
//! rewritten when its content changes, so a stale committed header shows up as a git diff.

use std::path::PathBuf;

fn main() {
    let crate_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let header = crate_dir.join("../include/perceo.h");
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed={}", header.display());

    let mut config =
        cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")).expect("perceo-ffi/cbindgen.toml is valid");
    let version = std::env::var("CARGO_PKG_VERSION").expect("cargo sets CARGO_PKG_VERSION");
    let defines = format!(
        "\n/** The version of Perceo this header belongs to (`perceo_version()` returns the library's). */\n#define PERCEO_VERSION \"{version}\"\n"
    );
    config.after_includes = Some(config.after_includes.unwrap_or_default() + &defines);

    let bindings = match cbindgen::Builder::new()
        .with_crate(&crate_dir)
        .with_config(config)
        .generate()
    {
        Ok(bindings) => bindings,
        Err(e) => panic!("cbindgen cannot generate include/perceo.h: {e}"),
    };
    // `write_to_file` leaves the file alone (and its mtime) when nothing changed.
    bindings.write_to_file(&header);
}
