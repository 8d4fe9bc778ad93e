//! Analyses over sampled runs: variance-based sensitivity (Sobol indices) and, later, rank bounds and stability.

pub mod sobol;
