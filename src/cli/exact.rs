//! `ranksense bounds`, `stability`, `sweep` and `drop`: exact rank bounds, weight stability intervals, weight sweeps and dropped elements.

use std::path::{Path, PathBuf};

use clap::Args;

use super::progress::Progress;
use super::scenario::load as load_scenario;
use super::{DataArgs, Failure, Format, present};
use crate::analysis::weights::drop::{DropRequest, drop_elements};
use crate::analysis::weights::exact::{
    BoundsRequest, ExactError, MethodOverride, RangeSource, Remedy, StabilityRequest, WeightSet,
    bounds_for_observed, stability_for,
};
use crate::analysis::weights::sweep::{SimplexRequest, SweepRequest, simplex_map, sweep_weight};
use crate::model::Index;
use crate::report::render::{BoundsView, DropView, SimplexView, StabilityView, SweepView};

/// The library's fix names the setting to change in the data's terms; here it gains the flag
/// (or command) that changes it.
impl From<ExactError> for Failure {
    fn from(error: ExactError) -> Self {
        if error.is_internal() {
            return Failure::Internal(error.into());
        }
        let Some(remedy) = error.remedy() else {
            return Failure::Input(error.into());
        };
        let flags = match remedy {
            Remedy::Focus => "`--focus UNIT`",
            Remedy::Level => "`--level N`",
            Remedy::SweepRange => "`--from` and `--to`",
            Remedy::OneWeight => "`ranksense sweep --weight CODE`",
            Remedy::Spread => "`--spread`",
            Remedy::AggregationOrLevel => "`--aggregation arithmetic|geometric`, or `--level N`",
            Remedy::Aggregation => "`--aggregation arithmetic|geometric`",
            Remedy::AggregationOrSampling => {
                "`--aggregation arithmetic|geometric`, or `ranksense uncertainty`"
            }
            Remedy::ValidateScenario => "`ranksense validate --scenario FILE`",
        };
        Failure::Input(anyhow::anyhow!("{error} ({flags})"))
    }
}

/// Flags shared by the four commands.
#[derive(Debug, Clone, Args)]
pub struct CommonArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// Unit the answer is about (uCode or name; default: the index's focus unit).
    #[arg(long)]
    pub focus: Option<String>,
    /// What-if: use this normalisation instead of the nominal one, e.g. `minmax(1,100)`.
    #[arg(long, value_name = "METHOD")]
    pub normalisation: Option<String>,
    /// What-if: use this aggregation at every level, e.g. `geometric`.
    #[arg(long, value_name = "METHOD")]
    pub aggregation: Option<String>,
    /// Write the command's files (CSV, SVG, summary.json) into this folder.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Format of what is printed on standard output.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

impl CommonArgs {
    fn load(&self) -> Result<(Index, MethodOverride), Failure> {
        let index = self.data.load()?;
        let method = MethodOverride {
            normalisation: self.normalisation.as_deref().map(str::parse).transpose()?,
            aggregation: self.aggregation.as_deref().map(str::parse).transpose()?,
        };
        Ok((index, method))
    }
}

fn read_text(path: &Path, what: &str) -> Result<String, Failure> {
    std::fs::read_to_string(path).map_err(|e| {
        Failure::input(anyhow::anyhow!(
            "cannot read {what} {}: {e}; fix: check the path",
            path.display()
        ))
    })
}

#[derive(Debug, Args)]
pub struct BoundsArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Level whose weights vary (1 = indicators; default: the level just below the index, e.g.
    /// the dimensions). Several levels (`--level 2,3`) vary together.
    #[arg(
        long,
        alias = "levels",
        value_delimiter = ',',
        value_name = "N[,M..]",
        conflicts_with = "indicators"
    )]
    pub level: Vec<usize>,
    /// Vary the effective indicator weights (each indicator's share of the index) instead.
    #[arg(long)]
    pub indicators: bool,
    /// Every varying weight within nominal × (1 ± SPREAD), renormalised within its parent
    /// [default: 0.25].
    #[arg(long, value_name = "SPREAD", conflicts_with_all = ["scenario", "region"])]
    pub spread: Option<f64>,
    /// Take the weight ranges of a scenario's [[weights]] entries (file or shipped name);
    /// the levels are the ones the scenario varies, its other factors stay nominal.
    #[arg(long, value_name = "FILE|NAME", conflicts_with_all = ["region", "level", "indicators"])]
    pub scenario: Option<String>,
    /// Weight box from a CSV with header `code,lo,hi` (raw weights as in meta.csv's Weight
    /// column, renormalised within the parent; unlisted weights stay nominal).
    #[arg(long, value_name = "FILE")]
    pub region: Option<PathBuf>,
    /// Bounds for every unit, not only the focus unit.
    #[arg(long)]
    pub all: bool,
}

pub fn bounds(args: BoundsArgs) -> Result<(), Failure> {
    let common = &args.common;
    let (index, method) = common.load()?;
    let weights = if args.indicators {
        Some(WeightSet::Effective)
    } else if !args.level.is_empty() {
        Some(WeightSet::Levels(args.level.clone()))
    } else {
        None
    };
    let range = if let Some(name) = &args.scenario {
        let loaded = load_scenario(Some(name), &index)?;
        loaded.scenario.validate(&index)?;
        RangeSource::Scenario {
            scenario: Box::new(loaded.scenario),
            label: name.clone(),
        }
    } else if let Some(path) = &args.region {
        RangeSource::File {
            text: read_text(path, "region file")?,
            file: path.display().to_string(),
        }
    } else {
        RangeSource::Spread(args.spread.unwrap_or(0.25))
    };
    let request = BoundsRequest {
        method,
        weights,
        range,
        focus: common.focus.clone(),
        all_units: args.all,
    };
    // Counted in units by the library once it knows how many; a single focus reports nothing.
    let progress = Progress::new(0);
    let result = bounds_for_observed(&index, &request, &progress);
    progress.finish();
    let result = result?;
    let witness_file = common
        .out
        .as_ref()
        .map(|dir| dir.join("bounds.csv").display().to_string());
    let view = BoundsView {
        index: &index,
        result: &result,
        all_units: args.all,
        witness_file,
    };
    present(&view, common.format, common.out.as_deref())
}

#[derive(Debug, Args)]
pub struct StabilityArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Levels whose weights are analysed, each separately (1 = indicators; default: every
    /// level between the indicators and the index).
    #[arg(
        long,
        alias = "levels",
        value_delimiter = ',',
        value_name = "N[,M..]",
        conflicts_with = "indicators"
    )]
    pub level: Vec<usize>,
    /// Analyse the effective indicator weights instead.
    #[arg(long)]
    pub indicators: bool,
    /// k of "the top-k order is unchanged" [default: 10].
    #[arg(long, value_name = "K")]
    pub top_k: Option<usize>,
}

pub fn stability(args: StabilityArgs) -> Result<(), Failure> {
    let common = &args.common;
    let (index, method) = common.load()?;
    let weights = if args.indicators {
        Some(WeightSet::Effective)
    } else if !args.level.is_empty() {
        Some(WeightSet::Levels(args.level.clone()))
    } else {
        None
    };
    let request = StabilityRequest {
        method,
        weights,
        focus: common.focus.clone(),
        top_k: args.top_k,
    };
    let result = stability_for(&index, &request)?;
    let view = StabilityView {
        index: &index,
        result: &result,
    };
    present(&view, common.format, common.out.as_deref())
}

#[derive(Debug, Args)]
pub struct SweepArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// The node whose normalised weight within its parent is swept (siblings rescale
    /// proportionally; default: the index's first child).
    #[arg(long, value_name = "CODE", conflicts_with = "simplex")]
    pub weight: Option<String>,
    /// First normalised weight of the sweep.
    #[arg(long, default_value_t = 0.0, value_name = "A")]
    pub from: f64,
    /// Last normalised weight of the sweep.
    #[arg(long, default_value_t = 1.0, value_name = "B")]
    pub to: f64,
    /// Number of points, both ends included.
    #[arg(long, default_value_t = 51, value_name = "S")]
    pub steps: usize,
    /// Map the focus unit's rank over every weighting of this node's three children
    /// (a ternary heat map) instead of sweeping one weight.
    #[arg(long, value_name = "PARENT")]
    pub simplex: Option<String>,
    /// Grid resolution of --simplex: weights in steps of 1/R.
    #[arg(long, default_value_t = 60, value_name = "R", requires = "simplex")]
    pub resolution: usize,
}

pub fn sweep(args: SweepArgs) -> Result<(), Failure> {
    let common = &args.common;
    let (index, method) = common.load()?;
    if let Some(parent) = &args.simplex {
        let request = SimplexRequest {
            method,
            parent: Some(parent.clone()),
            resolution: args.resolution,
            focus: common.focus.clone(),
        };
        let result = simplex_map(&index, &request)?;
        let view = SimplexView {
            index: &index,
            result: &result,
        };
        return present(&view, common.format, common.out.as_deref());
    }
    let request = SweepRequest {
        method,
        weight: args.weight.clone(),
        from: args.from,
        to: args.to,
        steps: args.steps,
        focus: common.focus.clone(),
    };
    let result = sweep_weight(&index, &request)?;
    let view = SweepView {
        index: &index,
        result: &result,
    };
    present(&view, common.format, common.out.as_deref())
}

#[derive(Debug, Args)]
pub struct DropArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Levels whose elements are dropped one at a time (1 = indicators; default: the level just
    /// below the index). `--level 2,3` drops every element of both.
    #[arg(long, alias = "levels", value_delimiter = ',', value_name = "N[,M..]")]
    pub level: Vec<usize>,
}

pub fn drop(args: DropArgs) -> Result<(), Failure> {
    let common = &args.common;
    let (index, method) = common.load()?;
    let request = DropRequest {
        method,
        levels: (!args.level.is_empty()).then(|| args.level.clone()),
        focus: common.focus.clone(),
    };
    let result = drop_elements(&index, &request)?;
    let view = DropView {
        index: &index,
        result: &result,
    };
    present(&view, common.format, common.out.as_deref())
}
