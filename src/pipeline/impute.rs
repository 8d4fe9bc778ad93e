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
    let groups = groups.map(GroupIndex::of);
    impute_column_with(x, method, groups.as_ref(), &mut Vec::new())
}

/// The group of every row for a group imputation method, as small indices: groups are
/// numbered in the sorted order of their labels, the order in which they are filled.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupIndex {
    pub of_row: Vec<Option<usize>>,
    pub n_groups: usize,
}

impl GroupIndex {
    pub fn of(labels: &[Option<String>]) -> Self {
        let mut names: Vec<&str> = labels.iter().flatten().map(String::as_str).collect();
        names.sort_unstable();
        names.dedup();
        let of_row = labels
            .iter()
            .map(|l| l.as_deref().and_then(|l| names.binary_search(&l).ok()))
            .collect();
        GroupIndex {
            of_row,
            n_groups: names.len(),
        }
    }
}

/// [`impute_column`] with the groups already indexed and the caller's buffer for a group's
/// (or the column's) values: allocation-free once `values` has grown to the column's length,
/// as the noisy path needs (it imputes every perturbed column in every sample).
pub fn impute_column_with(
    x: &mut [f64],
    method: &Imputation,
    groups: Option<&GroupIndex>,
    values: &mut Vec<f64>,
) {
    let median = match method {
        Imputation::None => return,
        Imputation::Mean | Imputation::GroupMean(_) => false,
        Imputation::Median | Imputation::GroupMedian(_) => true,
    };
    if !stats::any_missing(x) {
        return;
    }
    match (method, groups) {
        (Imputation::GroupMean(_) | Imputation::GroupMedian(_), Some(groups)) => {
            for g in 0..groups.n_groups {
                let members = || {
                    (0..x.len()).filter(move |&u| groups.of_row[u] == Some(g))
                };
                values.clear();
                values.extend(members().map(|u| x[u]));
                let fill = statistic(values, median);
                for u in members() {
                    if x[u].is_nan() {
                        x[u] = fill;
                    }
                }
            }
        }
        _ => {
            let fill = if median {
                values.clear();
                values.extend_from_slice(x);
                statistic(values, true)
            } else {
                stats::mean(x)
            };
            // A select per cell rather than a branch: the loop vectorises, and a long column
            // (the noisy path imputes every perturbed column in every sample) is one pass.
            for v in x.iter_mut() {
                *v = if v.is_nan() { fill } else { *v };
            }
        }
    }
}

/// The mean (`stats::mean`) or median (R's, as `stats::median`) of the present values,
/// reordering `values` in place instead of allocating: values equal under total_cmp are
/// identical, so an unstable sort gives the sorted sequence `stats::median` computes.
fn statistic(values: &mut Vec<f64>, median: bool) -> f64 {
    if !median {
        return stats::mean(values);
    }
    values.retain(|v| !v.is_nan());
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_unstable_by(f64::total_cmp);
    stats::quantile_type7_sorted(values, 0.5)
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

    #[test]
    fn in_place_statistics_equal_the_allocating_ones() {
        let columns: [&[f64]; 4] = [
            &[5.0, f64::NAN, -0.0, 0.0, 2.5, 2.5, 1e300],
            &[f64::NAN, 3.0],
            &[f64::NAN, f64::NAN],
            &[4.0, 1.0, 3.0, 2.0],
        ];
        for x in columns {
            let mut values = x.to_vec();
            let median = statistic(&mut values, true);
            assert_eq!(median.to_bits(), stats::median(x).to_bits(), "{x:?}");
            let mut values = x.to_vec();
            assert_eq!(statistic(&mut values, false).to_bits(), stats::mean(x).to_bits());
        }
    }

    #[test]
    fn group_imputation_with_an_index_equals_the_labels() {
        // Groups filled in label order, rows without a group left missing.
        let labels: Vec<Option<String>> = [Some("b"), Some("a"), None, Some("b"), Some("a")]
            .iter()
            .map(|l| l.map(str::to_string))
            .collect();
        let index = GroupIndex::of(&labels);
        assert_eq!(index.n_groups, 2);
        assert_eq!(index.of_row, [Some(1), Some(0), None, Some(1), Some(0)]);
        let mut x = [1.0, f64::NAN, f64::NAN, f64::NAN, 4.0];
        let mut buffer = Vec::new();
        impute_column_with(&mut x, &Imputation::GroupMedian("g".into()), Some(&index), &mut buffer);
        assert_eq!(x[..2], [1.0, 4.0]);
        assert!(x[2].is_nan());
        assert_eq!(x[3..], [1.0, 4.0]);
    }
}
