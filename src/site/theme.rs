//! The page templates and the theme: built into the binary, and overridable file by file from
//! the repository's work tree (`.repowiki/templates/*.html`, `.repowiki/theme/*`), which
//! `repowiki theme eject` fills with copies of the built-ins to edit.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

pub const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    (
        "overview.html",
        include_str!("../../templates/overview.html"),
    ),
    ("part.html", include_str!("../../templates/part.html")),
    ("file.html", include_str!("../../templates/file.html")),
    ("history.html", include_str!("../../templates/history.html")),
];

/// The theme's files, published under `assets/`.
pub const ASSETS: &[(&str, &str)] = &[
    ("style.css", include_str!("../../themes/default/style.css")),
    ("site.js", include_str!("../../themes/default/site.js")),
    ("theme.js", include_str!("../../themes/default/theme.js")),
    (
        "favicon.svg",
        include_str!("../../themes/default/favicon.svg"),
    ),
];

/// Where a repository keeps its own page templates and theme files.
pub fn template_dir(root: &Path) -> PathBuf {
    root.join(".repowiki/templates")
}

pub fn theme_dir(root: &Path) -> PathBuf {
    root.join(".repowiki/theme")
}

/// Theme files larger than this are left out (with a warning): a theme is not a media store.
const MAX_ASSET_BYTES: u64 = 5 << 20;

/// The templates and assets in force for one build.
#[derive(Debug, Clone)]
pub struct Theme {
    pub templates: Vec<(String, String)>,
    /// Path under `assets/` -> bytes.
    pub assets: Vec<(String, Vec<u8>)>,
    /// The repository's own files that replaced or joined the built-ins, for the report.
    pub overridden: Vec<String>,
    pub warnings: Vec<String>,
}

impl Theme {
    pub fn built_in() -> Theme {
        Theme {
            templates: TEMPLATES
                .iter()
                .map(|(n, t)| (n.to_string(), t.to_string()))
                .collect(),
            assets: ASSETS
                .iter()
                .map(|(n, t)| (n.to_string(), t.as_bytes().to_vec()))
                .collect(),
            overridden: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// The built-ins with the repository's files in their place: a template replaces the
    /// built-in of the same name, and every file of the theme folder is published under
    /// `assets/` (replacing the built-in of that name, if any).
    pub fn load(root: &Path) -> Result<Theme> {
        let mut theme = Theme::built_in();
        // Committed files: a link (to `/proc/self/environ`, to `~/.ssh`) is never followed; it
        // is left out with a warning.
        let linked = |rel: &str| {
            format!(
                "warning: {rel} is a symbolic link (or lies behind one): left out; repowiki never follows one there"
            )
        };
        for (name, text) in &mut theme.templates {
            let rel = format!(".repowiki/templates/{name}");
            match crate::confine::read_to_string(root, Path::new(&rel)) {
                Ok(own) => {
                    *text = own;
                    theme.overridden.push(rel);
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(_) if crate::confine::is_link(&root.join(&rel)) || behind_a_link(root) => {
                    theme.warnings.push(linked(&rel))
                }
                Err(e) => {
                    return Err(Error::io(
                        format!("cannot read {}", root.join(&rel).display()),
                        e,
                    ))
                }
            }
        }
        let dir = theme_dir(root);
        if behind_a_link(root) || crate::confine::is_link(&dir) {
            if dir.exists() {
                theme.warnings.push(linked(".repowiki/theme"));
            }
            return Ok(theme);
        }
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return Ok(theme);
        };
        let mut files: Vec<(String, bool)> = entries
            .flatten()
            .filter_map(|e| {
                let kind = e.file_type().ok()?;
                let name = e.file_name().to_str()?.to_string();
                (kind.is_file() || kind.is_symlink()).then_some((name, kind.is_symlink()))
            })
            .filter(|(name, _)| !name.starts_with('.'))
            .collect();
        files.sort();
        for (name, is_link) in files {
            let rel = format!(".repowiki/theme/{name}");
            let path = root.join(&rel);
            if is_link {
                theme.warnings.push(linked(&rel));
                continue;
            }
            if std::fs::symlink_metadata(&path).is_ok_and(|m| m.len() > MAX_ASSET_BYTES) {
                theme.warnings.push(format!(
                    "warning: {} is over 5 MiB and is left out of the site",
                    path.display()
                ));
                continue;
            }
            let bytes = crate::confine::read(root, Path::new(&rel))
                .map_err(|e| Error::io(format!("cannot read {}", path.display()), e))?;
            match theme.assets.iter_mut().find(|(n, _)| *n == name) {
                Some(slot) => slot.1 = bytes,
                None => theme.assets.push((name.clone(), bytes)),
            }
            theme.overridden.push(rel);
        }
        Ok(theme)
    }

    /// A hash of every template and asset: equal for equal themes (it is part of the build's
    /// settings, so an edited template renders every page again).
    pub fn fingerprint(&self) -> String {
        let mut h = blake3::Hasher::new();
        for (name, text) in &self.templates {
            h.update(name.as_bytes());
            h.update(&(text.len() as u64).to_le_bytes());
            h.update(text.as_bytes());
        }
        for (name, bytes) in &self.assets {
            h.update(name.as_bytes());
            h.update(&(bytes.len() as u64).to_le_bytes());
            h.update(bytes);
        }
        h.finalize().to_hex()[..16].to_string()
    }
}

/// Whether `.repowiki` itself is a link (everything under it would lie elsewhere).
fn behind_a_link(root: &Path) -> bool {
    crate::confine::is_link(&root.join(".repowiki")) || crate::confine::is_link(&template_dir(root))
}

/// Copies the built-in page templates, prompt templates and theme into the repository
/// (`.repowiki/templates/`, `.repowiki/templates/prompts/`, `.repowiki/theme/`). Files already
/// there are kept unless `force`. Returns the files written and the files kept.
pub fn eject(root: &Path, force: bool) -> Result<(Vec<PathBuf>, Vec<PathBuf>)> {
    let templates = Path::new(".repowiki/templates");
    let mut files: Vec<(PathBuf, &str)> = TEMPLATES
        .iter()
        .map(|(n, t)| (templates.join(n), *t))
        .collect();
    files.extend(
        crate::narrate::model::PROMPTS
            .iter()
            .map(|(n, t)| (templates.join("prompts").join(n), *t)),
    );
    files.extend(
        ASSETS
            .iter()
            .map(|(n, t)| (Path::new(".repowiki/theme").join(n), *t)),
    );
    let (mut written, mut kept) = (Vec::new(), Vec::new());
    for (rel, text) in files {
        let path = root.join(&rel);
        // A link there (even a dangling one) is never written through: an error, not a write.
        if std::fs::symlink_metadata(&path).is_ok_and(|m| !m.file_type().is_symlink()) && !force {
            kept.push(path);
            continue;
        }
        crate::confine::write(root, &rel, text.as_bytes(), true)
            .map_err(|e| Error::io(format!("cannot write {}", path.display()), e))?;
        written.push(path);
    }
    Ok((written, kept))
}
