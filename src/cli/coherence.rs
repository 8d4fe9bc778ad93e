//! `ranksense coherence`: the statistical coherence audit (data quality, correlations with
//! flags, Cronbach's α, PCA, importance against weight) of the nominal index.

use std::path::PathBuf;

use clap::Args;

use super::{DataArgs, Failure, Format};
use crate::analysis::coherence::{Settings, audit};
use crate::pipeline::prepare::nominal_variant;
use crate::pipeline::{Config, evaluate, prepare};
use crate::report::coherence::{
    CoherenceSummary, coherence_csv, coherence_files, coherence_markdown, consistency_table,
    findings, importance_table, parent_table, summary_json,
};
use crate::report::provenance::DEFAULT_SEED;
use crate::report::summary::Summary;

#[derive(Debug, Args)]
pub struct CoherenceArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// Bootstrap resamples for the η² intervals (0 = none).
    #[arg(long, default_value_t = 200)]
    pub bootstrap: usize,
    /// Random seed of the bootstrap. Same seed, same bytes.
    #[arg(long, default_value_t = DEFAULT_SEED)]
    pub seed: u64,
    /// Write report.md, report.html, summary.json, coherence.csv, importance.csv, pca.csv and the charts into this folder.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Format of what is printed on standard output (csv: coherence.csv).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

pub fn run(args: CoherenceArgs) -> Result<(), Failure> {
    let index = args.data.load()?;
    if let Some(dir) = &args.out {
        crate::report::output::check_report_folder(dir)?;
    }
    let prepared = prepare(&index, &[nominal_variant(&index)])?;
    let weights = prepared.framework.nominal_weights();
    let config = Config {
        variant: 0,
        aggregation: index.nominal.aggregation.clone(),
        weights: weights.clone(),
    };
    let evaluation = evaluate(&prepared, &config).map_err(Failure::input)?;
    let settings = Settings {
        resamples: args.bootstrap,
        seed: args.seed,
        ..Settings::default()
    };
    let result = audit(&index, &prepared, 0, &evaluation, &weights, &settings);
    let framework = &prepared.framework;
    match args.format {
        Format::Table => {
            println!("{} — statistical coherence", index.info.name);
            if index.info.reconstruction {
                println!(
                    "Note: these data are a reconstruction, not the publisher's data; the findings are about the reconstruction."
                );
            }
            println!();
            for finding in findings(&result, framework) {
                println!("  • {finding}");
            }
            println!("\nCorrelation with the parent (pairwise-complete):");
            print!("{}", parent_table(&result, framework).to_terminal());
            println!("\nInternal consistency:");
            print!("{}", consistency_table(&result, framework).to_terminal());
            println!("\nImportance against weight (η², bias-corrected):");
            print!(
                "{}",
                importance_table(&result, framework, Some(3)).to_terminal()
            );
        }
        Format::Csv => print!("{}", coherence_csv(&result, framework)),
        Format::Json => print!(
            "{}",
            summary_json(
                &Summary::new("coherence", &index),
                &CoherenceSummary::of(&result, framework)
            )
        ),
        Format::Markdown => print!("{}", coherence_markdown(&result, framework)),
    }
    if let Some(dir) = &args.out {
        let written = coherence_files(&index, &result, framework).write_to(dir)?;
        if args.format == Format::Table {
            println!("\nWrote {} files to {}", written.len(), dir.display());
        }
    }
    Ok(())
}
