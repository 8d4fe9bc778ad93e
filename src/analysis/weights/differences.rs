//! The normalised score differences to a focus unit that every rank program here is written in:
//! the exact bounds MILP ([`super::bounds`]) and the minimal-change MILP
//! ([`super::stability::minimal_change`]), with their shared margin and decision threshold.
//!
//! On a [`LinearForm`] unit `b`'s score is `Σ_j A_bj x_j`; the programs compare it with the
//! focus `f` through `d_b(x) = Σ_j (A_bj − A_fj) x_j / G`, `G = max_{b,j} |A_bj − A_fj|`, so
//! every row is on the same scale whatever the units of the scores (Salo & Punkka 2011 write
//! rank intervals over weight polytopes in these pairwise differences).

use super::linear::LinearForm;

/// Strict margin `ε` of the worst-rank MILP, relative to the largest coefficient difference `G`
/// between any unit and the focus: a unit counts as able to pass the focus only if it can exceed
/// it by at least `ε · G` (10× microlp's absolute feasibility tolerance of 1e-7 on the scaled
/// rows, 1000× the 1e-9 HiGHS is given in [`super::solve`]), so solver slack never fakes a pass.
pub const MARGIN: f64 = 1e-6;

/// A difference whose range clears zero (or the margin) by this much (relative, like
/// [`MARGIN`]) is decided without a binary.
pub(super) const DECIDED: f64 = 1e-9;

/// The differences `(A_b − A_f)/G` of every unit to the focus, row-major units × variables (the
/// focus's own row is zero).
pub(super) struct FocusDifferences {
    /// The normalisation `G`: the largest coefficient difference between any unit and the focus.
    pub gap: f64,
    pub rows: Vec<f64>,
}

/// The differences to `focus`, or `None` when every unit has the focus's coefficients
/// (`G = 0`: identical scores at every weight).
pub(super) fn focus_differences(form: &LinearForm, focus: usize) -> Option<FocusDifferences> {
    let n_units = form.n_units();
    let n_variables = form.n_variables();
    let focus_row = form.row(focus);
    let gap = (0..n_units)
        .flat_map(|b| {
            form.row(b)
                .iter()
                .zip(focus_row)
                .map(|(a, f)| (a - f).abs())
        })
        .fold(0.0, f64::max);
    if gap == 0.0 {
        return None;
    }
    let mut rows = vec![0.0; n_units * n_variables];
    for b in 0..n_units {
        for j in 0..n_variables {
            rows[b * n_variables + j] = (form.row(b)[j] - focus_row[j]) / gap;
        }
    }
    Some(FocusDifferences { gap, rows })
}
