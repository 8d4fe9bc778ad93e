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

use std::fmt::Write as _;
use std::path::Path;

use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use rand_distr::StandardNormal;

use crate::report::output::write_atomic;

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

fn stream(seed: u64, stream: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    rng
}

/// Exactly `count` of `0..n`, chosen uniformly (partial Fisher–Yates), as a membership mask.
fn choose(rng: &mut ChaCha8Rng, n: usize, count: usize) -> Vec<bool> {
    let mut order: Vec<usize> = (0..n).collect();
    for i in 0..count.min(n) {
        // u64 ranges keep the draws identical on 32- and 64-bit platforms.
        let j = rng.random_range(i as u64..n as u64) as usize;
        order.swap(i, j);
    }
    let mut chosen = vec![false; n];
    for &i in &order[..count.min(n)] {
        chosen[i] = true;
    }
    chosen
}

/// 1 most of the time, 2 for about a quarter of the nodes: mildly unequal nominal weights.
fn draw_weight(rng: &mut ChaCha8Rng) -> u32 {
    if rng.random::<f64>() < 0.25 { 2 } else { 1 }
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

fn draw_framework(spec: &SynthSpec, level_counts: Vec<usize>) -> Framework {
    let mut rng = stream(spec.seed, FRAMEWORK_STREAM);
    let levels = level_counts.len();
    let n = spec.indicators;

    // Nodes bottom-up; a level's first node index is the sum of the counts below it.
    let mut nodes = Vec::with_capacity(level_counts.iter().sum());
    let mut level_start = vec![0usize; levels];
    for level in 1..=levels {
        level_start[level - 1] = nodes.len();
        let count = level_counts[level - 1];
        let width = digits(count).max(2);
        for j in 0..count {
            let (code, name) = if level == 1 {
                (
                    format!("I{:0width$}", j + 1),
                    format!("Indicator {:0width$}", j + 1),
                )
            } else if level == levels {
                ("Index".to_string(), "Synthetic index".to_string())
            } else {
                let (prefix, stem, _) = level_naming(level, levels);
                (
                    format!("{prefix}{:0width$}", j + 1),
                    format!("{stem} {}", j + 1),
                )
            };
            let weight = if level == levels {
                1
            } else {
                draw_weight(&mut rng)
            };
            nodes.push(NodeSpec {
                code,
                name,
                level,
                parent: None,
                weight,
            });
        }
    }
    // Balanced contiguous blocks: parent p of a level with m nodes takes children
    // ⌊p·c/m⌋ .. ⌊(p+1)·c/m⌋ of the c nodes below (at least one each since m ≤ c).
    for level in 1..levels {
        let (below, above) = (level_counts[level - 1], level_counts[level]);
        for p in 0..above {
            for child in p * below / above..(p + 1) * below / above {
                nodes[level_start[level - 1] + child].parent = Some(level_start[level] + p);
            }
        }
    }

    let skewed = choose(&mut rng, n, (n as f64 / 4.0).round() as usize);
    let reversed = choose(&mut rng, n, (n as f64 / 5.0).round() as usize);
    let intermediate_levels = levels - 2;
    let mut models = Vec::with_capacity(n);
    for i in 0..n {
        let general_share = 0.20 + 0.15 * rng.random::<f64>();
        let group_share = if intermediate_levels > 0 {
            0.25 + 0.15 * rng.random::<f64>()
        } else {
            0.0
        };
        let centre = 10f64.powf(3.0 * rng.random::<f64>());
        let spread_draw = rng.random::<f64>();
        let spread = if skewed[i] {
            0.4 + 0.5 * spread_draw
        } else {
            centre * (0.10 + 0.15 * spread_draw)
        };
        // About five significant digits around the centre.
        let decimals = (4 - centre.log10().floor() as i32).clamp(0, 6) as u32;
        models.push(IndicatorModel {
            general_loading: general_share.sqrt(),
            group_loading: if intermediate_levels > 0 {
                (group_share / intermediate_levels as f64).sqrt()
            } else {
                0.0
            },
            noise_sd: (1.0 - general_share - group_share).sqrt(),
            direction: if reversed[i] { -1 } else { 1 },
            log_normal: skewed[i],
            centre,
            spread,
            decimals,
            scale: 10f64.powi(decimals as i32),
        });
    }

    // Ancestors below the index, as positions among the intermediate aggregates.
    let first_aggregate = level_counts[0];
    let ancestors = (0..n)
        .map(|i| {
            let mut chain = Vec::with_capacity(intermediate_levels);
            let mut node = nodes[i].parent;
            while let Some(a) = node.filter(|&a| nodes[a].level < levels) {
                chain.push(a - first_aggregate);
                node = nodes[a].parent;
            }
            chain
        })
        .collect();

    let n_regions = (spec.units / 2).clamp(1, REGION_NAMES.len());
    let region_effects = (0..n_regions)
        .map(|_| REGION_EFFECT_SD * rng.sample::<f64, _>(StandardNormal))
        .collect();

    Framework {
        nodes,
        level_counts,
        models,
        ancestors,
        region_effects,
    }
}

/// Draws every unit's region and values, each value as an integer `round(value · 10^decimals)`
/// (units × indicators, row-major), so that what is written is exactly what is analysed.
fn draw_values(spec: &SynthSpec, framework: &Framework) -> (Vec<i64>, Vec<u8>) {
    let mut rng = stream(spec.seed, VALUES_STREAM);
    let n = spec.indicators;
    let n_intermediate: usize = framework.level_counts[1..framework.level_counts.len() - 1]
        .iter()
        .sum();
    let n_regions = framework.region_effects.len() as u64;
    let mut cells = Vec::with_capacity(spec.units * n);
    let mut regions = Vec::with_capacity(spec.units);
    let mut group_latents = vec![0.0; n_intermediate];
    for _ in 0..spec.units {
        let region = rng.random_range(0..n_regions) as usize;
        regions.push(region as u8);
        let general = framework.region_effects[region] + rng.sample::<f64, _>(StandardNormal);
        for z in group_latents.iter_mut() {
            *z = rng.sample(StandardNormal);
        }
        for (model, ancestors) in framework.models.iter().zip(&framework.ancestors) {
            let groups: f64 = ancestors.iter().map(|&a| group_latents[a]).sum();
            let noise: f64 = rng.sample(StandardNormal);
            let latent = model.general_loading * general
                + model.group_loading * groups
                + model.noise_sd * noise;
            let oriented = f64::from(model.direction) * latent;
            let value = if model.log_normal {
                model.centre * (model.spread * oriented).exp()
            } else {
                model.centre + model.spread * oriented
            };
            cells.push((value * model.scale).round() as i64);
        }
    }
    (cells, regions)
}

/// Marks each cell missing with probability `missing_share` (units × indicators, row-major),
/// then gives back one random cell to every unit left without any value.
fn draw_missing(spec: &SynthSpec) -> Vec<bool> {
    let n = spec.indicators;
    let mut missing = vec![false; spec.units * n];
    if spec.missing_share == 0.0 {
        return missing;
    }
    let mut rng = stream(spec.seed, MISSING_STREAM);
    for row in missing.chunks_exact_mut(n) {
        for cell in row.iter_mut() {
            *cell = rng.random::<f64>() < spec.missing_share;
        }
        if row.iter().all(|&m| m) {
            row[rng.random_range(0..n as u64) as usize] = false;
        }
    }
    missing
}

/// Gives every indicator at least two present, different values: missing cells of the first
/// units are filled back while fewer than two are present, and a constant column (possible
/// only by rounding) has its last present value raised by one unit of its last digit.
fn ensure_spread(spec: &SynthSpec, cells: &mut [i64], missing: &mut [bool]) {
    let n = spec.indicators;
    for j in 0..n {
        let mut present = (0..spec.units).filter(|&u| !missing[u * n + j]).count();
        for u in 0..spec.units {
            if present >= 2 {
                break;
            }
            if missing[u * n + j] {
                missing[u * n + j] = false;
                present += 1;
            }
        }
        let mut values = (0..spec.units)
            .filter(|&u| !missing[u * n + j])
            .map(|u| cells[u * n + j]);
        let first = values.next();
        if values.all(|x| Some(x) == first) {
            let last = (0..spec.units)
                .rev()
                .find(|&u| !missing[u * n + j])
                .expect("two present values");
            cells[last * n + j] += 1;
        }
    }
}

/// The unit at the (lower) median of the nominal index score under index.toml's method: mean
/// imputation, min-max normalisation to [0, 100] after applying directions, weighted
/// arithmetic means renormalised within each parent (COINr's `i_mean`, `n_minmax`, `a_amean`).
/// A mid-table unit is the most informative default focus: its rank is the most contested.
fn median_unit(spec: &SynthSpec, framework: &Framework, cells: &[i64], missing: &[bool]) -> usize {
    let n = spec.indicators;
    // Per indicator, over present values: mean of the values, and min and max of the
    // direction-oriented values (the imputed mean lies within them, so they hold after
    // imputation too).
    let mut mean = vec![0.0; n];
    let mut count = vec![0usize; n];
    let mut low = vec![f64::INFINITY; n];
    let mut high = vec![f64::NEG_INFINITY; n];
    for (u, row) in cells.chunks_exact(n).enumerate() {
        for j in 0..n {
            if missing[u * n + j] {
                continue;
            }
            let model = &framework.models[j];
            let value = row[j] as f64 / model.scale;
            mean[j] += value;
            count[j] += 1;
            let oriented = f64::from(model.direction) * value;
            low[j] = low[j].min(oriented);
            high[j] = high[j].max(oriented);
        }
    }
    for j in 0..n {
        mean[j] /= count[j] as f64;
    }

    let nodes = &framework.nodes;
    let top = nodes.len() - 1;
    let mut weighted_sum = vec![0.0; nodes.len()];
    let mut weight_sum = vec![0.0; nodes.len()];
    let mut scores = Vec::with_capacity(spec.units);
    for (u, row) in cells.chunks_exact(n).enumerate() {
        weighted_sum.fill(0.0);
        weight_sum.fill(0.0);
        // Nodes are stored bottom-up, so every child is scored before its parent.
        for (k, node) in nodes.iter().enumerate() {
            let score = if k < n {
                let model = &framework.models[k];
                let value = if missing[u * n + k] {
                    mean[k]
                } else {
                    row[k] as f64 / model.scale
                };
                let oriented = f64::from(model.direction) * value;
                (oriented - low[k]) / (high[k] - low[k]) * 100.0
            } else {
                weighted_sum[k] / weight_sum[k]
            };
            match node.parent {
                Some(parent) => {
                    let weight = f64::from(node.weight);
                    weighted_sum[parent] += weight * score;
                    weight_sum[parent] += weight;
                }
                None => scores.push(score),
            }
            debug_assert!(node.parent.is_some() || k == top);
        }
    }
    let mut order: Vec<usize> = (0..spec.units).collect();
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]).then(a.cmp(&b)));
    order[(spec.units - 1) / 2]
}

/// Appends `mantissa / 10^decimals` in plain decimal notation, without trailing zeros
/// (`12.3`, `0.0123`, `-4`): exact for the stored integers, and allocation-free.
fn push_decimal(out: &mut String, mantissa: i64, decimals: u32) {
    let mut magnitude = mantissa.unsigned_abs();
    let mut decimals = decimals;
    while decimals > 0 && magnitude.is_multiple_of(10) {
        magnitude /= 10;
        decimals -= 1;
    }
    let mut buffer = [0u8; 24];
    let mut position = buffer.len();
    let mut written = 0;
    loop {
        if written == decimals && decimals > 0 {
            position -= 1;
            buffer[position] = b'.';
        }
        position -= 1;
        buffer[position] = b'0' + (magnitude % 10) as u8;
        magnitude /= 10;
        written += 1;
        if magnitude == 0 && written > decimals {
            break;
        }
    }
    if mantissa < 0 {
        out.push('-');
    }
    out.push_str(std::str::from_utf8(&buffer[position..]).expect("ASCII digits"));
}

fn meta_csv(framework: &Framework) -> String {
    let mut out = String::from("Level,iCode,iName,Direction,Weight,Parent,Type\n");
    for (k, node) in framework.nodes.iter().enumerate() {
        let parent = node.parent.map_or("", |p| framework.nodes[p].code.as_str());
        match framework.models.get(k) {
            Some(model) => {
                let mut name = node.name.clone();
                match (model.log_normal, model.direction < 0) {
                    (true, true) => name.push_str(" (log-normal; lower is better)"),
                    (true, false) => name.push_str(" (log-normal)"),
                    (false, true) => name.push_str(" (lower is better)"),
                    (false, false) => {}
                }
                let _ = writeln!(
                    out,
                    "1,{},{name},{},{},{parent},Indicator",
                    node.code, model.direction, node.weight
                );
            }
            None => {
                let _ = writeln!(
                    out,
                    "{},{},{},1,{},{parent},Aggregate",
                    node.level, node.code, node.name, node.weight
                );
            }
        }
    }
    let _ = writeln!(out, ",{REGION_COLUMN},{REGION_COLUMN},,,,Group");
    out
}

/// Width of the number in unit codes: `U00001` up to 99,999 units, wider beyond.
fn unit_code_width(units: usize) -> usize {
    digits(units).max(5)
}

fn data_csv(
    spec: &SynthSpec,
    framework: &Framework,
    cells: &[i64],
    missing: &[bool],
    regions: &[u8],
) -> String {
    let n = spec.indicators;
    let width = unit_code_width(spec.units);
    // Code, name and region take under 60 bytes; a value under 12 with its comma.
    let mut out = String::with_capacity(spec.units * (60 + 12 * n));
    out.push_str("uCode,uName,");
    out.push_str(REGION_COLUMN);
    for node in &framework.nodes[..n] {
        out.push(',');
        out.push_str(&node.code);
    }
    out.push('\n');
    for (u, row) in cells.chunks_exact(n).enumerate() {
        let number = u + 1;
        let _ = write!(
            out,
            "U{number:0width$},Area {number:0width$},{}",
            REGION_NAMES[regions[u] as usize]
        );
        for (j, (&value, model)) in row.iter().zip(&framework.models).enumerate() {
            out.push(',');
            if !missing[u * n + j] {
                push_decimal(&mut out, value, model.decimals);
            }
        }
        out.push('\n');
    }
    out
}

/// Quotes `text` as a TOML basic string.
fn toml_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The command that regenerates these files byte for byte (flags of `ranksense synth`).
fn command_line(spec: &SynthSpec, level_counts: &[usize]) -> String {
    let mut command = format!(
        "ranksense synth --units {} --indicators {} --levels {}",
        spec.units, spec.indicators, spec.levels
    );
    let intermediate = &level_counts[1..level_counts.len() - 1];
    if !intermediate.is_empty() {
        let groups: Vec<String> = intermediate.iter().map(usize::to_string).collect();
        let _ = write!(command, " --groups {}", groups.join(","));
    }
    let _ = write!(
        command,
        " --missing-share {} --seed {}",
        spec.missing_share, spec.seed
    );
    command
}

fn index_toml(spec: &SynthSpec, framework: &Framework, missing: &[bool], focus: usize) -> String {
    let counts = &framework.level_counts;
    let levels = counts.len();
    let names = level_names(levels);
    let structure: Vec<String> = (1..levels)
        .map(|level| format!("{} {}", counts[level - 1], plural(&names[level - 1])))
        .collect();
    let skewed = framework.models.iter().filter(|m| m.log_normal).count();
    let reversed = framework.models.iter().filter(|m| m.direction < 0).count();
    let blank = missing.iter().filter(|&&m| m).count();
    let description = format!(
        "Synthetic composite indicator: {} units in {} regions, {} in one index. Latent-factor \
         model: every unit has a general level (with a regional effect) and one latent per \
         aggregate below the index; each indicator loads on those of its ancestors plus noise. \
         {skewed} indicators are log-normal (skewed), {reversed} have direction -1 (lower is \
         better); {blank} of {} cells ({:.2}%) are empty.",
        spec.units,
        framework.region_effects.len(),
        structure.join(" in "),
        missing.len(),
        100.0 * blank as f64 / missing.len() as f64,
    );
    let provenance = format!("synthetic data generated by {}", command_line(spec, counts));
    let level_names: Vec<String> = names.iter().map(|n| toml_string(n)).collect();
    let width = unit_code_width(spec.units);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Synthetic data: no real unit is described. The provenance line regenerates these files byte for byte."
    );
    let _ = writeln!(
        out,
        "name = {}",
        toml_string(&format!(
            "Synthetic index ({} units × {} indicators)",
            spec.units, spec.indicators
        ))
    );
    let _ = writeln!(out, "description = {}", toml_string(&description));
    let _ = writeln!(out, "provenance = {}", toml_string(&provenance));
    let _ = writeln!(out, "reconstruction = false");
    let _ = writeln!(out, "focus = \"U{:0width$}\"", focus + 1);
    let _ = writeln!(out, "level_names = [{}]", level_names.join(", "));
    let _ = writeln!(out);
    let _ = writeln!(out, "[method]");
    let _ = writeln!(out, "imputation = \"mean\"");
    let _ = writeln!(out, "normalisation = \"minmax(0,100)\"");
    let _ = writeln!(out, "aggregation = \"arithmetic\"");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_written_exactly_without_trailing_zeros() {
        let cases = [
            (123, 4, "0.0123"),
            (0, 3, "0"),
            (-5, 1, "-0.5"),
            (1_234_500, 4, "123.45"),
            (7, 0, "7"),
            (-120, 0, "-120"),
            (100, 2, "1"),
            (i64::MAX, 6, "9223372036854.775807"),
        ];
        for (mantissa, decimals, expected) in cases {
            let mut out = String::new();
            push_decimal(&mut out, mantissa, decimals);
            assert_eq!(out, expected, "{mantissa} / 10^{decimals}");
        }
    }

    #[test]
    fn default_counts_space_levels_geometrically() {
        assert_eq!(default_intermediate_counts(39, 3), vec![7]);
        assert_eq!(default_intermediate_counts(49, 3), vec![7]);
        assert_eq!(default_intermediate_counts(49, 4), vec![14, 4]);
        assert_eq!(default_intermediate_counts(20, 2), Vec::<usize>::new());
        // Never more nodes than on the level below.
        assert_eq!(default_intermediate_counts(3, 4), vec![3, 2]);
    }

    #[test]
    fn toml_strings_escape_quotes_and_backslashes() {
        assert_eq!(toml_string(r#"a "b" \c"#), r#""a \"b\" \\c""#);
    }
}
