//! `ranksense validate`: check index files (and optionally a scenario) and report every problem.

use std::path::PathBuf;

use clap::Args;

use super::{DataArgs, Failure};
use crate::analysis::uncertainty::{Setup, UncertaintyOptions};

#[derive(Debug, Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// Also check this scenario file against the index.
    #[arg(long, value_name = "FILE")]
    pub scenario: Option<PathBuf>,
}

pub fn run(args: ValidateArgs) -> Result<(), Failure> {
    let index = args.data.load_quietly()?;
    let framework = &index.framework;
    let screening = crate::pipeline::prepare::screening(&index)?;
    // The scenario first: an "ok" for the index must not precede a refused scenario.
    let scenario_ok = match &args.scenario {
        None => None,
        Some(path) => {
            let loaded = super::scenario::load_checked(path, &index)?;
            // The run's own preparation (every data variant, every aggregation against the data
            // it can meet, focus and top-k), so that whatever `validate` passes, a run accepts.
            let options = UncertaintyOptions {
                samples: loaded.scenario.samples.unwrap_or(10_000),
                seed: loaded.scenario.seed.unwrap_or(1),
                reuse_lower_levels: false,
                ..UncertaintyOptions::default()
            };
            Setup::new(&index, &loaded.scenario, &loaded.text, &options)?;
            Some(path)
        }
    };
    let ranked = match screening.screened_out.len() {
        0 => String::new(),
        n => format!(" ({} ranked, {n} screened out)", index.n_units() - n),
    };
    println!(
        "ok: {} — {} units{ranked}, {} indicators, {} levels ({}), source {}",
        index.info.name,
        index.n_units(),
        framework.n_indicators(),
        framework.n_levels,
        (1..=framework.n_levels)
            .map(|l| format!(
                "{} {}",
                framework.level_nodes(l).len(),
                framework.level_name(l).to_lowercase()
            ))
            .collect::<Vec<_>>()
            .join(", "),
        index.info.source
    );
    if index.info.reconstruction {
        println!("note: this data set is a reconstruction, not the publisher's data");
    }
    if let Some(disclosure) = screening.disclosure() {
        println!("note: {disclosure}");
    }
    for warning in &index.warnings {
        println!("warning: {warning}");
    }
    if let Some(path) = scenario_ok {
        println!("ok: scenario {} is valid for this index", path.display());
    }
    Ok(())
}
