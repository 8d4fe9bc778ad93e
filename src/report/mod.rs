//! Presentation: tables, CSV/JSON/Markdown/HTML files and SVG charts built from typed analysis results.

pub mod output;
pub mod ranking;
pub mod table;
