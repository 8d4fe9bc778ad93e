//! `ranksense score`: the nominal ranking, optionally under another normalisation or aggregation.

use std::str::FromStr;

use clap::Args;

use super::{DataArgs, Failure, Format, present};
use crate::api::ScoreOptions;
use crate::api::score::{ScoreError, score_model, what_if};
use crate::model::method::MethodParseError;
use crate::pipeline::ConfigError;

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
    let index = args.data.load_quietly()?;
    super::data::print_warnings(&index);
    let options = ScoreOptions {
        normalisation: args
            .normalisation
            .as_deref()
            .map(|text| method_flag("--normalisation", text))
            .transpose()?,
        aggregation: args
            .aggregation
            .as_deref()
            .map(|text| method_flag("--aggregation", text))
            .transpose()?,
        weights: Vec::new(),
    };
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
    let scored = what_if(&index, &options)?;
    let result = score_model(scored).map_err(|error| match error {
        // The index's own method was checked when it was loaded: a refusal here is a what-if
        // flag's, named as the flag (the message itself is the one every route gives).
        ScoreError::Config(ConfigError::Range(reason)) => {
            let flag = match &options.normalisation {
                Some(normalisation) if reason.blames_normalisation() => {
                    format!("--normalisation {normalisation}")
                }
                _ => format!("--aggregation {}", reason.aggregation()),
            };
            Failure::input(anyhow::anyhow!(
                "{flag}: {}\n  fix: {}",
                reason.problem(),
                reason.fix()
            ))
        }
        ScoreError::Config(other) => Failure::input(other),
        ScoreError::Prepare(other) => other.into(),
    })?;
    present(&result.view(args.level), args.format, None)
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
