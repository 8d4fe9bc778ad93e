//! `ranksense synth`: write a synthetic index folder for benchmarks and tests at any size.

use std::path::PathBuf;

use clap::Args;

use super::Failure;
use crate::synth::{DEFAULT_MISSING_SHARE, SynthSpec, generate, write_dir};

#[derive(Debug, Args)]
pub struct SynthArgs {
    /// Number of units (rows).
    #[arg(long)]
    pub units: usize,
    /// Number of indicators.
    #[arg(long)]
    pub indicators: usize,
    /// Levels of the tree, indicators and index included (3 = indicators → domains → index).
    #[arg(long, default_value_t = 3)]
    pub levels: usize,
    /// Nodes per intermediate level, bottom-up, comma-separated (e.g. `7` domains; `14,4`).
    #[arg(long, value_delimiter = ',')]
    pub groups: Option<Vec<usize>>,
    /// Share of indicator cells left missing.
    #[arg(long, default_value_t = DEFAULT_MISSING_SHARE)]
    pub missing_share: f64,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Folder to write meta.csv, data.csv and index.toml into.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

pub fn run(args: SynthArgs) -> Result<(), Failure> {
    let spec = SynthSpec {
        units: args.units,
        indicators: args.indicators,
        levels: args.levels,
        groups_per_level: args.groups,
        missing_share: args.missing_share,
        seed: args.seed,
    };
    let files = generate(&spec).map_err(Failure::input)?;
    write_dir(&files, &args.out).map_err(|e| {
        Failure::input(anyhow::anyhow!(
            "cannot write {}: {e}; fix: check that the folder is writable",
            args.out.display()
        ))
    })?;
    println!(
        "wrote a synthetic index ({} units × {} indicators, {} levels, seed {}) to {}",
        spec.units,
        spec.indicators,
        spec.levels,
        spec.seed,
        args.out.display()
    );
    Ok(())
}
