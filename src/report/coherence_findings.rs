//! The coherence audit's facts in words and numbers: the plain-language findings and
//! summary.json's `coherence` section (a file of its own, so that `report::summary` can hold the
//! section without importing the tables and files of `report::coherence`).

use serde::Serialize;

use super::coherence_weights::OptimisedSummary;
use crate::analysis::coherence::{Coherence, Flag, Method, Relation};
use crate::model::Framework;

/// Cronbach's α below this reads as weak internal consistency (Nunnally 1978, *Psychometric
/// Theory*, 2nd ed.: 0.7 for instruments in early use; the OECD/JRC Handbook 2008 §5.1 quotes it).
pub const ALPHA_ACCEPTABLE: f64 = 0.7;

pub use crate::analysis::coherence::SHARE_GAP;
/// A weight share and an importance share further apart than this are a finding below the
/// index's own components (a wider gap, so the findings stay a short list).
pub const SHARE_GAP_LOWER: f64 = 0.30;

pub(super) fn code(framework: &Framework, node: usize) -> &str {
    &framework.nodes[node].code
}

pub(super) fn name(framework: &Framework, node: usize) -> &str {
    &framework.nodes[node].name
}

pub(super) fn pct(x: f64) -> String {
    format!("{:.0}%", 100.0 * x)
}

/// The plain-language findings, most important first: negative and weak correlations with the
/// parent, indicators closer to another group, collinear pairs, weak consistency or several
/// latent dimensions, and weights whose importance falls far from them.
pub fn findings(coherence: &Coherence, framework: &Framework) -> Vec<String> {
    let mut out = Vec::new();
    let pearson = || {
        coherence
            .correlations
            .iter()
            .filter(|c| c.method == Method::Pearson)
    };
    for c in pearson().filter(|c| c.flags.contains(&Flag::Negative)) {
        out.push(format!(
            "{} correlates negatively with {} (r = {:.2}).",
            code(framework, c.x),
            name(framework, c.y),
            c.estimate.r.unwrap_or(f64::NAN)
        ));
    }
    for c in pearson().filter(|c| c.flags.contains(&Flag::Weak)) {
        out.push(format!(
            "{} correlates only weakly with {} (r = {:.2}, below {}).",
            code(framework, c.x),
            name(framework, c.y),
            c.estimate.r.unwrap_or(f64::NAN),
            coherence.settings.thresholds.weak
        ));
    }
    for c in pearson().filter(|c| c.flags.contains(&Flag::CloserElsewhere)) {
        let own = pearson()
            .find(|o| o.relation == Relation::Parent && o.x == c.x)
            .and_then(|o| o.estimate.r);
        out.push(format!(
            "{} correlates more with {} (r = {:.3}) than with its own {} (r = {:.3}).",
            code(framework, c.x),
            name(framework, c.y),
            c.estimate.r.unwrap_or(f64::NAN),
            framework.nodes[c.x]
                .parent
                .map_or("", |p| name(framework, p)),
            own.unwrap_or(f64::NAN)
        ));
    }
    for c in pearson().filter(|c| c.flags.contains(&Flag::Collinear)) {
        out.push(format!(
            "{} and {} are collinear (r = {:.2} > {}): possible double counting.",
            code(framework, c.x),
            code(framework, c.y),
            c.estimate.r.unwrap_or(f64::NAN),
            coherence.settings.thresholds.collinear
        ));
    }
    for k in &coherence.consistency {
        if let Some(alpha) = k.alpha
            && alpha < ALPHA_ACCEPTABLE
        {
            out.push(format!(
                "{}: Cronbach's α = {alpha:.2}, below {ALPHA_ACCEPTABLE}: its components are not consistent.",
                name(framework, k.aggregate)
            ));
        }
        if let Ok(pca) = &k.components
            && pca.kaiser_count() > 1
        {
            out.push(format!(
                "{}: {} principal components have an eigenvalue above 1 (the first explains {}): more than one latent dimension.",
                name(framework, k.aggregate),
                pca.kaiser_count(),
                pct(pca.shares[0])
            ));
        }
    }
    for i in &coherence.importance {
        let (Some(ratio), Some(share)) = (&i.ratio, i.share) else {
            continue;
        };
        let gap = if framework.nodes[i.node].parent == Some(framework.top) {
            SHARE_GAP
        } else {
            SHARE_GAP_LOWER
        };
        if (share - i.weight_share).abs() > gap {
            out.push(format!(
                "{} carries {} of its parent's weight but {} of the importance (η² = {:.2}: alone it explains {} of the index's variance).",
                name(framework, i.node),
                pct(i.weight_share),
                pct(share),
                ratio.eta2,
                pct(ratio.eta2.max(0.0))
            ));
        }
    }
    out
}

/// summary.json's `coherence` section.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoherenceSummary {
    pub findings: Vec<String>,
    pub thresholds: crate::analysis::coherence::Thresholds,
    pub missing_values: &'static str,
    pub parent_correlations: Vec<ParentRow>,
    pub consistency: Vec<ConsistencyRow>,
    pub importance: Vec<ImportanceRow>,
    /// The weights that deliver the intended importance, when searched for.
    pub optimised_weights: Option<OptimisedSummary>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParentRow {
    pub node: String,
    pub parent: String,
    pub pearson: Option<f64>,
    pub spearman: Option<f64>,
    pub flags: Vec<Flag>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConsistencyRow {
    pub aggregate: String,
    pub alpha: Option<f64>,
    pub eigenvalues: Vec<f64>,
    pub shares: Vec<f64>,
    pub first_loadings: Vec<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportanceRow {
    pub node: String,
    pub weight_share: f64,
    pub importance_share: Option<f64>,
    pub eta2: Option<f64>,
    pub eta2_interval: Option<(f64, f64)>,
    pub r2: Option<f64>,
}

impl CoherenceSummary {
    pub fn of(coherence: &Coherence, framework: &Framework) -> Self {
        let finite = |x: Option<f64>| x.filter(|v| v.is_finite());
        let parent_correlations = (0..framework.n_nodes())
            .filter_map(|x| {
                let find = |m: Method| {
                    coherence
                        .correlations
                        .iter()
                        .find(|c| c.method == m && c.relation == Relation::Parent && c.x == x)
                };
                let (p, s) = (find(Method::Pearson)?, find(Method::Spearman)?);
                Some(ParentRow {
                    node: code(framework, x).into(),
                    parent: code(framework, p.y).into(),
                    pearson: finite(p.estimate.r),
                    spearman: finite(s.estimate.r),
                    flags: p.flags.clone(),
                })
            })
            .collect();
        let consistency = coherence
            .consistency
            .iter()
            .map(|k| {
                let pca = k.components.as_ref().ok();
                ConsistencyRow {
                    aggregate: code(framework, k.aggregate).into(),
                    alpha: finite(k.alpha),
                    eigenvalues: pca.map_or(Vec::new(), |p| p.eigenvalues.clone()),
                    shares: pca.map_or(Vec::new(), |p| p.shares.clone()),
                    first_loadings: pca.map_or(Vec::new(), |p| p.loadings.clone()),
                }
            })
            .collect();
        let importance = coherence
            .importance
            .iter()
            .map(|i| ImportanceRow {
                node: code(framework, i.node).into(),
                weight_share: i.weight_share,
                importance_share: finite(i.share),
                eta2: finite(i.ratio.as_ref().map(|r| r.eta2)),
                eta2_interval: i
                    .ratio
                    .as_ref()
                    .and_then(|r| r.interval)
                    .filter(|(a, b)| a.is_finite() && b.is_finite()),
                r2: finite(i.ratio.as_ref().map(|r| r.r2)),
            })
            .collect();
        CoherenceSummary {
            findings: findings(coherence, framework),
            thresholds: coherence.settings.thresholds,
            missing_values: "pairwise-complete for correlations, covariances and η²; complete units of the group for PCA",
            parent_correlations,
            consistency,
            importance,
            optimised_weights: coherence
                .optimised
                .as_ref()
                .and_then(|o| o.as_ref().ok())
                .map(|o| OptimisedSummary::of(o, framework)),
        }
    }
}
