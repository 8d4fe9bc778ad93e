//! Publication-quality SVG charts of rank uncertainty and sensitivity, each drawn from a plain, documented view model.
//!
//! One file per chart holds its view model (the numbers it shows), the builder that makes the
//! view model from an analysis result, and its SVG renderer; [`common`] holds the layout they
//! share (heading, legends, axes, row labels) and [`axis`] the tick and scale arithmetic. Which
//! charts a report draws is decided in `report::figures`.
//!
//! Every renderer takes a view model holding pre-computed numbers (renderers never run an
//! analysis) and returns a self-contained SVG string: no scripts, no external assets, no CSS,
//! no element ids, so several charts can be inlined in one HTML page or shown on GitHub as files.
//! Marks carry a `class` naming what they are (`median`, `interval`, `nominal`, `cell`, `bar`, ...)
//! so tests and readers can find them; legend marks use `legend-mark` and never a data class.
//! Charts with one row per unit write the unit's code on that row as `data-unit`, an unstyled
//! handle by which report.html's unit picker highlights any unit (classes `unit-band`,
//! `unit-frame`).
//! Output depends only on the input: the same view model always gives the same bytes.

pub mod axis;
mod common;
pub mod scope;

pub mod acceptability_heatmap;
pub mod rank_histogram;
pub mod rank_intervals;
pub mod sobol_bars;
pub mod sweep_trajectories;
pub mod ternary_map;

pub use acceptability_heatmap::{acceptability_heatmap, heatmap_chart};
pub use rank_histogram::{histogram_chart, rank_histogram};
pub use rank_intervals::{rank_interval_chart, rank_intervals};
pub use scope::chart_scope;
pub use sobol_bars::{sobol_bars, sobol_chart};
pub use sweep_trajectories::{sweep_chart, sweep_trajectories};
pub use ternary_map::{simplex_chart, ternary_map};
// The charts' view models, for the crate's rendering tests.
#[cfg(any(test, feature = "internals"))]
pub use {
    acceptability_heatmap::HeatmapChart,
    rank_histogram::HistogramChart,
    rank_intervals::{RankIntervalChart, RankIntervalRow},
    scope::{MAX_CHART_UNITS, chart_units},
    sobol_bars::{SobolChart, SobolRow},
    sweep_trajectories::{SweepChart, SweepSeries},
    ternary_map::{TernaryCell, TernaryChart},
};
