//! The one "did you mean" rule: which known name a misspelt one was meant to be, and how the
//! fix says so. Index files, scenarios, Sobol factor files, region files and method flags all
//! use it, so the same typo gets the same suggestion wherever it is made.

/// Optimal string alignment distance between `a` and `b`, ignoring ASCII case: the fewest
/// single-character insertions, deletions, substitutions and swaps of two adjacent characters
/// that turn one into the other, no substring edited twice (Damerau 1964, "A technique for
/// computer detection and correction of spelling errors", CACM 7(3); the restricted edit
/// distance of Navarro 2001, "A guided tour to approximate string matching", ACM Comput. Surv.
/// 33(1), §2). A swap is one edit because it is one slip of the fingers: `sprad` → `spread`
/// and `BJE` → `BEJ` are both one edit away.
pub(crate) fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().map(|c| c.to_ascii_lowercase()).collect();
    let b: Vec<char> = b.chars().map(|c| c.to_ascii_lowercase()).collect();
    // Three rows of the dynamic-programming table: d(i−2, ·), d(i−1, ·) and d(i, ·).
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current: Vec<usize> = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        current[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (previous[j] + 1)
                .min(current[j - 1] + 1)
                .min(previous[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(before[j - 2] + 1);
            }
            current[j] = best;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

/// The candidate `word` was most likely meant to be: the closest by [`distance`], if it is at
/// most one edit per three characters of the shorter of the two (at least one edit), so that
/// short codes are not "corrected" into unrelated ones (`GDP` is not a typo of `Pop`). Ties go
/// to the earliest candidate; `word` itself is never suggested.
pub(crate) fn nearest<'c>(
    word: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    let word_length = word.chars().count();
    let mut best: Option<(usize, &'c str)> = None;
    for candidate in candidates {
        if candidate == word {
            continue;
        }
        let shorter = word_length.min(candidate.chars().count());
        let allowed = (shorter / 3).max(1);
        let edits = distance(word, candidate);
        if edits <= allowed && best.is_none_or(|(fewest, _)| edits < fewest) {
            best = Some((edits, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

/// The one wording of a suggestion.
pub(crate) fn did_you_mean(suggestion: &str) -> String {
    format!("did you mean `{suggestion}`?")
}

/// The same wording for a code shown with its name: "did you mean `BEJ` (Beijing)?".
pub(crate) fn did_you_mean_named(suggestion: &str, name: &str) -> String {
    format!("did you mean `{suggestion}` ({name})?")
}

/// The name part of a spelling: `minmax` of `minmax(low,high)`, all of `per-level`.
fn name_of(spelling: &str) -> &str {
    spelling.split('(').next().unwrap_or(spelling).trim()
}

/// The allowed spellings as a list for a fix: `` `a`, `b`, `c` ``.
pub(crate) fn listing(allowed: &[&str]) -> String {
    allowed
        .iter()
        .map(|spelling| format!("`{spelling}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The fix for `word` where one of `allowed` was expected: the suggestion (by name, so
/// `minmx(0,100)` is matched against `minmax` of `minmax(low,high)`) followed by every allowed
/// spelling, or just the spellings: "did you mean `minmax`? Use one of: `minmax(low,high)`, …".
pub(crate) fn one_of(word: &str, allowed: &[&str]) -> String {
    let names = allowed.iter().map(|spelling| name_of(spelling));
    match nearest(name_of(word), names) {
        Some(name) => format!("{} Use one of: {}", did_you_mean(name), listing(allowed)),
        None => format!("use one of: {}", listing(allowed)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_counts_edits_and_adjacent_swaps_ignoring_case() {
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("abc", ""), 3);
        assert_eq!(distance("LPI", "lpi"), 0);
        assert_eq!(distance("sprad", "spread"), 1);
        assert_eq!(distance("BJE", "BEJ"), 1);
        assert_eq!(distance("Regoin", "Region"), 1);
        assert_eq!(distance("normalization", "normalisation"), 1);
        // Optimal string alignment edits no substring twice: `ca` → `abc` is 3, not the
        // unrestricted Damerau–Levenshtein 2 (Navarro 2001's example).
        assert_eq!(distance("ca", "abc"), 3);
    }

    #[test]
    fn distance_is_symmetric() {
        for (a, b) in [
            ("minmx", "minmax"),
            ("ca", "abc"),
            ("Regoin", "Region"),
            ("", "x"),
        ] {
            assert_eq!(distance(a, b), distance(b, a), "{a} / {b}");
        }
    }

    #[test]
    fn nearest_scales_its_tolerance_with_the_shorter_name() {
        let codes = ["Pop", "Region", "Dd", "P1", "P2"];
        assert_eq!(nearest("Regoin", codes), Some("Region"));
        assert_eq!(nearest("D", codes), Some("Dd"));
        assert_eq!(nearest("p2", codes), Some("P2"));
        assert_eq!(
            nearest("GDP", codes),
            None,
            "2 edits of 3 letters is no typo"
        );
        assert_eq!(
            nearest("Pop", codes),
            None,
            "an exact match is not a suggestion"
        );
        let keys = ["samples", "seed", "spread", "top_k"];
        assert_eq!(nearest("sampels", keys), Some("samples"));
        assert_eq!(nearest("top-k", keys), Some("top_k"));
        assert_eq!(nearest("zzzz", keys), None);
        assert_eq!(nearest("sd", keys), None, "short words allow one edit only");
    }

    #[test]
    fn ties_go_to_the_earliest_candidate() {
        assert_eq!(nearest("P3", ["P1", "P2"]), Some("P1"));
    }

    #[test]
    fn one_of_matches_method_names_and_lists_every_spelling() {
        let spellings = ["minmax(low,high)", "zscore(mean,sd)", "rank"];
        assert_eq!(
            one_of("minmx(0,100)", &spellings),
            "did you mean `minmax`? Use one of: `minmax(low,high)`, `zscore(mean,sd)`, `rank`"
        );
        assert_eq!(
            one_of("minmx", &spellings),
            one_of("minmx(0,100)", &spellings)
        );
        assert_eq!(
            one_of("zzzzzz", &spellings),
            "use one of: `minmax(low,high)`, `zscore(mean,sd)`, `rank`"
        );
    }
}
