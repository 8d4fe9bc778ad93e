//! `ranksense coherence`: the statistical coherence audit (data quality, correlations with
//! flags, Cronbach's α, PCA, importance against weight) of the nominal index.

use std::path::PathBuf;

use clap::Args;

use super::{DataArgs, Failure, Format};
use crate::analysis::coherence::optimise::{
    DEFAULT_MAX_ITERATIONS, DEFAULT_TOLERANCE, target_from,
};
use crate::analysis::coherence::{Measure, Request, Settings, Status, audit};
use crate::pipeline::prepare::nominal_variant;
use crate::pipeline::{Config, evaluate, prepare};
use crate::report::coherence::{
    CoherenceSummary, coherence_csv, coherence_files, coherence_markdown, consistency_table,
    findings, importance_table, parent_table, summary_json,
};
use crate::report::coherence_weights::{
    WeightsTarget, reweighted_index_files, reweighted_meta_csv, weights_sentence, weights_table,
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
    /// Skip the search for the weights that deliver the intended importance.
    #[arg(long, conflicts_with_all = ["target_importance", "write_weights"])]
    pub no_optimise: bool,
    /// The importance matched to the target: η² (bias-corrected) or the Pearson correlation
    /// with the index (COINr's get_opt_weights).
    #[arg(long, value_enum, default_value_t = MeasureArg::Eta2)]
    pub importance_measure: MeasureArg,
    /// Target importance shares, CODE=SHARE comma-separated (e.g. `ATT=0.5,INF=0.3,CON=0.2`);
    /// unnamed nodes keep their nominal weight, and shares are renormalised within each parent.
    /// Default: the nominal weights.
    #[arg(long, value_name = "CODE=SHARE", value_delimiter = ',')]
    pub target_importance: Vec<String>,
    /// The search has converged when every importance share is within this of its target.
    #[arg(long, default_value_t = DEFAULT_TOLERANCE)]
    pub tolerance: f64,
    /// Steps the search may take.
    #[arg(long, default_value_t = DEFAULT_MAX_ITERATIONS)]
    pub max_iterations: usize,
    /// Write the optimised weights as an index: FILE.csv writes a meta.csv (load it with
    /// --meta-file FILE --data-file ...); any other path is a folder with meta.csv, data.csv and
    /// index.toml (load it with --data DIR). Refused unless the search converged.
    #[arg(long, value_name = "FILE.csv|DIR")]
    pub write_weights: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MeasureArg {
    Eta2,
    Correlation,
}

/// The search's request from the flags.
fn request(
    args: &CoherenceArgs,
    framework: &crate::model::Framework,
) -> Result<Option<Request>, Failure> {
    if args.no_optimise {
        return Ok(None);
    }
    if !(args.tolerance.is_finite() && args.tolerance > 0.0 && args.tolerance < 1.0) {
        return Err(Failure::input(anyhow::anyhow!(
            "`--tolerance {}`: the tolerance must be a share between 0 and 1; fix: give e.g. --tolerance 0.005",
            args.tolerance
        )));
    }
    let mut given = Vec::new();
    for item in &args.target_importance {
        let parsed = item.split_once('=').and_then(|(code, share)| {
            Some((code.trim().to_string(), share.trim().parse::<f64>().ok()?))
        });
        let Some(pair) = parsed else {
            return Err(Failure::input(anyhow::anyhow!(
                "`--target-importance {item}`: expected CODE=SHARE; fix: write e.g. --target-importance ATT=0.5,INF=0.3"
            )));
        };
        given.push(pair);
    }
    let target = if given.is_empty() {
        None
    } else {
        Some(
            target_from(framework, &given)
                .map_err(|e| Failure::input(anyhow::anyhow!("`--target-importance`: {e}")))?,
        )
    };
    Ok(Some(Request {
        measure: match args.importance_measure {
            MeasureArg::Eta2 => Measure::Eta2,
            MeasureArg::Correlation => Measure::Correlation,
        },
        target,
        tolerance: args.tolerance,
        max_iterations: args.max_iterations,
    }))
}

/// The texts of the index's meta.csv, data.csv and index.toml, as they were loaded.
fn source_texts(data: &DataArgs) -> Result<(String, String, Option<String>), Failure> {
    let read = |path: &std::path::Path| {
        std::fs::read_to_string(path).map_err(|e| {
            Failure::input(anyhow::anyhow!(
                "cannot read {} again to write the weights: {e}; fix: keep the index files in place while the command runs",
                path.display()
            ))
        })
    };
    if let (Some(meta), Some(data_file)) = (&data.meta_file, &data.data_file) {
        let toml = data.index_file.as_deref().map(read).transpose()?;
        return Ok((read(meta)?, read(data_file)?, toml));
    }
    let name = data.data.as_deref().unwrap_or("ieci2022");
    let dir = PathBuf::from(name);
    if dir.is_dir() {
        let toml_path = dir.join("index.toml");
        let toml = toml_path.is_file().then(|| read(&toml_path)).transpose()?;
        return Ok((
            read(&dir.join("meta.csv"))?,
            read(&dir.join("data.csv"))?,
            toml,
        ));
    }
    let (meta, data, toml) =
        crate::model::embedded::files(name).expect("the index loaded, so the data set exists");
    Ok((meta.into(), data.into(), Some(toml.into())))
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
        optimise: request(&args, &prepared.framework)?,
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
            if let Some(Ok(optimised)) = &result.optimised {
                println!("\n{}", weights_sentence(optimised));
                print!(
                    "{}",
                    weights_table(optimised, framework, Some(3)).to_terminal()
                );
            }
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
    if let Some(path) = &args.write_weights {
        write_weights(&args.data, path, &result, framework)?;
        if args.format == Format::Table {
            println!("\nWrote the optimised weights to {}", path.display());
        }
    }
    if let Some(dir) = &args.out {
        let written = coherence_files(&index, &result, framework).write_to(dir)?;
        if args.format == Format::Table {
            println!("\nWrote {} files to {}", written.len(), dir.display());
        }
    }
    Ok(())
}

/// `--write-weights`: the optimised weights as a meta.csv or an index folder (see the flag).
fn write_weights(
    data: &DataArgs,
    path: &std::path::Path,
    result: &crate::analysis::coherence::Coherence,
    framework: &crate::model::Framework,
) -> Result<(), Failure> {
    let optimised = match &result.optimised {
        Some(Ok(optimised)) => optimised,
        Some(Err(error)) => {
            return Err(Failure::input(anyhow::anyhow!(
                "`--write-weights`: no weights to write, the index cannot be rescored with trial weights ({error})"
            )));
        }
        None => unreachable!("--write-weights conflicts with --no-optimise"),
    };
    if optimised.status != Status::Converged {
        return Err(Failure::input(anyhow::anyhow!(
            "`--write-weights {}`: the search did not converge ({}: largest share gap {:.4}, tolerance {}), so there are no weights that deliver the target to write; fix: allow more steps (--max-iterations), a wider --tolerance, or a reachable --target-importance",
            path.display(),
            optimised.status.name(),
            optimised.fit,
            optimised.tolerance
        )));
    }
    let (meta, data_text, toml) = source_texts(data)?;
    let unreadable = || {
        Failure::input(anyhow::anyhow!(
            "`--write-weights`: the index's meta.csv has no iCode or Weight column to rewrite; fix: give the index as a folder or with --meta-file"
        ))
    };
    match WeightsTarget::of(path) {
        WeightsTarget::MetaFile => {
            let text =
                reweighted_meta_csv(&meta, framework, &optimised.weights).ok_or_else(unreadable)?;
            crate::report::output::write_atomic(path, text.as_bytes())?;
        }
        WeightsTarget::IndexFolder => {
            let files =
                reweighted_index_files(&meta, &data_text, toml.as_deref(), framework, optimised)
                    .ok_or_else(unreadable)?;
            files.write_to(path)?;
        }
    }
    Ok(())
}
