//! Unit screening by data availability (COINr `Screen` with `unit_screen = "byNA"`).

use crate::model::Columns;

/// Indices of the units to keep: those whose share of non-missing indicators is at least
/// `threshold` (COINr keeps a unit unless `availability < threshold`).
pub fn screen_units(data: &Columns, threshold: f64) -> Vec<usize> {
    let n_indicators = data.n_cols() as f64;
    (0..data.n_rows())
        .filter(|&u| {
            let present = (0..data.n_cols())
                .filter(|&j| !data.get(u, j).is_nan())
                .count();
            present as f64 / n_indicators >= threshold
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_units_at_the_threshold() {
        let data = Columns::from_columns(
            3,
            vec![vec![1.0, f64::NAN, f64::NAN], vec![1.0, 2.0, f64::NAN]],
        );
        assert_eq!(screen_units(&data, 0.5), vec![0, 1]);
        assert_eq!(screen_units(&data, 1.0), vec![0]);
    }
}
