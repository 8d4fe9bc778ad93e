//! `ranksense score`: the nominal ranking, optionally under another normalisation or aggregation.

use std::str::FromStr;

use clap::Args;

use super::{DataArgs, Failure, Format, present};
use crate::model::method::{Aggregation, MethodParseError};
use crate::pipeline::prepare::nominal_variant;
use crate::pipeline::{Config, ConfigError, evaluate, prepare};
use crate::report::render::ScoreView;

#[derive(Debug, Args)]
pub struct ScoreArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Show the scores and ranks of this level's nodes (1 = indicators; default: the level
    /// below the index, e.g. the dimensions).
    #[arg(long, value_name = "N")]
    pub level: Option<usize>,
    /// What-if: use this normalisation instead of the nominal one, e.g. `zscore(10,2)`, `rank`.
    #[arg(long, value_name = "METHOD")]
    pub normalisation: Option<String>,
    /// What-if: use this aggregation at every level, e.g. `geometric`.
    #[arg(long, value_name = "METHOD")]
    pub aggregation: Option<String>,
}

pub fn run(args: ScoreArgs) -> Result<(), Failure> {
    // The screening is disclosed in the table's header (or on stderr for CSV and JSON).
    let mut index = args.data.load_quietly()?;
    super::data::print_warnings(&index);
    if let Some(text) = &args.normalisation {
        index.nominal.normalisation = method_flag("--normalisation", text)?;
    }
    if let Some(text) = &args.aggregation {
        let method: Aggregation = method_flag("--aggregation", text)?;
        index.nominal.aggregation = vec![method; index.framework.n_aggregate_levels()];
    }
    let n_levels = index.framework.n_levels;
    if let Some(level) = args.level
        && (level == 0 || level >= n_levels)
    {
        return Err(Failure::input(anyhow::anyhow!(
            "--level {level} is out of range; fix: use 1 (indicators) to {} ({})",
            n_levels - 1,
            index.framework.level_name(n_levels - 1)
        )));
    }
    let prepared = prepare(&index, &[nominal_variant(&index)])?;
    let config = Config {
        variant: 0,
        aggregation: index.nominal.aggregation.clone(),
        weights: prepared.framework.nominal_weights(),
    };
    let evaluation = evaluate(&prepared, &config).map_err(|error| match error {
        // The index's own method was checked when it was loaded: a refusal here is a what-if
        // flag's, named as the flag (the message itself is the one every route gives).
        ConfigError::Range(reason) => {
            let flag = if reason.blames_normalisation() && args.normalisation.is_some() {
                format!("--normalisation {}", index.nominal.normalisation)
            } else {
                format!("--aggregation {}", reason.aggregation())
            };
            Failure::input(anyhow::anyhow!(
                "{flag}: {}\n  fix: {}",
                reason.problem(),
                reason.fix()
            ))
        }
        other => Failure::input(other),
    })?;
    let view = ScoreView {
        index: &index,
        prepared: &prepared,
        evaluation: &evaluation,
        level: args.level,
    };
    present(&view, args.format, None)
}

/// A method flag's value, or the parser's problem and fix (the wording index.toml and scenario
/// files give for the same text) under the flag's name.
fn method_flag<T: FromStr<Err = MethodParseError>>(flag: &str, text: &str) -> Result<T, Failure> {
    text.parse().map_err(|error: MethodParseError| {
        Failure::input(anyhow::anyhow!(
            "{flag}: {}\n  fix: {}",
            error.problem,
            error.fix
        ))
    })
}
