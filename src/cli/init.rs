//! `ranksense init --data DIR`: writes the scenario derived from the index, with every scenario option commented, to DIR/scenario.toml, and a commented DIR/index.toml if the folder has none.

use std::path::{Path, PathBuf};

use clap::Args;

use super::Failure;
use super::data::print_warnings;
use crate::model::load_dir;
use crate::model::template::index_toml;
use crate::pipeline::validity::check_nominal;
use crate::report::output::write_atomic;
use crate::report::provenance::DERIVED_SCENARIO_FILE;
use crate::scenario::derive::derive;
use crate::scenario::template::scenario_file;

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Your index folder (meta.csv, data.csv, optional index.toml); the files are written into it.
    #[arg(long, value_name = "DIR")]
    pub data: PathBuf,
    /// Replace an existing scenario.toml (index.toml is only ever written when missing).
    #[arg(long)]
    pub force: bool,
}

pub fn run(args: InitArgs) -> Result<(), Failure> {
    let dir = &args.data;
    if !dir.is_dir() {
        let builtin = crate::model::embedded::load(&dir.to_string_lossy()).is_some();
        return Err(Failure::input(anyhow::anyhow!(
            "{} is not a folder{}; fix: give the folder that holds your meta.csv and data.csv: init writes scenario.toml (and index.toml) into it",
            dir.display(),
            if builtin {
                " (it names a built-in data set, which comes with its own scenarios: asem-coinr, ieci-full)"
            } else {
                ""
            }
        )));
    }
    let scenario_path = dir.join(DERIVED_SCENARIO_FILE);
    if scenario_path.exists() && !args.force {
        return Err(Failure::input(anyhow::anyhow!(
            "{} already exists; fix: pass --force to replace it with the derived scenario, or move it away first",
            scenario_path.display()
        )));
    }
    let index = load_dir(dir)?;
    check_nominal(&index)?;
    print_warnings(&index);
    let derivation = derive(&index).map_err(|e| Failure::Internal(e.into()))?;
    let text = scenario_file(&index, &derivation);
    let index_path = dir.join("index.toml");
    let write_index = !index_path.exists();
    if write_index {
        write_atomic(&index_path, index_toml(&index).as_bytes())?;
    }
    write_atomic(&scenario_path, text.as_bytes())?;
    println!("Wrote {}", scenario_path.display());
    println!("  varied: {}", derivation.chosen.join("; "));
    for left_out in &derivation.left_out {
        println!("  left out {}: {}", left_out.choice, left_out.reason);
    }
    if write_index {
        println!(
            "Wrote {} (the nominal method ranksense assumed; edit it to match your index)",
            index_path.display()
        );
    } else {
        println!("Kept {} as it is", index_path.display());
    }
    let focus = match &index.info.focus {
        Some(_) => String::new(),
        None => " --focus UNIT".to_string(),
    };
    println!(
        "Next: ranksense robust --data {} --scenario {}{focus}",
        shell_word(dir),
        shell_word(&scenario_path)
    );
    Ok(())
}

/// A path as the user would type it (quoted when it has spaces).
fn shell_word(path: &Path) -> String {
    let text = path.display().to_string();
    if text.contains(char::is_whitespace) {
        format!("'{text}'")
    } else {
        text
    }
}
