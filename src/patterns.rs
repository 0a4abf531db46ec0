//! Path patterns in .gitignore syntax, used for `.repowikiignore`, `exclude` and `.gitattributes`.
//!
//! Supported: `*`, `?`, `[a-z]` / `[!x]` classes, `**` across folders, a leading `/` or an inner
//! `/` to anchor at the base folder, a trailing `/` for folders only, and `!` to re-include.

#[derive(Debug, Clone)]
pub struct Pattern {
    /// Folder the pattern is relative to ("" for the repository root), without trailing '/'.
    base: String,
    segments: Vec<String>,
    anchored: bool,
    dir_only: bool,
    pub negated: bool,
}

impl Pattern {
    /// Parses one line; `None` for blank lines and comments.
    pub fn parse(line: &str, base: &str) -> Option<Pattern> {
        let mut text = line.trim_end();
        if text.is_empty() || text.starts_with('#') {
            return None;
        }
        let negated = text.starts_with('!');
        if negated {
            text = &text[1..];
        }
        let dir_only = text.ends_with('/');
        let text = text.trim_end_matches('/');
        let anchored = text.contains('/');
        let text = text.trim_start_matches('/');
        if text.is_empty() {
            return None;
        }
        Some(Pattern {
            base: base.trim_end_matches('/').to_string(),
            segments: text.split('/').map(str::to_string).collect(),
            anchored,
            dir_only,
            negated,
        })
    }

    /// Whether `path` (a file, relative to the repository root) or one of its folders matches.
    pub fn matches(&self, path: &str) -> bool {
        let rel = if self.base.is_empty() {
            path
        } else {
            match path
                .strip_prefix(self.base.as_str())
                .and_then(|r| r.strip_prefix('/'))
            {
                Some(r) => r,
                None => return false,
            }
        };
        let parts: Vec<&str> = rel.split('/').collect();
        let last = parts.len() - 1;
        if !self.anchored {
            let seg = self.segments[0].as_bytes();
            return parts
                .iter()
                .enumerate()
                .any(|(i, p)| (i < last || !self.dir_only) && glob(seg, p.as_bytes()));
        }
        // A match on a folder prefix covers everything below it.
        let upto = if self.dir_only { last } else { last + 1 };
        (1..=upto).any(|n| segments_match(&self.segments, &parts[..n]))
    }
}

/// The last matching pattern decides, as in .gitignore.
pub fn is_excluded(patterns: &[Pattern], path: &str) -> bool {
    let mut excluded = false;
    for p in patterns {
        if p.matches(path) {
            excluded = !p.negated;
        }
    }
    excluded
}

fn segments_match(pat: &[String], parts: &[&str]) -> bool {
    match pat.first() {
        None => parts.is_empty(),
        Some(first) if first == "**" => {
            (0..=parts.len()).any(|skip| segments_match(&pat[1..], &parts[skip..]))
        }
        Some(first) => {
            !parts.is_empty()
                && glob(first.as_bytes(), parts[0].as_bytes())
                && segments_match(&pat[1..], &parts[1..])
        }
    }
}

/// Glob match of one path segment.
pub fn glob(pat: &[u8], s: &[u8]) -> bool {
    let (mut p, mut i) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while i < s.len() {
        if p < pat.len() {
            match pat[p] {
                b'*' => {
                    star = Some((p, i));
                    p += 1;
                    continue;
                }
                b'?' => {
                    p += 1;
                    i += 1;
                    continue;
                }
                b'[' => {
                    if let Some((matched, next)) = class(&pat[p..], s[i]) {
                        if matched {
                            p += next;
                            i += 1;
                            continue;
                        }
                    } else if s[i] == b'[' {
                        p += 1;
                        i += 1;
                        continue;
                    }
                }
                b'\\' if p + 1 < pat.len() && pat[p + 1] == s[i] => {
                    p += 2;
                    i += 1;
                    continue;
                }
                c if c == s[i] => {
                    p += 1;
                    i += 1;
                    continue;
                }
                _ => {}
            }
        }
        match star {
            Some((sp, si)) => {
                p = sp + 1;
                i = si + 1;
                star = Some((sp, si + 1));
            }
            None => return false,
        }
    }
    pat[p..].iter().all(|&c| c == b'*')
}

/// Matches a `[...]` class at the start of `pat`; returns (matched, class length).
fn class(pat: &[u8], c: u8) -> Option<(bool, usize)> {
    let mut j = 1;
    let negate = matches!(pat.get(j), Some(b'!') | Some(b'^'));
    if negate {
        j += 1;
    }
    let mut matched = false;
    let start = j;
    while j < pat.len() && (pat[j] != b']' || j == start) {
        if j + 2 < pat.len() && pat[j + 1] == b'-' && pat[j + 2] != b']' {
            if pat[j] <= c && c <= pat[j + 2] {
                matched = true;
            }
            j += 3;
        } else {
            if pat[j] == c {
                matched = true;
            }
            j += 1;
        }
    }
    if j >= pat.len() {
        return None;
    }
    Some((matched != negate, j + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn excluded(lines: &[&str], path: &str) -> bool {
        let pats: Vec<Pattern> = lines.iter().filter_map(|l| Pattern::parse(l, "")).collect();
        is_excluded(&pats, path)
    }

    #[test]
    fn basename_patterns_match_at_any_depth() {
        assert!(excluded(&["*.log"], "a/b/c.log"));
        assert!(excluded(&["build"], "x/build/y.rs"));
        assert!(!excluded(&["*.log"], "a/b/c.rs"));
    }

    #[test]
    fn anchored_and_folder_patterns() {
        assert!(excluded(&["/docs"], "docs/a.md"));
        assert!(!excluded(&["/docs"], "src/docs/a.md"));
        assert!(excluded(&["gen/"], "src/gen/a.rs"));
        assert!(!excluded(&["gen/"], "src/gen"));
        assert!(excluded(&["src/**/*.rs"], "src/a/b/c.rs"));
        assert!(excluded(&["src/**/*.rs"], "src/c.rs"));
        assert!(excluded(&["a/**"], "a/b/c"));
    }

    #[test]
    fn negation_reincludes() {
        assert!(!excluded(&["*.js", "!keep.js"], "x/keep.js"));
        assert!(excluded(&["*.js", "!keep.js"], "x/drop.js"));
    }

    #[test]
    fn classes_and_question_marks() {
        assert!(glob(b"file[0-9].txt", b"file7.txt"));
        assert!(!glob(b"file[!0-9].txt", b"file7.txt"));
        assert!(glob(b"a?c", b"abc"));
        assert!(!glob(b"a?c", b"ac"));
        assert!(glob(b"*.min.*", b"x.min.js"));
    }

    #[test]
    fn base_folder_scopes_the_pattern() {
        let p = Pattern::parse("*.rs", "sub").unwrap();
        assert!(p.matches("sub/x/a.rs"));
        assert!(!p.matches("other/a.rs"));
    }
}
