//! The target families of a sensitivity analysis and which units get per-unit targets.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

/// A family of targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TargetFamily {
    /// R_S, the mean absolute rank shift over all units.
    Rs,
    /// One unit's rank.
    Rank,
    /// One unit's index score.
    Score,
    /// Whether the focus unit ranks in the top k.
    Topk,
}

impl TargetFamily {
    /// Every family, in output order.
    pub const ALL: [TargetFamily; 4] = [
        TargetFamily::Rs,
        TargetFamily::Rank,
        TargetFamily::Score,
        TargetFamily::Topk,
    ];
}

impl fmt::Display for TargetFamily {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TargetFamily::Rs => "rs",
            TargetFamily::Rank => "rank",
            TargetFamily::Score => "score",
            TargetFamily::Topk => "topk",
        })
    }
}

impl FromStr for TargetFamily {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        TargetFamily::ALL
            .into_iter()
            .find(|family| family.to_string() == text.trim().to_ascii_lowercase())
            .ok_or_else(|| format!("unknown target `{text}`; use rs, rank, score or topk"))
    }
}

/// Which units get `rank:` and `score:` targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum UnitTargets {
    /// Every unit.
    All,
    /// Only the focus unit (for very large indices).
    Focus,
}

impl FromStr for UnitTargets {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim() {
            "all" => Ok(UnitTargets::All),
            "focus" => Ok(UnitTargets::Focus),
            _ => Err(format!(
                "unknown unit targets `{text}`; use `all` or `focus`"
            )),
        }
    }
}

impl fmt::Display for UnitTargets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            UnitTargets::All => "all",
            UnitTargets::Focus => "focus",
        })
    }
}


#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_families_parse_and_print() {
        for family in TargetFamily::ALL {
            assert_eq!(family.to_string().parse::<TargetFamily>().unwrap(), family);
        }
        assert!(
            "ranks"
                .parse::<TargetFamily>()
                .unwrap_err()
                .contains("rs, rank")
        );
        assert_eq!("focus".parse::<UnitTargets>().unwrap(), UnitTargets::Focus);
    }
}
