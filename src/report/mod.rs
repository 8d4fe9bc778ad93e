//! Presentation of analysis results: a tiny SVG writer, the named palette and the charts.

pub mod charts;
pub mod palette;
pub mod svg;
