//! What one scoring run varies: which prepared data variant, the aggregation of each level, and the node weights.

use serde::{Deserialize, Serialize};

use super::method::{Aggregation, Imputation, Normalisation, Treatment};

/// One way of preparing the indicator data before aggregation. `prepare` computes the
/// normalised matrix of every variant a run can need, once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VariantSpec {
    pub imputation: Imputation,
    pub treatment: Option<Treatment>,
    pub normalisation: Normalisation,
}

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
