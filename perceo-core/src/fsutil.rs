//! Small helpers shared across modules: atomic writes of user files, timestamps, and arming a
//! stop signal before announcing readiness.

use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};

/// The current time in RFC 3339 with milliseconds, as Perceo stores and prints it.
pub fn now_rfc3339() -> String {
    humantime::format_rfc3339_millis(std::time::SystemTime::now()).to_string()
}

/// Polls `stop` once and says whether it is already done. Long-running commands call it before
/// announcing they are ready, so that whatever `stop` sets up on its first poll (a Ctrl-C or
/// SIGTERM handler) is in place by the time anyone can send the signal.
pub async fn stop_requested<F: std::future::Future<Output = ()> + ?Sized>(stop: std::pin::Pin<&mut F>) -> bool {
    let mut stop = stop;
    std::future::poll_fn(|cx| std::task::Poll::Ready(stop.as_mut().poll(cx).is_ready())).await
}

/// Takes an exclusive lock on `path` (created when missing), waiting for other processes
/// that hold it; released when the returned file is dropped.
pub fn lock_exclusive(path: &Path) -> Result<std::fs::File> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(|e| Error::io(path, e))?;
    file.lock().map_err(|e| Error::io(path, e))?;
    Ok(file)
}

/// The current time in milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// Writes `bytes` to `path` atomically: a temporary file in the same directory, flushed and
/// renamed over the target, so readers never see a truncated file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_replacing(path, bytes, true)
}

/// Like [`write_atomic`] without waiting for the disk: for caches, which readers validate
/// and rebuild, so a crash may lose the new content but never leaves a torn file in place.
pub fn write_atomic_unsynced(path: &Path, bytes: &[u8]) -> Result<()> {
    write_replacing(path, bytes, false)
}

/// Writes through a temporary file that ends up with the mode the file should have: the
/// existing file's mode when it is replaced, else what the umask gives a new file (0666 minus
/// the umask), as any other program writing the file would leave it.
fn write_replacing(path: &Path, bytes: &[u8], sync: bool) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let existing = std::fs::metadata(path).ok().map(|m| m.permissions());
    let mut builder = tempfile::Builder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // open(2) applies the umask to this mode.
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(dir).map_err(|e| Error::io(dir, e))?;
    if let Some(permissions) = existing {
        tmp.as_file()
            .set_permissions(permissions)
            .map_err(|e| Error::io(path, e))?;
    }
    tmp.write_all(bytes).map_err(|e| Error::io(path, e))?;
    if sync {
        tmp.as_file().sync_all().map_err(|e| Error::io(path, e))?;
    }
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}
