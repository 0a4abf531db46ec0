//! Property tests standing in for fuzz targets (cargo fuzz needs a nightly toolchain, which
//! this project's machines do not have): random inputs built from the tokens that matter to
//! each target, from a fixed seed per run. `REPOWIKI_FUZZ_CASES` sets how many per target
//! (default 300; `scripts/fuzz.sh` runs many more), `REPOWIKI_FUZZ_SEED` the seed.

pub struct Gen(u64);

impl Gen {
    pub fn new(target: &str) -> Gen {
        let seed: u64 = std::env::var("REPOWIKI_FUZZ_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0x5eed);
        let salt = target.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
        });
        Gen((seed ^ salt) | 1)
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    /// Up to `max` tokens: mostly from `tokens`, sometimes a random character.
    pub fn text(&mut self, tokens: &[&str], max: usize) -> String {
        let n = self.below(max + 1);
        let mut out = String::new();
        for _ in 0..n {
            match self.below(10) {
                0 => out.push(char::from_u32(self.below(0x2FFF) as u32).unwrap_or('\u{fffd}')),
                1 => out.push(['\n', ' ', '\t', '\0', '\r', '\u{202e}', 'é'][self.below(7)]),
                _ => out.push_str(self.pick(tokens)),
            }
        }
        out
    }
}

/// How many cases each property runs.
pub fn cases() -> usize {
    std::env::var("REPOWIKI_FUZZ_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(300)
}

/// A URL's scheme as browsers read one (a letter, then letters, digits, `+.-`, then `:`),
/// lowercased; none for relative URLs.
pub fn scheme(url: &str) -> Option<String> {
    let url = url.trim().to_ascii_lowercase();
    let (scheme, _) = url.split_once(':')?;
    (scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c)))
    .then(|| scheme.to_string())
}

/// Whether a link with this URL is one the sanitisers may let through.
pub fn safe_scheme(url: &str) -> bool {
    scheme(url).is_none_or(|s| ["http", "https", "mailto"].contains(&s.as_str()))
}
