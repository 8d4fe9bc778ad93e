//! Weights that deliver the intended importance (Becker et al. 2017): not yet implemented.
