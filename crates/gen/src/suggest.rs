//! "Did you mean …?" for unknown keys.

/// The candidate nearest to `word`, if it is near enough to be a likely typo
/// (case, `_` for `-`, a few edits, or a cut-off prefix).
pub(crate) fn nearest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let norm = normalize(word);
    if let Some(exact) = candidates.iter().find(|c| normalize(c) == norm) {
        return Some(exact);
    }
    let limit = match norm.chars().count() {
        0..=3 => 1,
        4..=8 => 2,
        _ => 3,
    };
    let best = candidates
        .iter()
        .map(|c| (distance(&norm, &normalize(c)), *c))
        .min_by_key(|(d, _)| *d)?;
    if best.0 <= limit {
        return Some(best.1);
    }
    if norm.chars().count() >= 4 {
        return candidates
            .iter()
            .find(|c| normalize(c).starts_with(&norm))
            .copied();
    }
    None
}

fn normalize(word: &str) -> String {
    word.to_lowercase().replace(['_', '.', ' '], "-")
}

/// Optimal string alignment distance (edits and adjacent transpositions).
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    for i in 0..=a.len() {
        d[i * width] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(width) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[(i - 1) * width + j] + 1)
                .min(d[i * width + j - 1] + 1)
                .min(d[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[(i - 2) * width + j - 2] + 1);
            }
            d[i * width + j] = best;
        }
    }
    d[a.len() * width + b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEYS: &[&str] = &["zeo-conf", "zdaemon-conf", "shell-script", "logrotate"];

    #[test]
    fn suggests_near_keys() {
        assert_eq!(nearest("zeo-cnf", KEYS), Some("zeo-conf"));
        assert_eq!(nearest("zeo_conf", KEYS), Some("zeo-conf"));
        assert_eq!(nearest("ZEO-CONF", KEYS), Some("zeo-conf"));
        assert_eq!(nearest("zdaemon-cnof", KEYS), Some("zdaemon-conf"));
        assert_eq!(nearest("shell", KEYS), Some("shell-script"));
        assert_eq!(nearest("logroate", KEYS), Some("logrotate"));
        assert_eq!(nearest("colour", KEYS), None);
        assert_eq!(nearest("x", KEYS), None);
    }

    #[test]
    fn distances() {
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("abc", "acb"), 1);
        assert_eq!(distance("kitten", "sitting"), 3);
    }
}
