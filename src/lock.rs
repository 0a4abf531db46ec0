//! One build at a time per cache: a second build (a hook after two quick commits, a hook and a
//! manual build) waits for the first, then builds the newest revision.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Held for the whole build; the lock goes with the file handle.
pub struct BuildLock {
    _file: File,
}

/// The lock file that guards a cache folder: `cache.lock` beside `cache/`.
pub fn lock_path(cache_dir: &Path) -> PathBuf {
    let name = cache_dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "cache".into());
    cache_dir.with_file_name(format!("{name}.lock"))
}

/// Takes the lock, calling `on_wait` first when another build holds it.
pub fn acquire(cache_dir: &Path, on_wait: impl FnOnce()) -> Result<BuildLock> {
    let path = lock_path(cache_dir);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::io(format!("cannot create {}", dir.display()), e))?;
    }
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(&path)
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
    Ok(BuildLock { _file: file })
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
        let first = acquire(&cache, || panic!("nobody holds it yet")).unwrap();
        let released = Arc::new(AtomicBool::new(false));
        let seen = released.clone();
        let waited = Arc::new(AtomicBool::new(false));
        let w = waited.clone();
        let cache2 = cache.clone();
        let second = std::thread::spawn(move || {
            let _lock = acquire(&cache2, || w.store(true, Ordering::SeqCst)).unwrap();
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
