//! What one scoring run varies: which prepared data variant, the aggregation of each level, and the node weights.

use crate::model::method::Aggregation;

/// One scoring configuration. The engine keeps one per thread and overwrites it for every
/// sample, so scoring allocates nothing.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Index into the prepared variants.
    pub variant: usize,
    /// One aggregation per aggregate level, bottom-up (entry 0 builds level 2).
    pub aggregation: Vec<Aggregation>,
    /// Raw weight of every node, indexed like `Framework::nodes`; renormalised within each
    /// parent over non-missing children when scoring. Zero excludes a node (leave-one-out).
    pub weights: Vec<f64>,
}

/// Why a [`Config`] cannot be scored on a prepared index.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration asks for data variant {variant}, but {available} were prepared")]
    UnknownVariant { variant: usize, available: usize },
    #[error(
        "configuration gives {given} aggregation(s), but the index has {levels} aggregate levels; give one per level, bottom-up"
    )]
    AggregationCount { given: usize, levels: usize },
    #[error(
        "configuration gives {given} weight(s), but the framework has {nodes} nodes; give one per node"
    )]
    WeightCount { given: usize, nodes: usize },
    #[error("weight of `{node}` is {weight}; weights must be finite and not negative")]
    BadWeight { node: String, weight: f64 },
    #[error(transparent)]
    Range(#[from] super::validity::AggregationRangeError),
}

impl Config {
    /// Checks that this configuration can be scored on `prepared`: the variant exists, there is
    /// one aggregation per level and one finite, non-negative weight per node, and every
    /// aggregation can run on the variant's values ([`super::validity::check_aggregations`]).
    pub fn check(&self, prepared: &super::Prepared) -> Result<(), ConfigError> {
        let framework = &prepared.framework;
        let variant = prepared
            .variants
            .get(self.variant)
            .ok_or(ConfigError::UnknownVariant {
                variant: self.variant,
                available: prepared.variants.len(),
            })?;
        if self.aggregation.len() != framework.n_aggregate_levels() {
            return Err(ConfigError::AggregationCount {
                given: self.aggregation.len(),
                levels: framework.n_aggregate_levels(),
            });
        }
        if self.weights.len() != framework.n_nodes() {
            return Err(ConfigError::WeightCount {
                given: self.weights.len(),
                nodes: framework.n_nodes(),
            });
        }
        if let Some((node, &weight)) = self
            .weights
            .iter()
            .enumerate()
            .find(|(_, w)| !(w.is_finite() && **w >= 0.0))
        {
            return Err(ConfigError::BadWeight {
                node: framework.nodes[node].code.clone(),
                weight,
            });
        }
        let per_level: Vec<[Aggregation; 1]> = self.aggregation.iter().map(|&a| [a]).collect();
        super::validity::check_aggregations(variant, &per_level)?;
        Ok(())
    }
}
