//! Secrets never leave the machine: files that hold them are never read, and strings that look
//! like them (rules in the manner of gitleaks) are cut out of the code and the commit messages
//! before anything else sees them, so no model prompt, cache entry or page can carry one.

use std::sync::OnceLock;

use regex::{Regex, RegexSet};

/// What replaces a secret. Line breaks inside a secret are kept, so line numbers stay true.
pub const REDACTED: &str = "[REDACTED]";

/// Files whose purpose is to hold secrets, by name.
pub fn is_secret_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    let exact = [
        ".env",
        ".netrc",
        ".npmrc",
        ".pypirc",
        ".htpasswd",
        "credentials",
        "credentials.json",
        "secrets.yml",
        "secrets.yaml",
        "secrets.json",
        "id_rsa",
        "id_dsa",
        "id_ecdsa",
        "id_ed25519",
        "service-account.json",
    ];
    let suffixes = [
        ".pem",
        ".key",
        ".p12",
        ".pfx",
        ".jks",
        ".keystore",
        ".ppk",
        ".asc",
        ".gpg",
    ];
    exact.contains(&name.as_str())
        || (name.starts_with(".env.") && !name.ends_with(".example") && !name.ends_with(".sample"))
        || suffixes.iter().any(|s| name.ends_with(s))
}

const RULES: &[&str] = &[
    // Private key blocks, whole.
    r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----[\s\S]*?-----END [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----",
    // Cloud and service tokens with a known shape.
    r"\b(AKIA|ASIA|AGPA|AIDA|AROA|ANPA)[0-9A-Z]{16}\b",
    r"\bgh[pousr]_[A-Za-z0-9]{36,}\b",
    r"\bgithub_pat_[A-Za-z0-9_]{60,}\b",
    r"\bglpat-[A-Za-z0-9_\-]{20,}\b",
    r"\bxox[abposr]-[A-Za-z0-9\-]{10,}\b",
    r"\bAIza[0-9A-Za-z_\-]{35}\b",
    r"\bsk-ant-[A-Za-z0-9_\-]{20,}\b",
    r"\bsk-(proj-)?[A-Za-z0-9_\-]{20,}\b",
    r"\b(sk|rk)_live_[0-9A-Za-z]{20,}\b",
    r"\bnpm_[A-Za-z0-9]{36}\b",
    r"\beyJ[A-Za-z0-9_\-]{10,}\.eyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,}",
    // A secret-named setting with a long literal value: the value goes.
    r#"(?i)(aws_secret_access_key|secret[_-]?key|api[_-]?key|access[_-]?token|auth[_-]?token|password|passwd|client[_-]?secret)["']?\s*[:=]\s*["']?([A-Za-z0-9/+=_\-\.]{16,})"#,
    // Credentials inside a URL.
    r"[a-zA-Z][a-zA-Z0-9+.\-]*://[^/\s:@]+:([^/\s:@]{6,})@",
];

fn rules() -> &'static [Regex] {
    static COMPILED: OnceLock<Vec<Regex>> = OnceLock::new();
    COMPILED.get_or_init(|| {
        RULES
            .iter()
            .map(|r| Regex::new(r).expect("the secret rules compile"))
            .collect()
    })
}

/// All the rules in one automaton: most texts (every commit message, every file) match none,
/// and one pass says so.
fn any_rule() -> &'static RegexSet {
    static SET: OnceLock<RegexSet> = OnceLock::new();
    SET.get_or_init(|| RegexSet::new(RULES).expect("the secret rules compile"))
}

/// The text with every secret-looking string replaced; `None` when there was none.
pub fn redact(text: &str) -> Option<String> {
    if !any_rule().is_match(text) {
        return None;
    }
    let mut out: Option<String> = None;
    for (i, rule) in rules().iter().enumerate() {
        let current = out.as_deref().unwrap_or(text);
        if !rule.is_match(current) {
            continue;
        }
        let replaced = rule.replace_all(current, |caps: &regex::Captures| {
            // For `name = value` and URL credentials only the value (the last group) goes.
            let whole = caps.get(0).expect("a match");
            let secret = if i >= rules().len() - 2 {
                caps.iter().flatten().last().unwrap_or(whole)
            } else {
                whole
            };
            let mut kept = whole.as_str().to_string();
            let start = secret.start() - whole.start();
            let breaks = secret.as_str().matches('\n').count();
            kept.replace_range(
                start..start + secret.len(),
                &format!("{REDACTED}{}", "\n".repeat(breaks)),
            );
            kept
        });
        out = Some(replaced.into_owned());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_files_are_recognised() {
        for p in [
            ".env",
            "config/.env.production",
            "certs/server.pem",
            "home/.ssh/id_ed25519",
            "a/credentials.json",
        ] {
            assert!(is_secret_file(p), "{p}");
        }
        for p in [".env.example", "src/env.rs", "keyboard.rs", "README.md"] {
            assert!(!is_secret_file(p), "{p}");
        }
    }

    #[test]
    fn secrets_are_cut_out_and_lines_kept() {
        let text = "aws = 'AKIAIOSFODNN7EXAMPLE'\ntoken = \"ghp_0123456789abcdefghijABCDEFGHIJ012345\"\npassword = \"hunter2hunter2hunter2\"\nurl = 'https://bob:s3cretpass@example.com/x'\n-----BEGIN RSA PRIVATE KEY-----\nMIIEow\nabc\n-----END RSA PRIVATE KEY-----\nok = 1\n";
        let out = redact(text).unwrap();
        for secret in [
            "AKIAIOSFODNN7EXAMPLE",
            "ghp_0123",
            "hunter2hunter2",
            "s3cretpass",
            "MIIEow",
        ] {
            assert!(!out.contains(secret), "{secret} in {out}");
        }
        assert!(out.contains("password = \"[REDACTED]\""), "{out}");
        assert!(out.contains("https://bob:[REDACTED]@example.com"), "{out}");
        assert_eq!(
            out.lines().count(),
            text.lines().count(),
            "line numbers stay true"
        );
        assert!(out.ends_with("ok = 1\n"));
        assert_eq!(redact("fn main() { let password = read(); }"), None);
    }
}
