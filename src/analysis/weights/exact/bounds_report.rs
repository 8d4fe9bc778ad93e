//! The bounds request and report: exact best and worst ranks of the focus (or every unit) over
//! the weight ranges, with the witness weights and the statement of when they are exact.

use super::*;

/// One weight of a bounds analysis, as reports show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeightEntry {
    pub code: String,
    pub name: String,
    pub level: usize,
    /// The parent within which the weight is normalised (the top node for effective weights).
    pub parent: String,
    /// Nominal normalised weight (share of the parent).
    pub nominal: f64,
    pub raw_nominal: f64,
    pub raw_lower: f64,
    pub raw_upper: f64,
    /// Range of the normalised weight over the box.
    pub share_lower: f64,
    pub share_upper: f64,
}

/// Exact best and worst rank of one unit, with witness weights.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitBounds {
    pub code: String,
    pub name: String,
    /// Rank under the nominal weights (ordinary scorer).
    pub nominal_rank: usize,
    pub best_rank: usize,
    pub worst_rank: usize,
    /// True when both ranks are proven optima (see [`RankBounds::exact`]); otherwise they are
    /// ranks achieved by the witnesses, and the exact interval contains `[best, worst]`.
    pub exact: bool,
    /// True when the ordinary scorer, given the witness weights, ranks the unit exactly
    /// `best_rank` and `worst_rank`.
    pub verified: bool,
    pub scorer_best_rank: usize,
    pub scorer_worst_rank: usize,
    /// True when a MILP ran out of its time budget before proving its optimum: the exact best
    /// rank then lies in `[best_rank_limit, best_rank]` and the exact worst rank in
    /// `[worst_rank, worst_rank_limit]` (the solver's proven bounds; see
    /// [`RankBounds::best_rank_limit`]). Left out of JSON, with the limits, when false.
    #[serde(skip_serializing_if = "is_false")]
    pub budget_reached: bool,
    #[serde(skip_serializing_if = "is_unproven_limit")]
    pub best_rank_limit: Option<usize>,
    #[serde(skip_serializing_if = "is_unproven_limit")]
    pub worst_rank_limit: Option<usize>,
    /// Witness weights, normalised within their parents, one per [`BoundsReport::weights`] entry.
    pub best_weights: Vec<f64>,
    pub worst_weights: Vec<f64>,
}

/// Exact rank bounds of a bounds request: summary.json-ready.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BoundsReport {
    /// `sub-dimension weights`, `pillar and sub-index weights together`, ...
    pub weight_set_label: String,
    pub weight_set: WeightSet,
    /// How the range was given: `within ±25% of nominal`, `scenario X`, `region file r.csv`.
    pub range_label: String,
    pub weights: Vec<WeightEntry>,
    pub method: MethodDescription,
    pub scale: ScoreScale,
    /// Plain statement of what is exact.
    pub exactness: String,
    pub notes: Vec<String>,
    /// Focus unit code, if any.
    pub focus: Option<String>,
    /// Every unit (with `all`) or just the focus unit.
    pub units: Vec<UnitBounds>,
}

fn is_false(value: &bool) -> bool {
    !value
}

fn is_unproven_limit(limit: &Option<usize>) -> bool {
    limit.is_none()
}

impl BoundsReport {
    /// The bounds of unit `code`.
    pub fn unit(&self, code: &str) -> Option<&UnitBounds> {
        self.units.iter().find(|u| u.code == code)
    }
}

/// A request for exact rank bounds.
#[derive(Debug, Clone, PartialEq)]
pub struct BoundsRequest {
    pub method: MethodOverride,
    /// `None`: the levels a scenario or region file varies, else the top node's children.
    pub weights: Option<WeightSet>,
    pub range: RangeSource,
    /// Unit code or name; `None` = the index's focus.
    pub focus: Option<String>,
    /// Every unit instead of only the focus.
    pub all_units: bool,
}

impl BoundsRequest {
    /// The focus unit's bounds for the given levels' weights within `±spread`.
    #[cfg(any(test, feature = "internals"))]
    pub fn spread(levels: Vec<usize>, spread: f64, focus: Option<String>) -> Self {
        BoundsRequest {
            method: MethodOverride::default(),
            weights: Some(WeightSet::Levels(levels)),
            range: RangeSource::Spread(spread),
            focus,
            all_units: false,
        }
    }
}

/// Exact best and worst ranks (Salo & Punkka 2011) of the focus unit, or every unit, over a
/// weight range, with witnesses verified by the ordinary scorer (module documentation).
#[cfg(any(test, feature = "internals"))]
pub fn bounds_for(index: &Index, request: &BoundsRequest) -> Result<BoundsReport, ExactError> {
    bounds_for_observed(index, request, &Silent)
}

/// [`bounds_for`], reporting progress of the bounds of every unit (see
/// [`rank_bounds_all_observed`]); a single focus is one quick pair of MILPs and reports nothing.
pub fn bounds_for_observed(
    index: &Index,
    request: &BoundsRequest,
    observer: &dyn Observer,
) -> Result<BoundsReport, ExactError> {
    bounds_for_budgeted(index, request, None, observer)
}

/// [`bounds_for_observed`] with at most `budget` seconds per MILP (see [`rank_bounds_within`]):
/// a unit whose program runs out reports the ranks found and the solver's proven limits
/// ([`UnitBounds::budget_reached`]), and the exactness statement says so.
pub fn bounds_for_budgeted(
    index: &Index,
    request: &BoundsRequest,
    budget: Option<f64>,
    observer: &dyn Observer,
) -> Result<BoundsReport, ExactError> {
    let nominal = NominalScores::new(index, &request.method)?;
    let framework = nominal.framework();
    let mut notes = Vec::new();
    let (set, spec, range_label) = match &request.range {
        RangeSource::Spread(spread) => (
            request
                .weights
                .clone()
                .unwrap_or_else(|| WeightSet::default_for(framework)),
            RangeSpec::Spread(*spread),
            format!("within ±{}% of nominal", fmt_percent_number(100.0 * spread)),
        ),
        RangeSource::Scenario { scenario, label } => {
            let described = scenario_ranges(scenario, framework)?;
            notes.extend(described.notes);
            (
                request
                    .weights
                    .clone()
                    .unwrap_or(WeightSet::Levels(described.levels)),
                RangeSpec::Nodes(described.ranges),
                format!("in the ranges of scenario {label}"),
            )
        }
        RangeSource::File { text, file } => {
            let set = match &request.weights {
                Some(set) => set.clone(),
                None => WeightSet::Levels(region_file_levels(text, file, framework)?),
            };
            (
                set,
                RangeSpec::File {
                    text: text.clone(),
                    file: file.clone(),
                },
                format!("in the ranges of {file}"),
            )
        }
    };
    let model = ExactModel::build(&nominal, &set)?;
    let region = model.region(&spec)?;
    let focus = nominal.focus(request.focus.as_deref(), index)?;
    let bounds: Vec<RankBounds> = if request.all_units {
        match &model.model {
            AnyModel::Level(m) => rank_bounds_all_observed(m, &region, budget, observer)?,
            AnyModel::Tree(m) => rank_bounds_all_observed(m, &region, budget, observer)?,
        }
    } else {
        let focus = nominal.require_focus(request.focus.as_deref(), index)?;
        vec![match &model.model {
            AnyModel::Level(m) => rank_bounds_within(m, &region, focus, budget)?,
            AnyModel::Tree(m) => rank_bounds_within(m, &region, focus, budget)?,
        }]
    };

    // Where the nominal weights lie in the range and already reach a bound, they are the
    // clearest witness of it.
    let nominal_raw = model.model.nominal_weights();
    let bounds: Vec<RankBounds> = if region.contains(nominal_raw, 0.0) {
        bounds
            .into_iter()
            .map(|mut b| {
                if b.nominal_rank == b.best_rank {
                    b.best_witness = nominal_raw.to_vec();
                }
                if b.nominal_rank == b.worst_rank {
                    b.worst_witness = nominal_raw.to_vec();
                }
                b
            })
            .collect()
    } else {
        bounds
    };
    let mut rescorer = Rescorer::new(&nominal);
    let nominal_ranks = nominal.nominal_ranks().to_vec();
    let units = bounds
        .iter()
        .map(|b| {
            let mut scorer_rank = |witness: &[f64]| {
                rescorer.reset();
                model.write_framework_weights(framework, witness, rescorer.weights_mut());
                rescorer.top_ranks()[b.unit_index] as usize
            };
            let scorer_best_rank = scorer_rank(&b.best_witness);
            let scorer_worst_rank = scorer_rank(&b.worst_witness);
            let unit = &nominal.prepared.units[b.unit_index];
            UnitBounds {
                code: unit.code.clone(),
                name: unit.name.clone(),
                nominal_rank: nominal_ranks[b.unit_index] as usize,
                best_rank: b.best_rank,
                worst_rank: b.worst_rank,
                exact: b.exact,
                verified: scorer_best_rank == b.best_rank && scorer_worst_rank == b.worst_rank,
                scorer_best_rank,
                scorer_worst_rank,
                budget_reached: b.budget_reached,
                best_rank_limit: b.budget_reached.then_some(b.best_rank_limit),
                worst_rank_limit: b.budget_reached.then_some(b.worst_rank_limit),
                best_weights: model
                    .reported
                    .iter()
                    .map(|&k| model.share(&b.best_witness, k))
                    .collect(),
                worst_weights: model
                    .reported
                    .iter()
                    .map(|&k| model.share(&b.worst_witness, k))
                    .collect(),
            }
        })
        .collect();

    let weights = model
        .reported
        .iter()
        .map(|&k| {
            let node = &framework.nodes[model.nodes[k]];
            let parent = match model.set {
                WeightSet::Effective => framework.top,
                WeightSet::Levels(_) => node.parent.unwrap_or(framework.top),
            };
            let (share_lower, share_upper) = model.share_range(&region, k);
            WeightEntry {
                code: node.code.clone(),
                name: node.name.clone(),
                level: node.level,
                parent: framework.nodes[parent].code.clone(),
                nominal: model.share(nominal_raw, k),
                raw_nominal: nominal_raw[k],
                raw_lower: region.lower[k],
                raw_upper: region.upper[k],
                share_lower,
                share_upper,
            }
        })
        .collect();

    Ok(BoundsReport {
        weight_set_label: set.label(framework),
        exactness: exactness_statement(
            &set,
            framework,
            &units_not_exact(&bounds),
            bounds.iter().any(|b| b.budget_reached),
        ) + &budget_statement(&bounds),
        weight_set: set,
        range_label,
        weights,
        method: nominal.method.clone(),
        scale: model.scale,
        notes,
        focus: focus.map(|f| nominal.prepared.units[f].code.clone()),
        units,
    })
}

pub(super) fn units_not_exact(bounds: &[RankBounds]) -> Vec<String> {
    bounds
        .iter()
        .filter(|b| !b.exact && !b.budget_reached)
        .map(|b| b.unit.clone())
        .collect()
}

/// What the time budget left open, in plain words (empty when every program finished).
fn budget_statement(bounds: &[RankBounds]) -> String {
    let open: Vec<String> = bounds
        .iter()
        .filter(|b| b.budget_reached)
        .map(|b| {
            format!(
                "{} (best rank {}, proven no better than {}; worst rank {}, proven no worse than {})",
                b.unit, b.best_rank, b.best_rank_limit, b.worst_rank, b.worst_rank_limit
            )
        })
        .collect();
    if open.is_empty() {
        return String::new();
    }
    format!(
        " The solver's time budget ran out before it proved the optimum for {}: the ranks shown \
         are achieved by their witnesses and the exact ones lie between them and the proven \
         limits.",
        join_and(&open)
    )
}

/// `25`, `12.5`.
pub(super) fn fmt_percent_number(value: f64) -> String {
    let text = format!("{value:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// What is exact, in plain words. When a time budget stopped a program (`budget_reached`), the
/// statement names the method, not its result, as exact: [`budget_statement`] then says which
/// bounds are not proven.
pub(super) fn exactness_statement(
    set: &WeightSet,
    framework: &Framework,
    not_exact: &[String],
    budget_reached: bool,
) -> String {
    let lead = if budget_reached {
        "An exact method, stopped by its time budget for some units (below)"
    } else {
        "Exact"
    };
    let mut text = match set {
        WeightSet::Levels(levels) if levels.len() > 1 => format!(
            "{lead}, with the {} weights varying together: the index is linear (log-linear for geometric \
             means) in the effective weights of the lowest varying level, the effective weights \
             reachable from the per-weight ranges form a polytope, and the mixed-integer programs \
             range over that polytope exactly (no outer approximation); each bound is achieved \
             by its witness weights.",
            join_and(
                &levels
                    .iter()
                    .map(|&l| framework.level_name(l).to_lowercase())
                    .collect::<Vec<_>>()
            )
        ),
        _ => format!(
            "{lead}: the best and worst ranks over every weight vector in the range, from \
             mixed-integer programs over the weight polytope; each bound is achieved by its \
             witness weights."
        ),
    };
    text.push_str(" Normalisation, aggregation and data are held at the stated method.");
    if !not_exact.is_empty() {
        text.push_str(&format!(
            " For {} float ties kept the solver's optimum from being confirmed: the ranks shown \
             are achieved by the witnesses, so the exact best rank is at least as good and the \
             exact worst rank at least as bad.",
            join_and(not_exact)
        ));
    }
    text
}
