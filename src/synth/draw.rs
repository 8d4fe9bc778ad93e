//! The draws of the synthetic model (module documentation of `synth`): the framework, the units' values, the missing cells and their repair, each from its own ChaCha8 stream of the seed.

use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use rand_distr::StandardNormal;

use super::{
    FRAMEWORK_STREAM, Framework, IndicatorModel, MISSING_STREAM, NodeSpec, REGION_EFFECT_SD,
    REGION_NAMES, SynthSpec, VALUES_STREAM, digits, level_naming,
};

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

pub(super) fn draw_framework(spec: &SynthSpec, level_counts: Vec<usize>) -> Framework {
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
pub(super) fn draw_values(spec: &SynthSpec, framework: &Framework) -> (Vec<i64>, Vec<u8>) {
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
pub(super) fn draw_missing(spec: &SynthSpec) -> Vec<bool> {
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
pub(super) fn ensure_spread(spec: &SynthSpec, cells: &mut [i64], missing: &mut [bool]) {
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
pub(super) fn median_unit(spec: &SynthSpec, framework: &Framework, cells: &[i64], missing: &[bool]) -> usize {
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
