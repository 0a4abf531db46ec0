//! One build at a time per cache and per output folder: a second build (a hook after two quick
//! commits, a hook and a manual build, two caches writing one site) waits for the first, then
//! builds the newest revision.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Held for the whole build; the locks go with the file handles.
pub struct BuildLock {
    _files: Vec<File>,
}

/// The lock file that guards a cache folder: `cache.lock` beside `cache/`.
pub fn lock_path(cache_dir: &Path) -> PathBuf {
    beside(cache_dir, "", ".lock")
}

/// The lock file that guards an output folder: `.site.repowiki-lock` beside `site/` (inside
/// it, the folder exchange of a write would move it away).
pub fn out_lock_path(out: &Path) -> PathBuf {
    beside(out, ".", ".repowiki-lock")
}

/// `folder`'s sibling named `{before}{folder's name}{after}`.
fn beside(folder: &Path, before: &str, after: &str) -> PathBuf {
    let name = folder
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    folder.with_file_name(format!("{before}{name}{after}"))
}

/// Takes the output folder's lock, then the cache's (always in that order, so two builds never
/// wait on each other), calling `on_wait` once when another build holds one.
pub fn acquire(out: &Path, cache_dir: &Path, on_wait: impl FnOnce()) -> Result<BuildLock> {
    let mut on_wait = Some(on_wait);
    let mut files = Vec::new();
    for path in [out_lock_path(out), lock_path(cache_dir)] {
        files.push(take(&path, &mut || {
            if let Some(f) = on_wait.take() {
                f()
            }
        })?);
    }
    Ok(BuildLock { _files: files })
}

fn take(path: &Path, on_wait: &mut dyn FnMut()) -> Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::io(format!("cannot create {}", dir.display()), e))?;
    }
    // Never through a link: a committed `.repowiki/cache.lock -> ~/.bashrc` is refused.
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
        .map_err(|e| Error::io(format!("cannot open the build lock {}", path.display()), e))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            on_wait();
            file.lock().map_err(|e| {
                Error::io(format!("cannot take the build lock {}", path.display()), e)
            })?;
        }
        Err(TryLockError::Error(e)) => {
            return Err(Error::io(
                format!("cannot take the build lock {}", path.display()),
                e,
            ));
        }
    }
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;

    #[test]
    fn a_second_holder_waits_for_the_first() {
        let dir = tempfile::tempdir().unwrap();
        let cache = dir.path().join("cache");
        let out = dir.path().join("site");
        let first = acquire(&out, &cache, || panic!("nobody holds it yet")).unwrap();
        let released = Arc::new(AtomicBool::new(false));
        let seen = released.clone();
        let waited = Arc::new(AtomicBool::new(false));
        let w = waited.clone();
        // Another cache, the same site: it waits all the same.
        let cache2 = dir.path().join("cache2");
        let second = std::thread::spawn(move || {
            let _lock = acquire(&out, &cache2, || w.store(true, Ordering::SeqCst)).unwrap();
            assert!(
                seen.load(Ordering::SeqCst),
                "got the lock before the first let go"
            );
        });
        std::thread::sleep(std::time::Duration::from_millis(200));
        released.store(true, Ordering::SeqCst);
        drop(first);
        second.join().unwrap();
        assert!(waited.load(Ordering::SeqCst));
    }
}
