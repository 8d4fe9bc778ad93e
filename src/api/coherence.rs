//! `coherence`: the statistical coherence audit of the nominal index (data quality, correlations with flags, Cronbach's α, PCA, importance against weight).

use std::path::{Path, PathBuf};

use super::{Error, Index};
use crate::analysis::coherence::{Coherence, Settings, audit};
use crate::pipeline::prepare::nominal_variant;
use crate::pipeline::{Config, Prepared, evaluate, prepare};
use crate::report::coherence::{
    CoherenceSummary, coherence_csv, coherence_files, coherence_markdown, findings,
    importance_table, pca_csv, summary_json,
};
use crate::report::provenance::DEFAULT_SEED;
use crate::report::summary::Summary;

/// Options of [`coherence`]; the default is the command line's (200 bootstrap resamples of
/// the η² intervals, seed 1).
#[derive(Debug, Clone, PartialEq)]
pub struct CoherenceOptions {
    /// Bootstrap resamples for the η² intervals (0 = none).
    pub bootstrap: usize,
    /// Seed of the bootstrap. Same seed, same numbers.
    pub seed: u64,
}

impl Default for CoherenceOptions {
    fn default() -> Self {
        CoherenceOptions {
            bootstrap: 200,
            seed: DEFAULT_SEED,
        }
    }
}

/// The result of [`coherence`]: the audit, its findings and its files.
pub struct CoherenceResult {
    prepared: Prepared,
    coherence: Coherence,
    summary_json: String,
    files: crate::report::output::Files,
}

/// Audits the nominal index's statistical coherence: the same numbers as `ranksense
/// coherence` with the same seed.
pub fn coherence(index: &Index, options: CoherenceOptions) -> Result<CoherenceResult, Error> {
    let model = index.model();
    let prepared = prepare(model, &[nominal_variant(model)])?;
    let weights = prepared.framework.nominal_weights();
    let config = Config {
        variant: 0,
        aggregation: model.nominal.aggregation.clone(),
        weights: weights.clone(),
    };
    let evaluation = evaluate(&prepared, &config)?;
    let settings = Settings {
        resamples: options.bootstrap,
        seed: options.seed,
        ..Settings::default()
    };
    let coherence = audit(model, &prepared, 0, &evaluation, &weights, &settings);
    let framework = &prepared.framework;
    let summary_json = summary_json(
        &Summary::new("coherence", model),
        &CoherenceSummary::of(&coherence, framework),
    );
    let files = coherence_files(model, &coherence, framework);
    Ok(CoherenceResult {
        prepared,
        coherence,
        summary_json,
        files,
    })
}

impl CoherenceResult {
    /// The CSV tables of the report folder, as (file name, text) pairs.
    pub fn tables(&self) -> Vec<(String, String)> {
        super::csv_tables(&self.files)
    }

    /// The whole audit: quality, correlations, consistency, importance, heat map.
    pub fn audit(&self) -> &Coherence {
        &self.coherence
    }

    /// The findings, one sentence each (empty when nothing stands out).
    pub fn findings(&self) -> Vec<String> {
        findings(&self.coherence, &self.prepared.framework)
    }

    /// coherence.csv (`coherence --format csv`): every correlation with its flags.
    pub fn csv(&self) -> String {
        coherence_csv(&self.coherence, &self.prepared.framework)
    }

    /// importance.csv: every node's importance (η²) against its weight.
    pub fn importance_csv(&self) -> String {
        importance_table(&self.coherence, &self.prepared.framework, None).to_csv()
    }

    /// pca.csv: each aggregate's principal components.
    pub fn pca_csv(&self) -> String {
        pca_csv(&self.coherence, &self.prepared.framework)
    }

    /// The Markdown section (`coherence --format markdown`).
    pub fn markdown(&self) -> String {
        coherence_markdown(&self.coherence, &self.prepared.framework)
    }

    /// The summary.json envelope (`coherence --format json`).
    pub fn summary_json(&self) -> String {
        self.summary_json.clone()
    }

    /// Writes the files `coherence --out DIR` writes (report.md, report.html, summary.json,
    /// the CSVs and the charts), all or nothing.
    pub fn write_report(&self, folder: impl AsRef<Path>) -> Result<Vec<PathBuf>, Error> {
        Ok(self.files.write_to(folder.as_ref())?)
    }
}
