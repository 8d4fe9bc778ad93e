//! Number formatting shared by every CSV writer and renderer, so that one number reads the same
//! in every file.

/// Shortest round-trip text of a number, `NA` for missing (R's spelling, for COINr users).
pub fn num(x: f64) -> String {
    if x.is_nan() {
        "NA".into()
    } else {
        x.to_string()
    }
}
