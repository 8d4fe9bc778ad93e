//! `ranksense score`: the nominal ranking, optionally under another normalisation or aggregation.

use std::str::FromStr;

use clap::Args;

use super::{DataArgs, Failure, Format};
use ranksense::model::method::{Aggregation, MethodParseError};
use ranksense::pipeline::prepare::nominal_variant;
use ranksense::pipeline::{Config, ConfigError, evaluate, prepare};
use ranksense::report::method::MethodDisclosure;
use ranksense::report::ranking::{column_nodes, ranking_csv, ranking_table, ranking_units};
use ranksense::report::summary::Summary;

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
    let screened = prepared.screening.disclosure();
    let focus = index
        .info
        .focus
        .as_deref()
        .and_then(|f| prepared.find_unit(f));
    match args.format {
        Format::Table | Format::Markdown => {
            let columns = column_nodes(&prepared, args.level);
            let table = ranking_table(&prepared, &evaluation, &columns, focus);
            if args.format == Format::Table {
                println!("{}", index.info.name);
                if index.info.reconstruction {
                    println!(
                        "Note: these data are a reconstruction, not the publisher's data (see `ranksense validate` / the data README)."
                    );
                }
                // Every step that ran, from the one disclosure every report prints.
                println!("Method:");
                for line in MethodDisclosure::of(&index).lines() {
                    println!("  {line}");
                }
                if let Some(screened) = &screened {
                    println!("{screened}");
                }
                println!();
                print!("{}", table.to_terminal());
            } else {
                if let Some(screened) = &screened {
                    println!("{screened}\n");
                }
                print!("{}", table.to_markdown());
            }
        }
        // Machine-readable stdout stays pure data; the disclosure goes to stderr.
        Format::Csv | Format::Json => {
            if let Some(screened) = &screened {
                eprintln!("note: {screened}");
            }
            if args.format == Format::Csv {
                let indicators = args.level == Some(1);
                print!("{}", ranking_csv(&prepared, &evaluation, indicators));
            } else {
                // The summary.json envelope; its method is the one scored (what-if included).
                let mut summary = Summary::new("score", &index);
                summary.ranking = Some(ranking_units(&prepared, &evaluation));
                print!("{}", summary.to_json());
            }
        }
    }
    Ok(())
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
