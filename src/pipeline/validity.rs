//! The one rule for whether aggregations can run on the values they would meet.
//!
//! Geometric, harmonic and power means need strictly positive values (a logarithm or a
//! division by each child), and power means must not overflow. Whether they get them is a
//! fact about the data, not about the method's name: `zscore(10,2)` is positive on most data
//! and `minmax(0,100)` on none. So the decision is made here, once, on the prepared values,
//! and `index.toml`, `score --normalisation/--aggregation`, scenarios, the exact analyses and
//! [`crate::pipeline::evaluate`] all ask it. Each caller adds only where the choice was written.

use super::prepare::{PreparedVariant, nominal_variant, prepare};
use crate::model::Index;
use crate::model::error::LoadError;
use crate::model::method::{Aggregation, Normalisation, fmt_num};

/// Why an aggregation cannot run on the values it would meet.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}; fix: {}", self.problem(), self.fix())]
pub enum AggregationRangeError {
    /// A positive-only mean would meet a value ≤ 0 from the normalisation.
    NotPositive {
        aggregation: Aggregation,
        level: usize,
        normalisation: Normalisation,
        minimum: f64,
    },
    /// A positive-only mean would aggregate Copeland scores (net win counts, which can be ≤ 0).
    CopelandBelow {
        aggregation: Aggregation,
        level: usize,
        copeland_level: usize,
    },
    /// A power mean's powers of the extreme value overflow a double.
    Overflows {
        aggregation: Aggregation,
        level: usize,
        normalisation: Normalisation,
        value: f64,
        limit: f64,
    },
}

impl AggregationRangeError {
    /// What is wrong, naming the methods, the level and the offending value.
    pub fn problem(&self) -> String {
        match self {
            AggregationRangeError::NotPositive {
                aggregation,
                level,
                normalisation,
                minimum,
            } => format!(
                "`{aggregation}` aggregation (level {level}) needs strictly positive values, but \
                 normalisation `{normalisation}` gives values down to {} on these data ({})",
                fmt_num(*minimum),
                normalisation.nonpositive_cause()
            ),
            AggregationRangeError::CopelandBelow {
                aggregation,
                level,
                copeland_level,
            } => format!(
                "`{aggregation}` aggregation (level {level}) needs strictly positive values, but \
                 `copeland` at level {copeland_level} gives net win counts, which can be zero or \
                 negative"
            ),
            AggregationRangeError::Overflows {
                aggregation,
                level,
                normalisation,
                value,
                ..
            } => format!(
                "`{aggregation}` aggregation (level {level}) overflows: normalisation \
                 `{normalisation}` gives values of {}, whose power is beyond the largest double",
                fmt_num(*value)
            ),
        }
    }

    /// What to do about it.
    pub fn fix(&self) -> String {
        match self {
            AggregationRangeError::NotPositive { normalisation, .. } => format!(
                "use {} with this aggregation, or an arithmetic aggregation",
                normalisation.positive_alternative()
            ),
            AggregationRangeError::CopelandBelow { aggregation, .. } => format!(
                "do not put `copeland` below a `{aggregation}` level: use an arithmetic \
                 aggregation above it"
            ),
            AggregationRangeError::Overflows { limit, .. } => {
                format!(
                    "use a power of at most {} in absolute value",
                    fmt_num(*limit)
                )
            }
        }
    }

    /// The aggregate level (2 = the level built from the indicators) whose method is refused.
    pub fn level(&self) -> usize {
        match self {
            AggregationRangeError::NotPositive { level, .. }
            | AggregationRangeError::CopelandBelow { level, .. }
            | AggregationRangeError::Overflows { level, .. } => *level,
        }
    }

    /// The refused aggregation.
    pub fn aggregation(&self) -> Aggregation {
        match self {
            AggregationRangeError::NotPositive { aggregation, .. }
            | AggregationRangeError::CopelandBelow { aggregation, .. }
            | AggregationRangeError::Overflows { aggregation, .. } => *aggregation,
        }
    }

    /// Whether the normalisation's values are at fault (rather than a Copeland level below).
    pub fn blames_normalisation(&self) -> bool {
        !matches!(self, AggregationRangeError::CopelandBelow { .. })
    }
}

/// Checks that every aggregation each level may use can run on the values of `variant`.
///
/// `per_level[l]` lists the aggregations level `l + 2` may use (one for a fixed method, the
/// alternatives of a scenario factor). Means stay within their children's range, so every
/// aggregate of a level built by means lies within the normalised values' range: a positive
/// minimum makes every mean's input positive, and the largest (for p > 0) or smallest
/// (p < 0) value bounds every power. Copeland's net win counts can be zero or negative, so no
/// positive-only mean may sit above a level that may use Copeland. Levels are checked
/// bottom-up and the first conflict is returned.
pub fn check_aggregations<A: AsRef<[Aggregation]>>(
    variant: &PreparedVariant,
    per_level: &[A],
) -> Result<(), AggregationRangeError> {
    let normalisation = &variant.spec.normalisation;
    let mut copeland_level = None;
    for (l, methods) in per_level.iter().enumerate() {
        let level = l + 2;
        for &aggregation in methods.as_ref() {
            if aggregation.needs_positive() {
                if let Some(copeland_level) = copeland_level {
                    return Err(AggregationRangeError::CopelandBelow {
                        aggregation,
                        level,
                        copeland_level,
                    });
                }
                if variant.minimum.is_nan() || variant.minimum <= 0.0 {
                    return Err(AggregationRangeError::NotPositive {
                        aggregation,
                        level,
                        normalisation: normalisation.clone(),
                        minimum: variant.minimum,
                    });
                }
            }
            if let Some((value, limit)) = aggregation.overflows(variant.minimum, variant.maximum) {
                return Err(AggregationRangeError::Overflows {
                    aggregation,
                    level,
                    normalisation: normalisation.clone(),
                    value,
                    limit,
                });
            }
        }
        if copeland_level.is_none() && methods.as_ref().contains(&Aggregation::Copeland) {
            copeland_level = Some(level);
        }
    }
    Ok(())
}

/// Checks the index's own nominal method on its data: the nominal data variant can be
/// prepared and its aggregations can run on it. A refusal is located where `index.toml` sets
/// the method. Every command runs this when it loads an index, so an `index.toml` that cannot
/// be scored is refused as a file error, like any other.
pub fn check_nominal(index: &Index) -> Result<(), LoadError> {
    let locations = &index.method_locations;
    let prepared = prepare(index, &[nominal_variant(index)]).map_err(|error| {
        let (problem, fix) = error.problem_and_fix();
        LoadError::one(locations.normalisation.clone(), problem, fix)
    })?;
    let per_level: Vec<[Aggregation; 1]> = index.nominal.aggregation.iter().map(|&a| [a]).collect();
    check_aggregations(&prepared.variants[0], &per_level).map_err(|reason| {
        LoadError::one(
            locations.aggregation.clone(),
            reason.problem(),
            reason.fix(),
        )
    })
}
