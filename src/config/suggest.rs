//! "Did you mean": the nearest known word to a misspelt one.

/// The candidate closest to `word` by edit distance, if close enough to be a plausible typo
/// (at most a third of the word's length, and at least one edit allowed).
pub fn nearest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .iter()
        .map(|c| (edit_distance(&word.to_lowercase().replace('_', "-"), c), *c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == *cb {
                prev
            } else {
                1 + prev.min(cur).min(row[j])
            };
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_keys_only() {
        let keys = [
            "registry",
            "project",
            "owner",
            "repository",
            "workflow",
            "environment",
            "owner-id",
        ];
        assert_eq!(nearest("enviroment", &keys), Some("environment"));
        assert_eq!(nearest("owner_id", &keys), Some("owner-id"));
        assert_eq!(nearest("repo", &keys), None);
        assert_eq!(nearest("workflows", &keys), Some("workflow"));
        assert_eq!(nearest("zzz", &keys), None);
    }
}
