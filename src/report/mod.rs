//! Presentation: tables, CSV/JSON/Markdown/HTML files and SVG charts built from typed analysis results.

pub mod charts;
pub mod coherence;
pub mod coherence_charts;
pub mod coherence_findings;
pub mod coherence_weights;
pub mod data_error;
pub mod exact;
pub mod explorer;
pub mod figures;
pub mod format;
pub mod html;
pub mod markdown;
pub mod method;
pub mod output;
pub mod palette;
pub mod provenance;
pub mod ranking;
pub mod render;
pub mod robust;
pub mod sensitivity;
pub mod summary;
pub mod svg;
pub mod table;
pub mod uncertainty;
pub mod verdict;
