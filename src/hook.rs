//! `repowiki hook install` / `uninstall`: a post-commit hook that brings the wiki up to date
//! after each commit without slowing the commit down. The build runs in the background (its
//! output goes to `.repowiki/hook.log`); a hook that was there before keeps running first, and
//! uninstalling puts it back byte for byte.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::Workspace;

const MARKER: &str = "# repowiki post-commit hook v1";
const BACKUP_SUFFIX: &str = ".pre-repowiki";

#[derive(Debug, PartialEq, Eq)]
pub enum HookChange {
    Installed,
    /// Installed, running the hook that was there before first.
    InstalledKeeping,
    AlreadyInstalled,
    Removed,
    /// Removed, and the earlier hook put back.
    Restored,
    NotInstalled,
}

/// The folder git runs hooks from: `core.hooksPath`, else `hooks` in the common git folder.
pub fn hooks_dir(ws: &Workspace) -> Result<PathBuf> {
    let configured = ws
        .repo
        .config()
        .ok()
        .and_then(|c| c.get_path("core.hooksPath").ok());
    Ok(match configured {
        Some(p) if p.is_absolute() => p,
        Some(p) => ws.root.join(p),
        None => ws.repo.commondir().join("hooks"),
    })
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

fn script(exe: &Path, keeps_backup: bool) -> String {
    let exe = shell_quote(&exe.display().to_string());
    let previous = if keeps_backup {
        format!(
            "previous=\"$(dirname \"$0\")/post-commit{BACKUP_SUFFIX}\"\nif [ -x \"$previous\" ]; then \"$previous\" \"$@\" || status=$?; fi\n"
        )
    } else {
        String::new()
    };
    format!(
        "#!/bin/sh\n{MARKER}\n# Installed by `repowiki hook install`; `repowiki hook uninstall` removes it.\nstatus=0\n{previous}\
top=\"$(git rev-parse --show-toplevel)\" || exit $status\n\
# A committed link (.repowiki/hook.log -> ~/.bashrc) would take the log elsewhere: no build.\n\
if [ -L \"$top/.repowiki\" ] || [ -L \"$top/.repowiki/hook.log\" ]; then exit $status; fi\n\
mkdir -p \"$top/.repowiki\"\n\
# In the background, detached from the commit: git returns at once.\n\
( cd \"$top\" && nohup {exe} build --quiet . >>.repowiki/hook.log 2>&1 </dev/null & ) >/dev/null 2>&1\n\
exit $status\n"
    )
}

pub fn install(ws: &Workspace) -> Result<(HookChange, PathBuf)> {
    let dir = hooks_dir(ws)?;
    let hook = dir.join("post-commit");
    let io = |what: &str, e| Error::io(format!("{what} {}", hook.display()), e);
    let existing = fs::read(&hook).ok();
    if existing
        .as_deref()
        .is_some_and(|b| String::from_utf8_lossy(b).contains(MARKER))
    {
        return Ok((HookChange::AlreadyInstalled, hook));
    }
    fs::create_dir_all(&dir).map_err(|e| io("cannot create the folder of", e))?;
    let backup = dir.join(format!("post-commit{BACKUP_SUFFIX}"));
    let keeps = existing.is_some();
    if keeps {
        // A rename keeps the old hook's bytes and permissions exactly.
        fs::rename(&hook, &backup).map_err(|e| io("cannot set aside", e))?;
    }
    let exe = std::env::current_exe().map_err(|e| io("cannot find the repowiki program for", e))?;
    fs::write(&hook, script(&exe, keeps)).map_err(|e| io("cannot write", e))?;
    make_executable(&hook).map_err(|e| io("cannot make executable", e))?;
    let change = if keeps {
        HookChange::InstalledKeeping
    } else {
        HookChange::Installed
    };
    Ok((change, hook))
}

pub fn uninstall(ws: &Workspace) -> Result<(HookChange, PathBuf)> {
    let dir = hooks_dir(ws)?;
    let hook = dir.join("post-commit");
    let io = |what: &str, e| Error::io(format!("{what} {}", hook.display()), e);
    let ours = fs::read(&hook)
        .ok()
        .is_some_and(|b| String::from_utf8_lossy(&b).contains(MARKER));
    if !ours {
        return Ok((HookChange::NotInstalled, hook));
    }
    let backup = dir.join(format!("post-commit{BACKUP_SUFFIX}"));
    if backup.exists() {
        fs::rename(&backup, &hook).map_err(|e| io("cannot restore", e))?;
        Ok((HookChange::Restored, hook))
    } else {
        fs::remove_file(&hook).map_err(|e| io("cannot remove", e))?;
        Ok((HookChange::Removed, hook))
    }
}

#[cfg(unix)]
fn make_executable(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mut perms = fs::metadata(path)?.permissions();
    perms.set_mode(0o755);
    fs::set_permissions(path, perms)
}

#[cfg(not(unix))]
fn make_executable(_: &Path) -> std::io::Result<()> {
    Ok(())
}
