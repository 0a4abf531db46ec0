//! Where repowiki may write, and how it reads its own files: everything committed may be an
//! attacker's (a symlink `.repowiki/site -> ~`, `out = "../x"` in `repowiki.toml`), so the
//! output and cache folders are checked before anything is made, and no symbolic link is ever
//! followed inside the repository where repowiki reads its own files or writes.

use std::ffi::{CString, OsStr};
use std::fs::File;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};

use crate::error::{Error, Result};

/// Who named a folder: the repository's own `repowiki.toml` (not trusted), or the person running
/// repowiki (a flag).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Given {
    Config,
    Flag,
}

/// The repository a folder is checked against: its work tree and its git folders (a linked
/// worktree's git folder and the common one may lie elsewhere), all canonical.
pub struct Bounds {
    pub root: PathBuf,
    pub git_dirs: Vec<PathBuf>,
    pub home: Option<PathBuf>,
}

impl Bounds {
    pub fn of(repo: &git2::Repository, root: &Path) -> Bounds {
        let canon = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
        let mut git_dirs = vec![
            canon(&root.join(".git")),
            canon(repo.path()),
            canon(repo.commondir()),
        ];
        git_dirs.dedup();
        Bounds {
            root: canon(root),
            git_dirs,
            home: std::env::var_os("HOME")
                .filter(|h| !h.is_empty())
                .map(|h| canon(Path::new(&h))),
        }
    }
}

/// The folder `path` names (`key` says which setting, for the message), made absolute and
/// checked: from a committed config it must be a relative path inside the repository; from a
/// flag it may be anywhere but `/`, the home folder, the repository or a folder holding it, and
/// never inside a git folder. No symbolic link is followed inside the repository.
pub fn folder(bounds: &Bounds, path: &Path, given: Given, key: &str) -> Result<PathBuf> {
    let refuse = |why: String| Error::Config {
        path: path.to_path_buf(),
        message: format!("{key} {why}"),
    };
    if given == Given::Config
        && (path.is_absolute()
            || path.as_os_str().is_empty()
            || path
                .components()
                .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir)))
    {
        return Err(refuse(
            "must be a relative path inside the repository, without '..'".into(),
        ));
    }
    let start = match given {
        Given::Config => bounds.root.clone(),
        Given::Flag => {
            std::env::current_dir().map_err(|e| Error::io("cannot read the current folder", e))?
        }
    };
    let resolved = resolve(&start.join(path), &bounds.root).map_err(|link| {
        refuse(format!(
            "goes through the symbolic link {} inside the repository; repowiki never writes through one",
            link.display()
        ))
    })?;
    if resolved.parent().is_none() {
        return Err(refuse("may not be the file system's root".into()));
    }
    if bounds.root.starts_with(&resolved) {
        return Err(refuse(match resolved == bounds.root {
            true => "may not be the repository's root".into(),
            false => "may not be a folder that holds the repository".into(),
        }));
    }
    if bounds.git_dirs.iter().any(|g| resolved.starts_with(g)) {
        return Err(refuse(
            "may not be inside the repository's git folder".into(),
        ));
    }
    if given == Given::Config && !resolved.starts_with(&bounds.root) {
        return Err(refuse("must stay inside the repository".into()));
    }
    if let Some(home) = &bounds.home {
        if home.starts_with(&resolved) {
            return Err(refuse(
                "may not be the home folder or a folder that holds it".into(),
            ));
        }
    }
    Ok(resolved)
}

/// `path` made canonical the way the kernel would walk it, except that a symbolic link met
/// inside `root` (where the repository's files are) is an error: the link's path. Parts that do
/// not exist yet are kept as they are.
fn resolve(path: &Path, root: &Path) -> std::result::Result<PathBuf, PathBuf> {
    // What is left to walk, last component first; a link's target is pushed in its place, so
    // that the walk goes on from where the link leads and its components are checked too.
    let parts = |p: &Path| -> Vec<std::ffi::OsString> {
        p.components()
            .filter_map(|c| match c {
                Component::Normal(n) => Some(n.to_os_string()),
                Component::ParentDir => Some("..".into()),
                _ => None,
            })
            .rev()
            .collect()
    };
    let mut todo = parts(path);
    let mut done = PathBuf::from("/");
    let (mut missing, mut hops) = (false, 0);
    while let Some(name) = todo.pop() {
        if name == ".." {
            done.pop();
            continue;
        }
        let next = done.join(&name);
        if missing {
            done = next;
            continue;
        }
        match std::fs::symlink_metadata(&next) {
            Err(_) => {
                missing = true;
                done = next;
            }
            Ok(m) if m.file_type().is_symlink() => {
                // A link in the repository is committed: never followed. One outside it is
                // the person's own (their home, a mount), followed like the kernel would.
                hops += 1;
                if done.starts_with(root) || hops > 40 {
                    return Err(next);
                }
                let target = std::fs::read_link(&next).map_err(|_| next.clone())?;
                if target.is_absolute() {
                    done = PathBuf::from("/");
                }
                todo.extend(parts(&target));
            }
            Ok(_) => done = next,
        }
    }
    Ok(done)
}

/// Checks that two folders repowiki writes (the site and the cache) do not overlap: the cache
/// in the site would be published, the site in the cache could be cleared with it.
pub fn apart(out: &Path, cache: &Path) -> Result<()> {
    if out.starts_with(cache) || cache.starts_with(out) {
        return Err(Error::Config {
            path: cache.to_path_buf(),
            message: format!(
                "the cache folder and the output folder {} overlap; give them separate folders",
                out.display()
            ),
        });
    }
    Ok(())
}

/// Refuses a symbolic link anywhere in a folder tree that repowiki uses as its own (the cache):
/// sled and the state file open their files by name.
pub fn no_links_within(dir: &Path) -> Result<()> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_symlink() {
            return Err(Error::Config {
                path: dir.to_path_buf(),
                message: format!(
                    "holds the symbolic link {}; repowiki never reads or writes through one",
                    entry.path().display()
                ),
            });
        }
        if kind.is_dir() {
            no_links_within(&entry.path())?;
        }
    }
    Ok(())
}

fn c_name(name: &OsStr) -> io::Result<CString> {
    CString::new(name.as_bytes()).map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))
}

fn last_error_on(what: &Path) -> io::Error {
    let e = io::Error::last_os_error();
    // O_NOFOLLOW answers ELOOP for a link, or ENOTDIR with O_DIRECTORY.
    if e.raw_os_error() == Some(libc::ELOOP)
        || (e.raw_os_error() == Some(libc::ENOTDIR) && is_link(what))
    {
        return io::Error::other(format!(
            "{} is a symbolic link; repowiki never follows one here",
            what.display()
        ));
    }
    e
}

/// The folders of `rel` below `base`, opened one by one without following a link (made when
/// `create`); `base` itself is trusted. Returns the innermost folder.
fn open_dirs(base: &Path, rel: &Path, create: bool) -> io::Result<OwnedFd> {
    let base_c = c_name(base.as_os_str())?;
    // SAFETY: a valid NUL-terminated path; the descriptor is owned right away.
    let fd = unsafe {
        libc::open(
            base_c.as_ptr(),
            libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC,
        )
    };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `fd` was just opened and is owned by nobody else.
    let mut dir = unsafe { OwnedFd::from_raw_fd(fd) };
    let mut walked = base.to_path_buf();
    for c in rel.components() {
        let Component::Normal(name) = c else {
            if c == Component::CurDir {
                continue;
            }
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{} climbs out of {}", rel.display(), base.display()),
            ));
        };
        walked.push(name);
        let n = c_name(name)?;
        if create {
            // SAFETY: a valid directory descriptor and NUL-terminated name.
            let r = unsafe { libc::mkdirat(dir.as_raw_fd(), n.as_ptr(), 0o777) };
            if r != 0 && io::Error::last_os_error().kind() != io::ErrorKind::AlreadyExists {
                return Err(io::Error::last_os_error());
            }
        }
        // SAFETY: as above; O_NOFOLLOW makes a link an error (ELOOP) rather than followed.
        let fd = unsafe {
            libc::openat(
                dir.as_raw_fd(),
                n.as_ptr(),
                libc::O_RDONLY | libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_CLOEXEC,
            )
        };
        if fd < 0 {
            return Err(last_error_on(&walked));
        }
        // SAFETY: just opened, owned by nobody else.
        dir = unsafe { OwnedFd::from_raw_fd(fd) };
    }
    Ok(dir)
}

fn split(rel: &Path) -> io::Result<(&Path, &OsStr)> {
    match (rel.parent(), rel.file_name()) {
        (Some(dir), Some(name)) => Ok((dir, name)),
        _ => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("not a file path: {}", rel.display()),
        )),
    }
}

/// Opens `base/rel` for reading, following no symbolic link below `base` (a link is an error).
pub fn open_read(base: &Path, rel: &Path) -> io::Result<File> {
    let (dir, name) = split(rel)?;
    let dir = open_dirs(base, dir, false)?;
    let n = c_name(name)?;
    // SAFETY: a valid directory descriptor and NUL-terminated name.
    let fd = unsafe {
        libc::openat(
            dir.as_raw_fd(),
            n.as_ptr(),
            libc::O_RDONLY | libc::O_NOFOLLOW | libc::O_CLOEXEC,
        )
    };
    if fd < 0 {
        return Err(last_error_on(&base.join(rel)));
    }
    // SAFETY: just opened, owned by nobody else.
    Ok(File::from(unsafe { OwnedFd::from_raw_fd(fd) }))
}

/// The largest file repowiki reads as its own (a config, a template, a page it compares):
/// a committed file of gigabytes is refused, not read into memory.
pub const MAX_OWN_FILE: u64 = 256 << 20;

/// Reads `base/rel` as text, following no link below `base`.
pub fn read_to_string(base: &Path, rel: &Path) -> io::Result<String> {
    String::from_utf8(read(base, rel)?).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{} is not UTF-8 text", base.join(rel).display()),
        )
    })
}

/// Reads `base/rel`, following no link below `base`, up to `MAX_OWN_FILE` bytes.
pub fn read(base: &Path, rel: &Path) -> io::Result<Vec<u8>> {
    let file = open_read(base, rel)?;
    if file.metadata()?.len() > MAX_OWN_FILE {
        return Err(io::Error::new(
            io::ErrorKind::FileTooLarge,
            format!(
                "{} is over {} MiB",
                base.join(rel).display(),
                MAX_OWN_FILE >> 20
            ),
        ));
    }
    let mut bytes = Vec::new();
    io::Read::read_to_end(&mut io::Read::take(file, MAX_OWN_FILE + 1), &mut bytes)?;
    Ok(bytes)
}

/// Writes `base/rel`, making its folders, following no symbolic link below `base`: a link in
/// the way is an error, never written through. `replace`: an existing file is overwritten;
/// otherwise it is an error (`AlreadyExists`).
pub fn write(base: &Path, rel: &Path, bytes: &[u8], replace: bool) -> io::Result<()> {
    let (dir, name) = split(rel)?;
    let dir = open_dirs(base, dir, true)?;
    let n = c_name(name)?;
    let mut flags = libc::O_WRONLY | libc::O_CREAT | libc::O_NOFOLLOW | libc::O_CLOEXEC;
    flags |= if replace { libc::O_TRUNC } else { libc::O_EXCL };
    // SAFETY: a valid directory descriptor and NUL-terminated name.
    let fd = unsafe { libc::openat(dir.as_raw_fd(), n.as_ptr(), flags, 0o666) };
    if fd < 0 {
        return Err(last_error_on(&base.join(rel)));
    }
    // SAFETY: just opened, owned by nobody else.
    let mut file = File::from(unsafe { OwnedFd::from_raw_fd(fd) });
    io::Write::write_all(&mut file, bytes)
}

/// Makes the folders of `rel` below `base`, following no link.
pub fn make_dirs(base: &Path, rel: &Path) -> io::Result<()> {
    open_dirs(base, rel, true).map(drop)
}

/// Whether `path` itself is a symbolic link (not followed).
pub fn is_link(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn bounds(root: &Path) -> Bounds {
        Bounds {
            root: root.canonicalize().unwrap(),
            git_dirs: vec![root.canonicalize().unwrap().join(".git")],
            home: Some(PathBuf::from("/nonexistent-home")),
        }
    }

    #[test]
    fn committed_folders_stay_inside_and_never_through_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("repo");
        std::fs::create_dir_all(root.join(".git")).unwrap();
        std::fs::create_dir_all(dir.path().join("victim")).unwrap();
        let b = bounds(&root);
        let ok = folder(&b, Path::new(".repowiki/site"), Given::Config, "out").unwrap();
        assert_eq!(ok, b.root.join(".repowiki/site"));
        for bad in ["../x", "/tmp/x", ".", "", ".git", ".git/x", "a/../../x"] {
            assert!(
                folder(&b, Path::new(bad), Given::Config, "out").is_err(),
                "{bad}"
            );
        }
        std::fs::create_dir_all(root.join(".repowiki")).unwrap();
        symlink(dir.path().join("victim"), root.join(".repowiki/site")).unwrap();
        let e = folder(&b, Path::new(".repowiki/site"), Given::Config, "out").unwrap_err();
        assert!(e.to_string().contains("symbolic link"), "{e}");
        // A link from a flag, inside the repository, is refused too.
        let e = folder(&b, &root.join(".repowiki/site/x"), Given::Flag, "--out").unwrap_err();
        assert!(e.to_string().contains("symbolic link"), "{e}");
    }

    #[test]
    fn flags_may_point_anywhere_but_the_dangerous_places() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("repo");
        std::fs::create_dir_all(root.join(".git")).unwrap();
        let b = bounds(&root);
        for bad in [
            PathBuf::from("/"),
            root.clone(),
            root.join("."),
            root.join(".git"),
            root.join(".git/refs"),
            dir.path().to_path_buf(),
            root.join("src/../.."),
        ] {
            assert!(folder(&b, &bad, Given::Flag, "--out").is_err(), "{bad:?}");
        }
        let elsewhere = dir.path().join("site");
        assert!(folder(&b, &elsewhere, Given::Flag, "--out").is_ok());
        let mut home = bounds(&root);
        home.home = Some(dir.path().join("home"));
        assert!(folder(&home, &dir.path().join("home"), Given::Flag, "--out").is_err());
        assert!(folder(&home, &dir.path().join("home/site"), Given::Flag, "--out").is_ok());
        // A link of the person's own, outside the repository, is theirs.
        symlink(dir.path().join("real"), dir.path().join("mine")).unwrap();
        std::fs::create_dir(dir.path().join("real")).unwrap();
        assert_eq!(
            folder(&b, &dir.path().join("mine/site"), Given::Flag, "--out").unwrap(),
            dir.path().canonicalize().unwrap().join("real/site")
        );
        // A link of the person's own that leads into the repository, and on through a
        // committed link: the committed one is refused all the same.
        std::fs::create_dir_all(dir.path().join("victim")).unwrap();
        symlink(dir.path().join("victim"), root.join("linked")).unwrap();
        symlink(&root, dir.path().join("to-repo")).unwrap();
        let e = folder(
            &b,
            &dir.path().join("to-repo/linked/site"),
            Given::Flag,
            "--out",
        );
        assert!(e.unwrap_err().to_string().contains("symbolic link"));
        assert!(apart(&root.join("a"), &root.join("a/cache")).is_err());
        assert!(apart(&root.join("a"), &root.join("a")).is_err());
        assert!(apart(&root.join("a"), &root.join("ab")).is_ok());
    }

    #[test]
    fn reads_and_writes_never_follow_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().join("base");
        let outside = dir.path().join("outside");
        std::fs::create_dir_all(&base).unwrap();
        std::fs::create_dir_all(&outside).unwrap();
        std::fs::write(outside.join("secret"), "s").unwrap();
        symlink(&outside, base.join("dir")).unwrap();
        symlink(outside.join("secret"), base.join("file")).unwrap();
        symlink(outside.join("new"), base.join("dangling")).unwrap();
        assert!(read(&base, Path::new("dir/secret")).is_err());
        assert!(read(&base, Path::new("file")).is_err());
        assert!(write(&base, Path::new("dir/x"), b"x", true).is_err());
        assert!(write(&base, Path::new("file"), b"x", true).is_err());
        assert!(write(&base, Path::new("dangling"), b"x", true).is_err());
        assert!(make_dirs(&base, Path::new("dir/y")).is_err());
        assert!(write(&base, Path::new("../x"), b"x", true).is_err());
        assert_eq!(
            std::fs::read_to_string(outside.join("secret")).unwrap(),
            "s"
        );
        assert_eq!(std::fs::read_dir(&outside).unwrap().count(), 1);
        write(&base, Path::new("a/b/c.txt"), b"ok", false).unwrap();
        assert!(write(&base, Path::new("a/b/c.txt"), b"again", false).is_err());
        write(&base, Path::new("a/b/c.txt"), b"again", true).unwrap();
        assert_eq!(
            read_to_string(&base, Path::new("a/b/c.txt")).unwrap(),
            "again"
        );
    }
}
