//! Analyses on top of the scorer and the engine: rank statistics, verdicts, sensitivity indices, exact rank bounds, weight stability.

pub mod coherence;
pub mod convergence;
pub mod data_error;
pub mod listed;
pub mod mc_error;
pub mod merge;
pub mod rank_stats;
pub mod rating;
pub mod robust;
pub mod sensitivity;
pub mod sobol;
pub mod uncertainty;
pub mod uncertainty_run;
pub mod verdict;
pub mod weights;
