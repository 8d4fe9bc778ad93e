//! The library on your own index: load a folder of COINr-style files (meta.csv, data.csv,
//! optional index.toml), print its nominal ranking, then each unit's median rank and 90%
//! interval under the scenario derived from the index.
//!
//! Run with `cargo run --release --example own_index -- FOLDER` (default: `data/asem`).

use std::process::ExitCode;

fn main() -> ExitCode {
    let folder = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "data/asem".to_string());
    match run(&folder) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // Located problems (file, line, field, fix) are in error.diagnostics(); the
            // message already lists them.
            eprintln!("error: {error}");
            ExitCode::from(if error.is_input() { 2 } else { 1 })
        }
    }
}

fn run(folder: &str) -> Result<(), ranksense::Error> {
    let index = ranksense::load(folder)?;
    for warning in index.warnings() {
        eprintln!("warning: {warning}");
    }
    let ranking = ranksense::score(&index, Default::default())?;
    println!("{} — nominal ranking", index.name());
    for unit in ranking.units() {
        println!("{:>4}  {:<30} {:>8.2}", unit.rank, unit.name, unit.score);
    }
    let scenario = ranksense::Scenario::default_for(&index)?;
    let options = ranksense::UncertaintyOptions {
        samples: Some(10_000),
        ..Default::default()
    };
    let result = ranksense::uncertainty(&index, &scenario, options)?;
    println!(
        "\nUnder {} ({} samples): median rank and 90% interval",
        scenario.label(),
        result.samples()
    );
    for unit in result.units() {
        println!(
            "{:<30} {:>6} {:>6}..={}",
            unit.name, unit.median_rank, unit.q05_rank, unit.q95_rank
        );
    }
    Ok(())
}
