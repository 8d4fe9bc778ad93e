//! Weight factors: the children of one parent whose weights a factor samples, and the map from a block's coordinates to weights (uniform spread, uniform on the simplex, Dirichlet, fixed).

use statrs::distribution::{ContinuousCDF, Gamma};

use super::super::WeightMode;
use crate::model::Framework;

/// The children of one parent whose weights a factor samples.
#[derive(Debug, Clone)]
pub(super) struct WeightBlock {
    pub(super) children: Vec<usize>,
    /// Nominal weights normalised within the parent.
    pub(super) nominal: Vec<f64>,
    pub(super) mode: WeightMode,
    /// Gamma(concentration · nominal_c) marginals for Dirichlet sampling.
    pub(super) gammas: Vec<Gamma>,
}

/// Maps a block's coordinates to (unnormalised) weights of its children.
///
/// - uniform: `w_c (1 + spread (2u_c − 1))`, i.e. w_c × U(1 − spread, 1 + spread) (COINr);
/// - simplex: `−ln(1 − u_c)` (standard exponentials), whose normalisation is uniform on the
///   simplex (Rubinstein 1982; Lahdelma & Salminen 2001);
/// - dirichlet: `F⁻¹_{Gamma(α w_c, 1)}(u_c)`, whose normalisation is Dirichlet(α w);
/// - fixed: the nominal weights.
#[inline]
pub(super) fn sample_block(block: &WeightBlock, u: &[f64], mut set: impl FnMut(usize, f64)) {
    // The mode is matched once per block, not once per weight (the engine's hot loop).
    match block.mode {
        WeightMode::Uniform { spread } => {
            for (j, (&x, &nominal)) in u.iter().zip(&block.nominal).enumerate() {
                set(j, nominal * (1.0 + spread * (2.0 * x - 1.0)));
            }
        }
        WeightMode::Simplex => {
            for (j, &x) in u.iter().enumerate() {
                set(j, -(1.0 - x).ln());
            }
        }
        WeightMode::Dirichlet { .. } => {
            for (j, (&x, gamma)) in u.iter().zip(&block.gammas).enumerate() {
                set(j, gamma.inverse_cdf(x));
            }
        }
        WeightMode::Fixed => {
            for (j, &nominal) in block.nominal.iter().enumerate().take(u.len()) {
                set(j, nominal);
            }
        }
    }
}

pub(super) fn weight_block(framework: &Framework, parent: usize, mode: WeightMode) -> WeightBlock {
    let children = framework.nodes[parent].children.clone();
    let total: f64 = children.iter().map(|&c| framework.nodes[c].weight).sum();
    let nominal: Vec<f64> = children
        .iter()
        .map(|&c| framework.nodes[c].weight / total)
        .collect();
    let gammas = match mode {
        WeightMode::Dirichlet { concentration } => nominal
            .iter()
            .map(|&w| Gamma::new((concentration * w).max(1e-9), 1.0).expect("positive shape"))
            .collect(),
        _ => Vec::new(),
    };
    WeightBlock {
        children,
        nominal,
        mode,
        gammas,
    }
}
