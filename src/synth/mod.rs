//! Synthetic composite indicators: a seeded latent-factor generator of meta.csv, data.csv and index.toml for scale benchmarks.
//!
//! Real indices at benchmark scale are rarely redistributable (England's Index of Multiple
//! Deprivation: 32,844 areas × 39 indicators in 7 domains), so [`generate`] builds a data set of
//! any shape whose statistics resemble real ones, byte for byte reproducible from a seed.
//!
//! # Model
//! Indicators load on a one-factor-per-node hierarchy, the usual measurement model of composite
//! indicators (OECD/JRC Handbook on Constructing Composite Indicators, 2008, §4; Saisana et al.
//! 2005). For unit `u` in region `r`, indicator `i` under the aggregates `a₁ … a_K` (the levels
//! between indicators and the index):
//!
//! ```text
//! g_u  = ρ_r + N(0,1)                       general level, ρ_r ~ N(0, 0.35²) a regional effect
//! z_ua ~ N(0,1)                             one latent per intermediate aggregate (domain, ...)
//! x_ui = √γ_i · g_u + Σ_k √(δ_i / K) · z_u,a_k + √(1 − γ_i − δ_i) · ε_ui,   ε_ui ~ N(0,1)
//! ```
//!
//! with γ_i ~ U(0.20, 0.35) and δ_i ~ U(0.25, 0.40) (δ_i = 0 when there is no intermediate
//! level), so two indicators of one domain correlate about γ + δ ≈ 0.6 and indicators of
//! different domains about γ ≈ 0.3. Values are then put on an indicator-specific scale
//! (centre c_i = 10^U(0,3)): about a quarter are log-normal, `c_i · exp(σ_i x)` with
//! σ_i ~ U(0.4, 0.9) (skewed, like counts and rates), the others normal, `c_i + s_i x` with
//! s_i = c_i · U(0.10, 0.25). About a fifth have direction −1 and are generated from `−x`, so
//! that for them a lower value is better. Values keep about five significant digits.
//!
//! Missing cells are independent Bernoulli(`missing_share`) draws, then repaired so that every
//! unit keeps at least one value and every indicator at least two different values (the
//! loader rejects units without data and constant indicators).
//!
//! # Determinism
//! Three ChaCha8 streams of the seed feed the three parts: stream 0 the framework (weights,
//! directions, loadings, scales, regional effects), stream 1 the units' values, stream 2 the
//! missing cells. So the same seed gives the same bytes, and changing only `missing_share`
//! blanks cells without changing any other value (unless the constant-column repair fires,
//! which needs every present value of an indicator to round alike).
//!
//! # Files
//! The spec and the entry point are here; the draws of the model in `draw.rs`, the text of
//! meta.csv, data.csv and index.toml in `files.rs`.

mod draw;
mod files;

use std::path::Path;

use crate::report::output::write_atomic;
use draw::{draw_framework, draw_missing, draw_values, ensure_spread, median_unit};
use files::{data_csv, index_toml, meta_csv};

/// `missing_share` of [`SynthSpec::new`]: 1% of the cells are empty.
pub const DEFAULT_MISSING_SHARE: f64 = 0.01;

/// Names of the group column's values: England's nine regions (the IMD's geography), the first
/// few used when there are few units.
const REGION_NAMES: [&str; 9] = [
    "North East",
    "North West",
    "Yorkshire and The Humber",
    "East Midlands",
    "West Midlands",
    "East of England",
    "London",
    "South East",
    "South West",
];

/// Header of the group column in data.csv (declared with Type `Group` in meta.csv).
pub const REGION_COLUMN: &str = "Region";

/// Standard deviation of the regional effect ρ_r on the general latent level.
const REGION_EFFECT_SD: f64 = 0.35;

/// Stream numbers of the three independent parts of the generator.
const FRAMEWORK_STREAM: u64 = 0;
const VALUES_STREAM: u64 = 1;
const MISSING_STREAM: u64 = 2;

/// What to generate: the shape of the index, the share of missing cells and the seed.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthSpec {
    /// Number of units (areas, countries, universities, ...); at least 2.
    pub units: usize,
    /// Number of indicators; at least 2 and at least `levels − 1`.
    pub indicators: usize,
    /// Levels of the framework tree including the indicators (level 1) and the index (the top):
    /// 2 = indicators → index, 3 = indicators → domains → index, 4 adds sub-indices, ...
    pub levels: usize,
    /// Number of nodes on each intermediate level, bottom-up (levels 2 ..= levels − 1, so
    /// `levels − 2` entries), each at most the count of the level below. `None` spaces the
    /// counts geometrically between the indicators and the single index:
    /// `ceil(indicators^((levels − k)/(levels − 1)))` on level k, e.g. ⌈√39⌉ = 7 domains for 39
    /// indicators on 3 levels.
    pub groups_per_level: Option<Vec<usize>>,
    /// Share of indicator cells left empty, in [0, 1); see the module doc for the repairs.
    pub missing_share: f64,
    pub seed: u64,
}

impl SynthSpec {
    /// `units` × `indicators` on 3 levels (indicators → domains → index) with the default
    /// number of domains and 1% missing cells.
    #[cfg(any(test, feature = "internals"))]
    pub fn new(units: usize, indicators: usize, seed: u64) -> Self {
        SynthSpec {
            units,
            indicators,
            levels: 3,
            groups_per_level: None,
            missing_share: DEFAULT_MISSING_SHARE,
            seed,
        }
    }

    /// The shape of England's Index of Multiple Deprivation 2019: 32,844 areas (LSOAs),
    /// 39 indicators in 7 domains, one index.
    #[cfg(any(test, feature = "internals"))]
    pub fn imd_like(seed: u64) -> Self {
        SynthSpec {
            groups_per_level: Some(vec![7]),
            ..SynthSpec::new(32_844, 39, seed)
        }
    }

    /// Checks the spec and returns the number of nodes on every level, bottom-up: the
    /// indicators first, the single index last (`levels` entries).
    pub fn level_counts(&self) -> Result<Vec<usize>, SynthError> {
        if self.units < 2 {
            return Err(SynthError::TooFewUnits { units: self.units });
        }
        if self.levels < 2 {
            return Err(SynthError::TooFewLevels {
                levels: self.levels,
            });
        }
        let minimum = 2.max(self.levels - 1);
        if self.indicators < minimum {
            return Err(SynthError::TooFewIndicators {
                indicators: self.indicators,
                levels: self.levels,
                minimum,
            });
        }
        if !(0.0..1.0).contains(&self.missing_share) {
            return Err(SynthError::MissingShare {
                share: self.missing_share,
            });
        }
        let intermediate = match &self.groups_per_level {
            Some(counts) => {
                if counts.len() != self.levels - 2 {
                    return Err(SynthError::GroupsLength {
                        given: counts.len(),
                        levels: self.levels,
                    });
                }
                counts.clone()
            }
            None => default_intermediate_counts(self.indicators, self.levels),
        };
        let mut counts = Vec::with_capacity(self.levels);
        counts.push(self.indicators);
        for (offset, &count) in intermediate.iter().enumerate() {
            let below = counts[counts.len() - 1];
            if count == 0 || count > below {
                return Err(SynthError::GroupsNotNested {
                    level: offset + 2,
                    count,
                    below,
                });
            }
            counts.push(count);
        }
        counts.push(1);
        Ok(counts)
    }
}

/// `ceil(m^((L − k)/(L − 1)))` nodes on each intermediate level k = 2 ..= L − 1, never more than
/// the level below: geometric spacing between m indicators and one index.
fn default_intermediate_counts(indicators: usize, levels: usize) -> Vec<usize> {
    let mut below = indicators;
    (2..levels)
        .map(|level| {
            let exponent = (levels - level) as f64 / (levels - 1) as f64;
            // The small margin keeps exact powers (√49 = 7) from rounding up.
            let count = ((indicators as f64).powf(exponent) - 1e-9).ceil() as usize;
            below = count.clamp(1, below);
            below
        })
        .collect()
}

/// A spec that cannot be generated; the message says what to change.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SynthError {
    #[error("{units} unit(s) cannot be ranked: use at least 2 units")]
    TooFewUnits { units: usize },
    #[error(
        "{levels} level(s) cannot hold indicators and an index: use at least 2 levels \
         (2 = indicators → index, 3 = indicators → domains → index)"
    )]
    TooFewLevels { levels: usize },
    #[error(
        "{indicators} indicator(s) are too few for {levels} levels: use at least {minimum} \
         indicators, or fewer levels"
    )]
    TooFewIndicators {
        indicators: usize,
        levels: usize,
        minimum: usize,
    },
    #[error(
        "missing share {share} is outside [0, 1): give the share of empty cells as a fraction, \
         e.g. 0.01 for 1%"
    )]
    MissingShare { share: f64 },
    #[error(
        "{given} group count(s) given for {levels} levels: give one count per level between the \
         indicators and the index, i.e. {} (or none for the default)",
        levels.saturating_sub(2)
    )]
    GroupsLength { given: usize, levels: usize },
    #[error(
        "level {level} cannot have {count} node(s) above {below} node(s): each level needs at \
         least 1 node and at most as many as the level below"
    )]
    GroupsNotNested {
        level: usize,
        count: usize,
        below: usize,
    },
}

/// The three files of a data directory (see DESIGN.md §2), ready to be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthFiles {
    pub meta_csv: String,
    pub data_csv: String,
    pub index_toml: String,
}

impl SynthFiles {
    /// `(file name, contents)` of each file, in the order meta.csv, data.csv, index.toml.
    pub fn files(&self) -> [(&'static str, &str); 3] {
        [
            ("meta.csv", &self.meta_csv),
            ("data.csv", &self.data_csv),
            ("index.toml", &self.index_toml),
        ]
    }

    /// Loads the files as an index (source `synthetic`), as `ranksense synth`'s folder would
    /// load: one place for the benches and tests that build a synthetic index in memory.
    #[cfg(any(test, feature = "internals"))]
    pub fn load(&self) -> Result<crate::model::Index, crate::model::LoadError> {
        crate::model::load_from_strings(
            ("meta.csv", &self.meta_csv),
            ("data.csv", &self.data_csv),
            Some(("index.toml", &self.index_toml)),
            "synthetic",
        )
    }
}

/// Writes meta.csv, data.csv and index.toml into `dir` (created if needed); each file is
/// written to a temporary name and renamed, so a reader never sees a half-written file.
pub fn write_dir(files: &SynthFiles, dir: &Path) -> std::io::Result<()> {
    for (name, contents) in files.files() {
        write_atomic(&dir.join(name), contents.as_bytes())
            .map_err(|error| std::io::Error::new(error.kind(), error.to_string()))?;
    }
    Ok(())
}

/// One node of the generated framework tree.
struct NodeSpec {
    code: String,
    name: String,
    level: usize,
    /// Position of the parent in the node list; `None` for the index.
    parent: Option<usize>,
    weight: u32,
}

/// How one indicator's values are made (see the module doc).
struct IndicatorModel {
    /// √γ: loading on the general level.
    general_loading: f64,
    /// √(δ/K): loading on each of its K intermediate ancestors.
    group_loading: f64,
    /// √(1 − γ − δ).
    noise_sd: f64,
    /// ±1; −1 means lower is better (values generated from −x).
    direction: i8,
    log_normal: bool,
    centre: f64,
    /// σ of the log-normal, or the standard deviation of the normal.
    spread: f64,
    /// Digits after the decimal point in data.csv.
    decimals: u32,
    /// 10^decimals.
    scale: f64,
}

/// Everything drawn from the framework stream.
struct Framework {
    /// Nodes bottom-up: indicators, then each aggregate level, the index last.
    nodes: Vec<NodeSpec>,
    level_counts: Vec<usize>,
    models: Vec<IndicatorModel>,
    /// Per indicator, the positions (among intermediate aggregates) of its ancestors below
    /// the index, bottom-up; `levels − 2` entries each.
    ancestors: Vec<Vec<usize>>,
    region_effects: Vec<f64>,
}

/// Generates the data set described by `spec`; see the module doc for the model.
///
/// Errors only for an invalid spec ([`SynthSpec::level_counts`]).
pub fn generate(spec: &SynthSpec) -> Result<SynthFiles, SynthError> {
    let level_counts = spec.level_counts()?;
    let framework = draw_framework(spec, level_counts);
    let (mut cells, regions) = draw_values(spec, &framework);
    let mut missing = draw_missing(spec);
    ensure_spread(spec, &mut cells, &mut missing);
    let focus = median_unit(spec, &framework, &cells, &missing);
    Ok(SynthFiles {
        meta_csv: meta_csv(&framework),
        data_csv: data_csv(spec, &framework, &cells, &missing, &regions),
        index_toml: index_toml(spec, &framework, &missing, focus),
    })
}

/// Digits needed to write `0..=n` (at least 1).
fn digits(n: usize) -> usize {
    n.max(1).ilog10() as usize + 1
}

/// Code prefix, name stem and level name of aggregate level `level` of `levels`.
fn level_naming(level: usize, levels: usize) -> (String, String, String) {
    if level == 2 && levels > 2 {
        ("D".into(), "Domain".into(), "Domain".into())
    } else if level == levels - 1 {
        ("S".into(), "Sub-index".into(), "Sub-index".into())
    } else {
        (
            format!("G{level}_"),
            format!("Level {level} group"),
            format!("Level {level}"),
        )
    }
}

/// Lower-case plural of a level name, for the description.
fn plural(level_name: &str) -> String {
    match level_name {
        "Sub-index" => "sub-indices".to_string(),
        "Indicator" | "Domain" => format!("{}s", level_name.to_lowercase()),
        other => format!("{} groups", other.to_lowercase()),
    }
}

fn level_names(levels: usize) -> Vec<String> {
    let mut names = vec!["Indicator".to_string()];
    names.extend((2..levels).map(|level| level_naming(level, levels).2));
    names.push("Index".to_string());
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_counts_space_levels_geometrically() {
        assert_eq!(default_intermediate_counts(39, 3), vec![7]);
        assert_eq!(default_intermediate_counts(49, 3), vec![7]);
        assert_eq!(default_intermediate_counts(49, 4), vec![14, 4]);
        assert_eq!(default_intermediate_counts(20, 2), Vec::<usize>::new());
        // Never more nodes than on the level below.
        assert_eq!(default_intermediate_counts(3, 4), vec![3, 2]);
    }
}
