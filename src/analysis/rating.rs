//! The one-word rating of a rank (robust, moderately robust, fragile) and the rule that gives it, scaled to the number of units.

use serde::Serialize;

/// One-word robustness rating of a rank.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rating {
    Robust,
    ModeratelyRobust,
    Fragile,
}

impl Rating {
    pub fn word(self) -> &'static str {
        match self {
            Rating::Robust => "robust",
            Rating::ModeratelyRobust => "moderately robust",
            Rating::Fragile => "fragile",
        }
    }
}

/// Where a rating rule's thresholds came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleOrigin {
    /// The scenario's `[verdict]` section.
    Scenario,
    /// [`RatingRule::for_units`].
    Default,
}

/// The rating rule, applied to the 90% rank interval [q05, q95]: robust when it lies within
/// ±`robust_within` places of the nominal rank, moderately robust within ±`moderately_within`,
/// otherwise fragile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RatingRule {
    pub robust_within: u32,
    pub moderately_within: u32,
    pub origin: RuleOrigin,
}

/// Share of the table a rank may move and still be called robust, and moderately robust.
pub const ROBUST_SHARE: f64 = 0.025;
pub const MODERATE_SHARE: f64 = 0.075;
/// The smallest thresholds the default uses: a move of one place is the least a rank can
/// move, and "moderately" must allow at least two places more than "robust" to mean something
/// different in a small index.
pub const ROBUST_FLOOR: u32 = 1;
pub const MODERATE_FLOOR: u32 = 3;

impl RatingRule {
    /// The default rule for an index of `n_units` units: ±max(1, round(2.5% of n)) places for
    /// robust, ±max(3, round(7.5% of n)) for moderately robust.
    ///
    /// Why shares of the table: a rank is a position among n, and a reader judges a move by the
    /// share of the table it crosses (Saisana, Saltelli & Tarantola 2005 report rank shifts
    /// against the table's length; the OECD/JRC Handbook 2008, §7, reads volatility by how far
    /// into the table a unit can fall). A fixed ±1/±3 rule calls a mid-table unit of a
    /// 300-unit index fragile for moving 1% of the table, and a unit of a 10-unit index
    /// moderately robust for moving across a third of it. The shares are chosen so that the
    /// rule equals the former fixed ±1/±3 places for indices of up to 46 units (IECI's 37),
    /// where that rule was set; ASEM's 51 units get ±1/±4 and a 300-unit index ±8/±23.
    pub fn for_units(n_units: usize) -> Self {
        let scaled = |share: f64, floor: u32| ((share * n_units as f64).round() as u32).max(floor);
        RatingRule {
            robust_within: scaled(ROBUST_SHARE, ROBUST_FLOOR),
            moderately_within: scaled(MODERATE_SHARE, MODERATE_FLOOR),
            origin: RuleOrigin::Default,
        }
    }

    /// The rule of a scenario's `[verdict]` section, each threshold falling back to the
    /// default for `n_units` when the section leaves it out.
    pub fn from_settings(
        robust_within: Option<u32>,
        moderately_within: Option<u32>,
        n_units: usize,
    ) -> Self {
        let default = RatingRule::for_units(n_units);
        if robust_within.is_none() && moderately_within.is_none() {
            return default;
        }
        let robust = robust_within.unwrap_or(default.robust_within);
        RatingRule {
            robust_within: robust,
            moderately_within: moderately_within.unwrap_or(default.moderately_within.max(robust)),
            origin: RuleOrigin::Scenario,
        }
    }

    /// Rates an interval [q05, q95] around a nominal rank.
    pub fn rate(&self, nominal: u32, q05: f64, q95: f64) -> Rating {
        let nominal = f64::from(nominal);
        let reach = (nominal - q05).max(q95 - nominal);
        if reach <= f64::from(self.robust_within) {
            Rating::Robust
        } else if reach <= f64::from(self.moderately_within) {
            Rating::ModeratelyRobust
        } else {
            Rating::Fragile
        }
    }

    /// The rule in words, printed with every verdict.
    pub fn text(&self) -> String {
        let places = |n: u32| if n == 1 { "place" } else { "places" };
        format!(
            "robust when the 90% rank interval lies within ±{} {} of the nominal rank, moderately robust within ±{} {}, otherwise fragile{}",
            self.robust_within,
            places(self.robust_within),
            self.moderately_within,
            places(self.moderately_within),
            match self.origin {
                RuleOrigin::Scenario => " (the scenario's [verdict] thresholds)".to_string(),
                RuleOrigin::Default => format!(
                    " (scaled to the index: {:.1}% and {:.1}% of the table, at least {} and {})",
                    100.0 * ROBUST_SHARE,
                    100.0 * MODERATE_SHARE,
                    ROBUST_FLOOR,
                    MODERATE_FLOOR
                ),
            }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_rule_scales_with_the_index() {
        let rule = |n| {
            let r = RatingRule::for_units(n);
            (r.robust_within, r.moderately_within)
        };
        assert_eq!(rule(10), (1, 3));
        assert_eq!(rule(37), (1, 3));
        assert_eq!(rule(51), (1, 4));
        assert_eq!(rule(300), (8, 23));
        assert_eq!(rule(1), (1, 3));
    }

    #[test]
    fn rating_follows_the_thresholds() {
        let rule = RatingRule::for_units(37);
        assert_eq!(rule.rate(7, 6.0, 8.0), Rating::Robust);
        assert_eq!(rule.rate(7, 7.0, 7.0), Rating::Robust);
        assert_eq!(rule.rate(7, 5.0, 8.0), Rating::ModeratelyRobust);
        assert_eq!(rule.rate(7, 4.0, 10.0), Rating::ModeratelyRobust);
        assert_eq!(rule.rate(7, 4.0, 10.5), Rating::Fragile);
        // A 300-unit index: ±5 places is robust.
        assert_eq!(
            RatingRule::for_units(300).rate(150, 145.0, 155.0),
            Rating::Robust
        );
    }

    #[test]
    fn scenario_thresholds_override_the_default() {
        let rule = RatingRule::from_settings(Some(2), None, 37);
        assert_eq!((rule.robust_within, rule.moderately_within), (2, 3));
        assert_eq!(rule.origin, RuleOrigin::Scenario);
        let rule = RatingRule::from_settings(Some(5), None, 37);
        assert_eq!(rule.moderately_within, 5);
        assert!(rule.text().contains("±5 places"));
    }
}
