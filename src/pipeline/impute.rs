//! Imputation of missing indicator values (COINr `i_mean`, `i_median`, `i_mean_grp`, `i_median_grp`).

use super::stats;
use crate::model::method::Imputation;

/// Fills the missing values (NaN) of one indicator column in place.
///
/// - `Mean` / `Median`: the column's mean / median over units with data (R `median`).
/// - `GroupMean` / `GroupMedian`: the statistic within the unit's group (`groups[u]`); units
///   with no group, and groups with no data at all, stay missing — as in COINr, where such a
///   group's mean is `NaN` — so aggregation then renormalises the weights over present children.
pub fn impute_column(x: &mut [f64], method: &Imputation, groups: Option<&[Option<String>]>) {
    impute_column_with(x, method, groups, &mut Vec::new())
}

/// [`impute_column`] with the caller's buffer for the sorted values of a median over the whole
/// column (reused across samples; the group statistics still gather their members).
pub fn impute_column_with(
    x: &mut [f64],
    method: &Imputation,
    groups: Option<&[Option<String>]>,
    sorted: &mut Vec<f64>,
) {
    let statistic: fn(&[f64]) -> f64 = match method {
        Imputation::None => return,
        Imputation::Mean | Imputation::GroupMean(_) => stats::mean,
        Imputation::Median | Imputation::GroupMedian(_) => stats::median,
    };
    if !x.iter().any(|v| v.is_nan()) {
        return;
    }
    match (method, groups) {
        (Imputation::GroupMean(_) | Imputation::GroupMedian(_), Some(groups)) => {
            let mut labels: Vec<&str> = groups.iter().flatten().map(String::as_str).collect();
            labels.sort_unstable();
            labels.dedup();
            for label in labels {
                let members: Vec<usize> = (0..x.len())
                    .filter(|&u| groups[u].as_deref() == Some(label))
                    .collect();
                let values: Vec<f64> = members.iter().map(|&u| x[u]).collect();
                let fill = statistic(&values);
                for &u in &members {
                    if x[u].is_nan() {
                        x[u] = fill;
                    }
                }
            }
        }
        (Imputation::Median, _) => {
            // R's median, as stats::median computes it, on a reused buffer: values equal
            // under total_cmp are identical, so an unstable sort gives the same sequence.
            sorted.clear();
            sorted.extend(x.iter().copied().filter(|v| !v.is_nan()));
            sorted.sort_unstable_by(f64::total_cmp);
            let fill = if sorted.is_empty() {
                f64::NAN
            } else {
                stats::quantile_type7_sorted(sorted, 0.5)
            };
            for v in x.iter_mut().filter(|v| v.is_nan()) {
                *v = fill;
            }
        }
        _ => {
            let fill = statistic(x);
            for v in x.iter_mut().filter(|v| v.is_nan()) {
                *v = fill;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_and_median_fill_only_missing() {
        let mut x = [1.0, f64::NAN, 3.0, 8.0];
        impute_column(&mut x, &Imputation::Mean, None);
        assert_eq!(x, [1.0, 4.0, 3.0, 8.0]);
        let mut x = [1.0, f64::NAN, 3.0, 8.0];
        impute_column(&mut x, &Imputation::Median, None);
        assert_eq!(x, [1.0, 3.0, 3.0, 8.0]);
    }

    #[test]
    fn group_mean_uses_the_units_group_and_leaves_empty_groups_missing() {
        let groups: Vec<Option<String>> = ["A", "A", "B", "B", "C"]
            .iter()
            .map(|s| Some(s.to_string()))
            .collect();
        let mut x = [1.0, f64::NAN, 10.0, f64::NAN, f64::NAN];
        impute_column(&mut x, &Imputation::GroupMean("g".into()), Some(&groups));
        assert_eq!(&x[..4], &[1.0, 1.0, 10.0, 10.0]);
        assert!(x[4].is_nan());
    }
}
