//! Deterministic generator of the IECI 2022 reconstruction (`data/ieci2022`): sourced figures, seeded synthetic values, and a repair pass against the published facts.
//!
//! The International Exchange Centers Index 2022 (Tsinghua CIDP and Deloitte China) never
//! published its indicator values in text form, so this file *builds* an illustrative data set
//! that reproduces the published facts (`published_facts.csv`) under the assumed nominal method:
//! min–max normalisation to [0, 100] after multiplying lower-is-better indicators by −1, equal
//! weights within each parent, arithmetic means at every level, ranks by descending score with
//! ties sharing the best rank (R `rank(-x, ties.method = "min")`).
//!
//! Procedure (every step deterministic):
//! 1. **Sourced cells** ([`SOURCED`]) are public figures (or values derived from a published rank)
//!    and are never changed.
//! 2. **Synthetic cells** start from a hand-set plausible anchor per city ([`INDICATORS`]): the
//!    magnitude expected from the city's size, region and the column's reference year, not a
//!    cited figure. The anchors were also adjusted by hand, within plausibility, towards the
//!    published ranks (towards published facts only, never towards a robustness result).
//! 3. **Seeded noise** ([`SEED`], ChaCha8) perturbs each synthetic anchor (relative or absolute,
//!    per indicator), so that the anchors are not reproduced verbatim; values are then clipped
//!    to the column's plausible range and rounded to its precision.
//! 4. **Repair**: a greedy descent nudges synthetic cells, one step (1% of the column's range)
//!    at a time, until every published rank holds with a margin of [`RANK_MARGIN`] score points
//!    to the neighbouring ranks. The objective is the Euclidean distance from the current
//!    scores to the nearest scores that satisfy each published ranking (see
//!    `target_distance`), plus a small quadratic price on each cell's distance from its noisy
//!    anchor so that nudges spread over many cells. Each cell may move at most a bounded amount
//!    (per indicator, relative and absolute), inside the column's plausible range. Because the
//!    repair stops as soon as a margin is reached, every pair it had to reorder ends exactly
//!    [`RANK_MARGIN`] apart (up to one step). Every published rank is pursued.
//!
//! Only IEEE-exact arithmetic (+, −, ×, ÷, √, rounding) is used after the random draws, so the
//! output is byte-identical on every platform.
//!
//! The same file contains the nominal scorer ([`NominalScores`]) and the fact checker
//! ([`check_published_facts`]) used by `tests/ieci_generator.rs`.

use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

/// Seed of the synthetic noise (the report's release date, 8 February 2023).
pub const SEED: u64 = 2023_0208;

/// Minimum score gap (index points, or normalised points for an indicator) that the repair
/// keeps between a unit with a published rank and its neighbours, so that no published rank
/// hinges on rounding.
pub const RANK_MARGIN: f64 = 0.3;

/// The published facts this data set reproduces.
pub const PUBLISHED_FACTS: &str = include_str!("published_facts.csv");

/// Size of one repair step, as a fraction of the column's range.
const STEP_FRACTION: f64 = 0.01;
/// Price of moving a cell its full allowed distance, in score points of distance to the
/// published ranks (small: it only spreads the nudges, it does not stop the repair).
const DEVIATION_PRICE: f64 = 0.005;
/// Candidate moves fully re-scored per repair step (ranked by a linear estimate first).
const CANDIDATES_PER_STEP: usize = 12;
/// Safety bound on the number of repair steps.
const MAX_REPAIR_STEPS: usize = 20_000;

/// World region of a city (the `Region` group column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Region {
    Europe,
    NorthAmerica,
    AsiaPacific,
    MiddleEast,
}

impl Region {
    pub fn label(self) -> &'static str {
        match self {
            Region::Europe => "Europe",
            Region::NorthAmerica => "North America",
            Region::AsiaPacific => "Asia-Pacific",
            Region::MiddleEast => "Middle East",
        }
    }
}

/// Why a city is among the 37.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Membership {
    /// Published overall rank (1–20).
    Ranked(usize),
    /// Member ranked 21–37, inferred from the 2024 edition.
    Inferred,
    /// Not known; a plausible global city assumed by the reconstruction.
    Assumed,
}

/// One evaluated city.
#[derive(Debug, Clone, Copy)]
pub struct City {
    pub code: &'static str,
    pub name: &'static str,
    pub region: Region,
    pub membership: Membership,
}

const fn city(
    code: &'static str,
    name: &'static str,
    region: Region,
    membership: Membership,
) -> City {
    City {
        code,
        name,
        region,
        membership,
    }
}

use Membership::{Assumed, Inferred, Ranked};
use Region::{AsiaPacific, Europe, MiddleEast, NorthAmerica};

pub const N_CITIES: usize = 37;

/// The 37 cities, in the order of the anchor arrays: published ranks 1–20, the four inferred
/// members, then the 13 assumed members.
pub const CITIES: [City; N_CITIES] = [
    city("LON", "London", Europe, Ranked(1)),
    city("NYC", "New York", NorthAmerica, Ranked(2)),
    city("PAR", "Paris", Europe, Ranked(3)),
    city("SIN", "Singapore", AsiaPacific, Ranked(4)),
    city("SEO", "Seoul", AsiaPacific, Ranked(5)),
    city("HKG", "Hong Kong", AsiaPacific, Ranked(6)),
    city("BEJ", "Beijing", AsiaPacific, Ranked(7)),
    city("TOK", "Tokyo", AsiaPacific, Ranked(8)),
    city("SFO", "San Francisco", NorthAmerica, Ranked(9)),
    city("CPH", "Copenhagen", Europe, Ranked(10)),
    city("MAD", "Madrid", Europe, Ranked(11)),
    city("AMS", "Amsterdam", Europe, Ranked(12)),
    city("LAX", "Los Angeles", NorthAmerica, Ranked(13)),
    city("MUC", "Munich", Europe, Ranked(14)),
    city("BER", "Berlin", Europe, Ranked(15)),
    city("BCN", "Barcelona", Europe, Ranked(16)),
    city("SHA", "Shanghai", AsiaPacific, Ranked(17)),
    city("BOS", "Boston", NorthAmerica, Ranked(18)),
    city("WAS", "Washington", NorthAmerica, Ranked(19)),
    city("SYD", "Sydney", AsiaPacific, Ranked(20)),
    city("DXB", "Dubai", MiddleEast, Inferred),
    city("MOS", "Moscow", Europe, Inferred),
    city("SHZ", "Shenzhen", AsiaPacific, Inferred),
    city("GZH", "Guangzhou", AsiaPacific, Inferred),
    city("TOR", "Toronto", NorthAmerica, Assumed),
    city("CHI", "Chicago", NorthAmerica, Assumed),
    city("VIE", "Vienna", Europe, Assumed),
    city("GVA", "Geneva", Europe, Assumed),
    city("ZRH", "Zurich", Europe, Assumed),
    city("FRA", "Frankfurt", Europe, Assumed),
    city("MIL", "Milan", Europe, Assumed),
    city("ROM", "Rome", Europe, Assumed),
    city("MEL", "Melbourne", AsiaPacific, Assumed),
    city("OSA", "Osaka", AsiaPacific, Assumed),
    city("BKK", "Bangkok", AsiaPacific, Assumed),
    city("KUL", "Kuala Lumpur", AsiaPacific, Assumed),
    city("MUM", "Mumbai", AsiaPacific, Assumed),
];

/// An aggregate of the framework: (code, name, parent code).
pub type AggregateSpec = (&'static str, &'static str, &'static str);

/// The top node.
pub const INDEX_CODE: &str = "IECI";
pub const INDEX_NAME: &str = "International Exchange Centers Index 2022 (reconstruction)";

/// The three dimensions (level 3).
pub const DIMENSIONS: [AggregateSpec; 3] = [
    ("ATT", "Attractiveness", INDEX_CODE),
    ("INF", "Influence", INDEX_CODE),
    ("CON", "Connectivity", INDEX_CODE),
];

/// The eleven sub-dimensions (level 2).
pub const SUB_DIMENSIONS: [AggregateSpec; 11] = [
    ("LIV", "Liveability", "ATT"),
    ("BUS", "Business environment", "ATT"),
    ("SAF", "Safety", "ATT"),
    ("TOU", "Tourism appeal", "ATT"),
    ("AFF", "International affairs", "INF"),
    ("ECO", "Economic development", "INF"),
    ("SCI", "Sci-tech innovation", "INF"),
    ("CUL", "Culture and education", "INF"),
    ("TRA", "Transport", "CON"),
    ("DIG", "Digital", "CON"),
    ("PEO", "People exchange", "CON"),
];

/// How the seeded noise perturbs a synthetic anchor.
#[derive(Debug, Clone, Copy)]
enum Noise {
    /// Kept as set (small counts whose exact value matters).
    None,
    /// `anchor · (1 + σ z)`, z approximately standard normal (|z| ≤ 6, so σ ≤ 0.1 keeps the
    /// sign).
    Relative(f64),
    /// `anchor + σ z`.
    Absolute(f64),
}

/// How far the repair may move a synthetic cell from its noisy anchor: the smaller of
/// `relative · |anchor|` and `absolute`.
#[derive(Debug, Clone, Copy)]
struct NudgeLimit {
    relative: f64,
    absolute: f64,
}

const fn rel(relative: f64) -> NudgeLimit {
    NudgeLimit {
        relative,
        absolute: f64::INFINITY,
    }
}
const fn abs(absolute: f64) -> NudgeLimit {
    NudgeLimit {
        relative: f64::INFINITY,
        absolute,
    }
}
const FIXED: NudgeLimit = NudgeLimit {
    relative: 0.0,
    absolute: 0.0,
};

/// One indicator column with its synthetic anchors (city order of [`CITIES`]).
#[derive(Debug, Clone, Copy)]
pub struct IndicatorSpec {
    pub code: &'static str,
    pub name: &'static str,
    pub parent: &'static str,
    /// +1 higher is better, −1 lower is better.
    pub direction: i32,
    pub unit: &'static str,
    /// Decimal places written to data.csv.
    pub decimals: usize,
    /// Realistic range; every value (sourced or synthetic) lies inside it.
    pub plausible: (f64, f64),
    /// Synthetic values stay strictly below this: the smallest value of a published top list
    /// that the synthetic cities are not on (infinite when there is no such list).
    pub synthetic_ceiling: f64,
    noise: Noise,
    nudge: NudgeLimit,
    /// Hand-set plausible magnitudes; `S` where the cell is sourced (see [`SOURCED`]).
    anchors: [f64; N_CITIES],
}

/// Placeholder for a sourced cell in the anchor arrays.
const S: f64 = f64::NAN;

pub const N_INDICATORS: usize = 25;

// Anchor order: LON NYC PAR SIN SEO HKG BEJ TOK SFO CPH MAD AMS LAX MUC BER BCN SHA BOS WAS SYD
//               DXB MOS SHZ GZH TOR CHI VIE GVA ZRH FRA MIL ROM MEL OSA BKK KUL MUM
#[rustfmt::skip]
pub const INDICATORS: [IndicatorSpec; N_INDICATORS] = [
    IndicatorSpec {
        code: "LIV_EIU", name: "Liveability score", parent: "LIV", direction: 1,
        unit: "Score 0-100", decimals: 1, plausible: (40.0, 100.0), synthetic_ceiling: 95.1,
        noise: Noise::Absolute(0.25), nudge: abs(1.5),
        anchors: [S, S, S, 92.1, 88.6, 88.4, S, 93.7, 90.8, S, S, S, 90.7, 94.2, 92.9, S, 81.0, 91.6, 91.4, 94.4,
                  78.0, 69.6, 79.6, 79.1, S, 90.9, S, S, S, S, S, 88.5, S, S, 74.6, 75.8, 56.3],
    },
    IndicatorSpec {
        code: "LIV_PM25", name: "Annual mean PM2.5 concentration", parent: "LIV", direction: -1,
        unit: "ug/m3", decimals: 1, plausible: (3.0, 80.0), synthetic_ceiling: f64::INFINITY,
        noise: Noise::Relative(0.03), nudge: rel(0.1),
        anchors: [9.6, 7.1, 11.8, 13.2, 18.3, 16.1, 30.0, 9.1, 7.6, 8.9, 9.7, 10.3, 12.4, 9.8, 11.7, 12.6, 25.1, 6.9, 7.8, 6.4,
                  41.0, 10.9, 16.3, 22.0, 7.2, 9.9, 12.8, 9.6, 9.0, 10.6, 19.7, 13.1, 6.2, 11.5, 21.5, 18.1, 45.8],
    },
    IndicatorSpec {
        code: "BUS_CLIMATE", name: "Business-climate score", parent: "BUS", direction: 1,
        unit: "Score 0-100", decimals: 1, plausible: (30.0, 100.0), synthetic_ceiling: f64::INFINITY,
        noise: Noise::Absolute(0.5), nudge: abs(4.0),
        anchors: [86.4, 88.2, 78.5, 90.6, 80.3, 89.0, 78.0, 77.0, 86.9, 83.6, 74.2, 83.0, 83.1, 80.4, 77.3, 72.1, 70.3, 85.2, 84.0, 82.3,
                  72.0, 54.7, 68.2, 65.3, 82.2, 84.3, 76.0, 79.0, 83.0, 80.2, 70.2, 63.8, 77.0, 65.0, 62.9, 70.1, 56.2],
    },
    IndicatorSpec {
        code: "BUS_STARTUP", name: "Startup-ecosystem score", parent: "BUS", direction: 1,
        unit: "Score 0-100 (100/sqrt(rank))", decimals: 1, plausible: (0.0, 100.0), synthetic_ceiling: 40.8,
        noise: Noise::Relative(0.015), nudge: rel(0.15),
        anchors: [S, S, 31.6, S, 30.2, 19.5, S, S, S, 14.6, 18.0, S, S, 15.4, S, 15.8, 35.4, S, S, 22.4,
                  12.6, S, S, 17.4, 27.7, S, 11.5, 8.5, 13.0, 10.3, 12.9, 9.5, 16.7, 9.1, 11.2, 12.0, S],
    },
    IndicatorSpec {
        code: "SAF_CRIME", name: "Crime index", parent: "SAF", direction: -1,
        unit: "Index 0-100", decimals: 1, plausible: (5.0, 90.0), synthetic_ceiling: f64::INFINITY,
        noise: Noise::Absolute(0.75), nudge: abs(5.0),
        anchors: [54.1, 49.3, 57.6, 26.2, 25.4, 20.5, 22.5, 23.2, 61.0, 27.3, 33.5, 31.0, 52.7, 19.6, 44.8, 51.2, 22.4, 37.2, 49.0, 33.4,
                  17.2, 38.5, 28.8, 34.6, 42.1, 64.2, 25.2, 34.3, 20.3, 42.4, 52.3, 51.4, 43.0, 31.5, 38.3, 59.8, 44.1],
    },
    IndicatorSpec {
        code: "SAF_HOMICIDE", name: "Homicide rate", parent: "SAF", direction: -1,
        unit: "Per 100k residents", decimals: 1, plausible: (0.0, 40.0), synthetic_ceiling: f64::INFINITY,
        noise: Noise::Relative(0.04), nudge: rel(0.25),
        anchors: [1.2, 5.6, 1.5, 0.2, 0.6, 0.3, 0.5, 0.3, 6.5, 1.0, 0.6, 1.6, 9.8, 0.7, 1.4, 0.8, 0.4, 6.0, 29.3, 0.9,
                  0.3, 4.0, 0.6, 0.8, 3.3, 25.0, 0.9, 0.7, 0.5, 1.6, 0.9, 0.7, 1.1, 0.4, 3.4, 1.8, 1.9],
    },
    IndicatorSpec {
        code: "TOU_VISITORS", name: "International overnight visitors", parent: "TOU", direction: 1,
        unit: "Million", decimals: 1, plausible: (0.5, 30.0), synthetic_ceiling: 8.2,
        noise: Noise::Relative(0.03), nudge: rel(0.2),
        anchors: [S, S, S, S, S, S, 4.6, S, 3.1, 3.2, 5.8, 7.6, 6.4, 4.3, 5.8, S, 6.2, 2.1, 2.3, 4.1,
                  S, 5.1, 7.2, 7.4, 4.6, 2.0, 6.9, 1.6, 3.0, 3.2, S, 7.3, 3.0, S, S, S, 6.3],
    },
    IndicatorSpec {
        code: "TOU_RECOVERY", name: "International visitors 2022 as share of 2019", parent: "TOU", direction: 1,
        unit: "Percent", decimals: 1, plausible: (0.5, 110.0), synthetic_ceiling: f64::INFINITY,
        noise: Noise::Absolute(1.0), nudge: NudgeLimit { relative: 0.15, absolute: 5.0 },
        anchors: [72.3, 68.7, 79.2, 33.1, 16.4, 1.1, 3.2, 11.8, 54.6, 79.4, 76.8, 74.9, 46.3, 75.8, 73.1, 77.4, 2.9, 61.7, 58.2, 40.2,
                  86.2, 21.6, 2.4, 2.7, 64.8, 60.3, 71.2, 77.8, 72.0, 68.1, 73.2, 75.1, 38.5, 5.2, 35.3, 41.2, 55.4],
    },
    IndicatorSpec {
        code: "AFF_IOS", name: "International organisations with a seat or regional office", parent: "AFF", direction: 1,
        unit: "Count", decimals: 0, plausible: (0.0, 200.0), synthetic_ceiling: f64::INFINITY,
        noise: Noise::Relative(0.025), nudge: rel(0.2),
        anchors: [66.0, 105.0, 92.0, 28.0, 22.0, 33.0, 21.0, 22.0, 7.0, 46.0, 22.0, 18.0, 5.0, 10.0, 15.0, 14.0, 12.0, 6.0, 78.0, 9.0,
                  10.0, 25.0, 4.0, 6.0, 10.0, 8.0, 78.0, 120.0, 12.0, 15.0, 8.0, 62.0, 7.0, 5.0, 52.0, 18.0, 10.0],
    },
    IndicatorSpec {
        code: "AFF_MISSIONS", name: "Foreign diplomatic and consular missions", parent: "AFF", direction: 1,
        unit: "Count", decimals: 0, plausible: (0.0, 400.0), synthetic_ceiling: f64::INFINITY,
        noise: Noise::Relative(0.02), nudge: rel(0.08),
        anchors: [210.0, 305.0, 240.0, 85.0, 120.0, 70.0, 175.0, 158.0, 70.0, 80.0, 125.0, 45.0, 100.0, 70.0, 170.0, 80.0, 76.0, 45.0, 195.0, 60.0,
                  80.0, 165.0, 30.0, 66.0, 95.0, 80.0, 220.0, 220.0, 35.0, 85.0, 110.0, 230.0, 45.0, 40.0, 110.0, 105.0, 70.0],
    },
    IndicatorSpec {
        code: "AFF_MEETINGS", name: "International association meetings", parent: "AFF", direction: 1,
        unit: "Meetings per year", decimals: 0, plausible: (0.0, 300.0), synthetic_ceiling: 120.0,
        noise: Noise::Relative(0.025), nudge: rel(0.15),
        anchors: [S, 46.0, S, S, S, S, 72.0, S, 31.0, S, S, S, 21.0, 74.0, S, S, 82.0, 42.0, 47.0, 98.0,
                  50.0, 61.0, 19.0, 18.0, 61.0, 36.0, S, 84.0, 51.0, 41.0, 89.0, 98.0, 84.0, 56.0, S, 83.0, 19.0],
    },
    IndicatorSpec {
        code: "ECO_G500", name: "Fortune Global 500 headquarters (2022 list)", parent: "ECO", direction: 1,
        unit: "Count", decimals: 0, plausible: (0.0, 60.0), synthetic_ceiling: 54.0,
        noise: Noise::None, nudge: abs(1.0),
        anchors: [15.0, 17.0, 22.0, 3.0, 14.0, 10.0, S, 38.0, 12.0, 1.0, 5.0, 4.0, 4.0, 5.0, 1.0, 0.0, S, 3.0, 6.0, 3.0,
                  1.0, 4.0, S, 4.0, 6.0, 8.0, 1.0, 3.0, 3.0, 2.0, 3.0, 3.0, 2.0, 8.0, 2.0, 1.0, 5.0],
    },
    IndicatorSpec {
        code: "ECO_GDPPC", name: "GDP per capita", parent: "ECO", direction: 1,
        unit: "USD thousand", decimals: 1, plausible: (3.0, 200.0), synthetic_ceiling: f64::INFINITY,
        noise: Noise::Relative(0.015), nudge: rel(0.06),
        anchors: [72.0, 110.0, 68.0, S, 38.0, S, S, 45.0, 150.0, 80.0, 42.0, 78.0, 95.0, 85.0, 45.0, 38.0, 26.7, 110.0, 100.0, 70.0,
                  45.0, 25.0, 27.3, 22.8, 55.0, 90.0, 58.0, 105.0, 110.0, 85.0, 55.0, 40.0, 55.0, 38.0, 16.0, 25.0, 7.0],
    },
    IndicatorSpec {
        code: "ECO_FDI", name: "Inward foreign direct investment", parent: "ECO", direction: 1,
        unit: "USD bn", decimals: 1, plausible: (0.1, 200.0), synthetic_ceiling: f64::INFINITY,
        noise: Noise::Relative(0.03), nudge: rel(0.15),
        anchors: [10.0, 40.0, 9.0, S, 8.0, S, 17.4, 12.0, 25.0, 1.5, 12.0, 6.0, 12.0, 4.0, 3.0, 4.0, 24.0, 10.0, 8.0, 12.0,
                  15.0, 2.0, 11.0, 8.6, 10.0, 10.0, 2.0, 2.0, 3.0, 4.0, 5.0, 2.0, 8.0, 3.0, 6.0, 6.0, 10.0],
    },
    IndicatorSpec {
        code: "SCI_PAPERS", name: "Highly cited papers (five years)", parent: "SCI", direction: 1,
        unit: "Count", decimals: 0, plausible: (0.0, 5000.0), synthetic_ceiling: f64::INFINITY,
        noise: Noise::Relative(0.025), nudge: rel(0.15),
        anchors: [2800.0, 1950.0, 1300.0, 700.0, 780.0, 1200.0, 3050.0, 700.0, 2950.0, 520.0, 310.0, 560.0, 1050.0, 600.0, 520.0, 450.0, 1500.0, 3450.0, 900.0, 880.0,
                  40.0, 150.0, 560.0, 820.0, 860.0, 700.0, 300.0, 350.0, 680.0, 120.0, 380.0, 340.0, 640.0, 260.0, 80.0, 110.0, 90.0],
    },
    IndicatorSpec {
        code: "SCI_PCT", name: "PCT patent applications", parent: "SCI", direction: 1,
        unit: "Applications per year", decimals: 0, plausible: (0.0, 50000.0), synthetic_ceiling: f64::INFINITY,
        noise: Noise::Relative(0.025), nudge: rel(0.15),
        anchors: [2300.0, 3300.0, 4100.0, 1200.0, 14900.0, 800.0, 10000.0, 30200.0, 13500.0, 1100.0, 500.0, 700.0, 2400.0, 3800.0, 1200.0, 600.0, 5700.0, 3900.0, 900.0, 700.0,
                  60.0, 900.0, 17600.0, 2600.0, 900.0, 1600.0, 700.0, 300.0, 1300.0, 1000.0, 1000.0, 300.0, 600.0, 9400.0, 80.0, 150.0, 600.0],
    },
    IndicatorSpec {
        code: "CUL_HERITAGE", name: "UNESCO World Heritage sites", parent: "CUL", direction: 1,
        unit: "Count", decimals: 0, plausible: (0.0, 10.0), synthetic_ceiling: f64::INFINITY,
        noise: Noise::None, nudge: FIXED,
        anchors: [4.0, 1.0, 5.0, 1.0, 5.0, 0.0, 7.0, 1.0, 0.0, 1.0, 4.0, 2.0, 1.0, 0.0, 3.0, 2.0, 0.0, 0.0, 0.0, 3.0,
                  0.0, 4.0, 0.0, 0.0, 0.0, 1.0, 2.0, 1.0, 1.0, 0.0, 1.0, 5.0, 1.0, 1.0, 0.0, 0.0, 3.0],
    },
    IndicatorSpec {
        code: "CUL_UNIV", name: "Universities in a global top 500", parent: "CUL", direction: 1,
        unit: "Count", decimals: 0, plausible: (0.0, 25.0), synthetic_ceiling: f64::INFINITY,
        noise: Noise::None, nudge: abs(1.0),
        anchors: [11.0, 6.0, 10.0, 2.0, 9.0, 6.0, 5.0, 6.0, 3.0, 3.0, 5.0, 2.0, 3.0, 2.0, 4.0, 4.0, 5.0, 7.0, 3.0, 5.0,
                  0.0, 6.0, 1.0, 2.0, 2.0, 3.0, 3.0, 1.0, 2.0, 1.0, 3.0, 2.0, 3.0, 2.0, 2.0, 4.0, 1.0],
    },
    IndicatorSpec {
        code: "TRA_AIRPAX", name: "International air passengers (main airport)", parent: "TRA", direction: 1,
        unit: "Million", decimals: 1, plausible: (0.1, 90.0), synthetic_ceiling: 31.9,
        noise: Noise::Relative(0.025), nudge: rel(0.15),
        anchors: [S, 28.4, S, S, 17.9, 5.6, 0.9, 10.6, 9.3, 21.0, S, S, 14.2, 23.8, 16.9, 30.1, 1.6, 5.9, 6.8, 9.8,
                  S, 9.2, 0.3, 1.2, 24.6, 11.5, 23.1, 12.7, 21.4, S, 17.8, 22.3, 6.4, 2.7, 17.5, 12.3, 10.8],
    },
    IndicatorSpec {
        code: "TRA_HUB", name: "Airport hub-connectivity score", parent: "TRA", direction: 1,
        unit: "Score 0-100", decimals: 1, plausible: (0.0, 100.0), synthetic_ceiling: f64::INFINITY,
        noise: Noise::Absolute(0.75), nudge: abs(5.0),
        anchors: [98.0, 80.0, 90.0, 72.0, 68.0, 76.0, 62.0, 70.0, 55.0, 54.0, 63.0, 88.0, 68.0, 65.0, 42.0, 52.0, 60.0, 44.0, 48.0, 50.0,
                  58.0, 52.0, 38.0, 52.0, 60.0, 70.0, 55.0, 35.0, 58.0, 86.0, 45.0, 50.0, 38.0, 40.0, 60.0, 55.0, 45.0],
    },
    IndicatorSpec {
        code: "DIG_MOBILE", name: "Median mobile download speed", parent: "DIG", direction: 1,
        unit: "Mbps", decimals: 1, plausible: (5.0, 250.0), synthetic_ceiling: f64::INFINITY,
        noise: Noise::Relative(0.025), nudge: rel(0.15),
        anchors: [45.0, 82.0, 75.0, 88.0, 165.0, 92.0, 118.0, 55.0, 95.0, 115.0, 62.0, 98.0, 80.0, 64.0, 58.0, 55.0, 112.0, 85.0, 90.0, 75.0,
                  118.0, 35.0, 116.0, 110.0, 80.0, 85.0, 65.0, 82.0, 88.0, 60.0, 55.0, 50.0, 72.0, 58.0, 42.0, 35.0, 18.0],
    },
    IndicatorSpec {
        code: "DIG_FIXED", name: "Median fixed-broadband download speed", parent: "DIG", direction: 1,
        unit: "Mbps", decimals: 1, plausible: (10.0, 350.0), synthetic_ceiling: f64::INFINITY,
        noise: Noise::Relative(0.025), nudge: rel(0.15),
        anchors: [88.0, 208.0, 212.0, 258.0, 220.0, 265.0, 205.0, 145.0, 190.0, 178.0, 188.0, 148.0, 180.0, 98.0, 92.0, 170.0, 210.0, 195.0, 200.0, 58.0,
                  140.0, 95.0, 199.0, 192.0, 165.0, 178.0, 70.0, 150.0, 150.0, 90.0, 125.0, 110.0, 55.0, 155.0, 205.0, 115.0, 62.0],
    },
    IndicatorSpec {
        code: "PEO_FOREIGN", name: "Foreign-born residents", parent: "PEO", direction: 1,
        unit: "Percent", decimals: 1, plausible: (0.1, 90.0), synthetic_ceiling: f64::INFINITY,
        noise: Noise::Relative(0.025), nudge: rel(0.15),
        anchors: [S, S, 24.8, S, 4.2, 39.1, 0.8, 4.1, 34.6, 22.4, 21.9, 33.8, S, 30.2, 22.1, 26.3, 0.9, 28.1, 23.2, S,
                  S, 8.2, 0.5, 0.6, S, 21.1, 37.2, 47.6, 33.0, 34.8, 19.4, 13.2, S, 2.8, 5.1, 15.2, 1.2],
    },
    IndicatorSpec {
        code: "PEO_STUDENTS", name: "International students", parent: "PEO", direction: 1,
        unit: "Thousand", decimals: 1, plausible: (0.5, 200.0), synthetic_ceiling: f64::INFINITY,
        noise: Noise::Relative(0.03), nudge: rel(0.15),
        anchors: [125.0, 72.0, 108.0, 48.0, 62.0, 28.0, 38.0, 95.0, 35.0, 18.0, 55.0, 25.0, 60.0, 30.0, 45.0, 40.0, 32.0, 70.0, 34.0, 135.0,
                  26.0, 70.0, 6.0, 15.0, 105.0, 32.0, 50.0, 10.0, 20.0, 14.0, 20.0, 15.0, 150.0, 25.0, 22.0, 58.0, 3.0],
    },
    IndicatorSpec {
        code: "PEO_EVENTS", name: "International sport and cultural events hosted", parent: "PEO", direction: 1,
        unit: "Events per year", decimals: 0, plausible: (0.0, 150.0), synthetic_ceiling: f64::INFINITY,
        noise: Noise::Relative(0.03), nudge: rel(0.2),
        anchors: [110.0, 95.0, 105.0, 60.0, 55.0, 60.0, 75.0, 62.0, 35.0, 45.0, 60.0, 45.0, 70.0, 45.0, 70.0, 55.0, 45.0, 30.0, 30.0, 62.0,
                  38.0, 35.0, 20.0, 25.0, 45.0, 40.0, 45.0, 25.0, 30.0, 30.0, 50.0, 55.0, 65.0, 25.0, 40.0, 30.0, 20.0],
    },
];

/// How a sourced cell was obtained.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SourceKind {
    /// The published figure itself.
    Figure,
    /// A score chosen to be consistent with a published rank (EIU Global Liveability 2022).
    ConsistentWithRank(u32),
    /// `100 / sqrt(rank)` of a published rank (StartupBlink 2022).
    InverseSqrtRank(u32),
}

/// A sourced cell: never changed by noise or repair.
#[derive(Debug, Clone, Copy)]
pub struct SourcedValue {
    pub indicator: &'static str,
    pub city: &'static str,
    pub value: f64,
    pub kind: SourceKind,
    /// Key of the source in the data README's source list.
    pub source: &'static str,
}

const fn fig(
    indicator: &'static str,
    city: &'static str,
    value: f64,
    source: &'static str,
) -> SourcedValue {
    SourcedValue {
        indicator,
        city,
        value,
        kind: SourceKind::Figure,
        source,
    }
}
const fn eiu_rank(city: &'static str, rank: u32, value: f64) -> SourcedValue {
    SourcedValue {
        indicator: "LIV_EIU",
        city,
        value,
        kind: SourceKind::ConsistentWithRank(rank),
        source: "EIU2022",
    }
}
const fn startup_rank(city: &'static str, rank: u32) -> SourcedValue {
    SourcedValue {
        indicator: "BUS_STARTUP",
        city,
        value: f64::NAN,
        kind: SourceKind::InverseSqrtRank(rank),
        source: "STARTUPBLINK2022",
    }
}

/// Every sourced cell. Source keys are explained in `data/ieci2022/README.md`.
#[rustfmt::skip]
pub const SOURCED: &[SourcedValue] = &[
    // EIU Global Liveability Index 2022: published scores.
    fig("LIV_EIU", "VIE", 99.1, "EIU2022"), fig("LIV_EIU", "CPH", 98.0, "EIU2022"),
    fig("LIV_EIU", "ZRH", 96.3, "EIU2022"), fig("LIV_EIU", "GVA", 95.9, "EIU2022"),
    fig("LIV_EIU", "FRA", 95.7, "EIU2022"), fig("LIV_EIU", "TOR", 95.4, "EIU2022"),
    fig("LIV_EIU", "AMS", 95.3, "EIU2022"), fig("LIV_EIU", "OSA", 95.1, "EIU2022"),
    fig("LIV_EIU", "MEL", 95.1, "EIU2022"),
    // EIU 2022: published ranks only; scores chosen between those of neighbouring ranks.
    eiu_rank("PAR", 19, 93.9), eiu_rank("LON", 33, 92.6), eiu_rank("BCN", 35, 92.3),
    eiu_rank("MAD", 43, 91.3), eiu_rank("MIL", 49, 90.4), eiu_rank("NYC", 51, 90.2),
    eiu_rank("BEJ", 71, 81.6),
    // StartupBlink Global Startup Ecosystem Index 2022 ranks.
    startup_rank("SFO", 1), startup_rank("NYC", 2), startup_rank("LON", 3), startup_rank("LAX", 4),
    startup_rank("BOS", 5), startup_rank("BEJ", 6), startup_rank("BER", 12), startup_rank("CHI", 14),
    startup_rank("TOK", 15), startup_rank("MUM", 17), startup_rank("SHZ", 18), startup_rank("WAS", 19),
    startup_rank("SIN", 22), startup_rank("AMS", 27), startup_rank("MOS", 29),
    // Mastercard Global Destination Cities Index 2019 (international overnight visitors 2018).
    fig("TOU_VISITORS", "BKK", 22.8, "MASTERCARD2019"), fig("TOU_VISITORS", "PAR", 19.1, "MASTERCARD2019"),
    fig("TOU_VISITORS", "LON", 19.1, "MASTERCARD2019"), fig("TOU_VISITORS", "DXB", 15.9, "MASTERCARD2019"),
    fig("TOU_VISITORS", "SIN", 14.7, "MASTERCARD2019"), fig("TOU_VISITORS", "KUL", 13.8, "MASTERCARD2019"),
    fig("TOU_VISITORS", "NYC", 13.6, "MASTERCARD2019"), fig("TOU_VISITORS", "TOK", 12.9, "MASTERCARD2019"),
    fig("TOU_VISITORS", "SEO", 11.3, "MASTERCARD2019"), fig("TOU_VISITORS", "OSA", 10.1, "MASTERCARD2019"),
    fig("TOU_VISITORS", "MIL", 9.1, "MASTERCARD2019"), fig("TOU_VISITORS", "BCN", 9.1, "MASTERCARD2019"),
    fig("TOU_VISITORS", "HKG", 26.7, "EUROMONITOR2019"),
    // ICCA country and city rankings (2019; 2018 for Hong Kong, Amsterdam, Seoul, Copenhagen, Bangkok).
    fig("AFF_MEETINGS", "PAR", 237.0, "ICCA2019"), fig("AFF_MEETINGS", "BER", 176.0, "ICCA2019"),
    fig("AFF_MEETINGS", "BCN", 156.0, "ICCA2019"), fig("AFF_MEETINGS", "MAD", 154.0, "ICCA2019"),
    fig("AFF_MEETINGS", "VIE", 149.0, "ICCA2019"), fig("AFF_MEETINGS", "SIN", 148.0, "ICCA2019"),
    fig("AFF_MEETINGS", "LON", 143.0, "ICCA2019"), fig("AFF_MEETINGS", "TOK", 131.0, "ICCA2019"),
    fig("AFF_MEETINGS", "HKG", 129.0, "ICCA2018"), fig("AFF_MEETINGS", "AMS", 123.0, "ICCA2018"),
    fig("AFF_MEETINGS", "SEO", 122.0, "ICCA2018"), fig("AFF_MEETINGS", "CPH", 120.0, "ICCA2018"),
    fig("AFF_MEETINGS", "BKK", 135.0, "ICCA2018"),
    // Fortune Global 500, 2022 list.
    fig("ECO_G500", "BEJ", 54.0, "FORTUNE2022"), fig("ECO_G500", "SHA", 12.0, "FORTUNE2022"),
    fig("ECO_G500", "SHZ", 10.0, "FORTUNE2022"),
    // GDP per capita, 2022, current USD thousand: Asian Development Bank Key Indicators
    // (Singapore, Hong Kong); Beijing derived from its 2022 statistical communique.
    fig("ECO_GDPPC", "SIN", 90.3, "ADB2023"), fig("ECO_GDPPC", "HKG", 48.8, "ADB2023"),
    fig("ECO_GDPPC", "BEJ", 28.3, "BJSTATS2022"),
    // UNCTAD World Investment Report 2023: FDI inflows in 2022 (city-economies only).
    fig("ECO_FDI", "SIN", 141.0, "UNCTAD2023"), fig("ECO_FDI", "HKG", 118.0, "UNCTAD2023"),
    // Airport operators' 2022 traffic reports (international passengers, main airport).
    fig("TRA_AIRPAX", "DXB", 66.1, "AIRPORTS2022"), fig("TRA_AIRPAX", "LON", 58.2, "AIRPORTS2022"),
    fig("TRA_AIRPAX", "AMS", 52.5, "AIRPORTS2022"), fig("TRA_AIRPAX", "PAR", 51.8, "AIRPORTS2022"),
    fig("TRA_AIRPAX", "FRA", 44.8, "AIRPORTS2022"), fig("TRA_AIRPAX", "MAD", 36.2, "AIRPORTS2022"),
    fig("TRA_AIRPAX", "SIN", 31.9, "AIRPORTS2022"),
    // IOM World Migration Report 2015 (foreign-born share).
    fig("PEO_FOREIGN", "DXB", 83.0, "IOM2015"), fig("PEO_FOREIGN", "TOR", 46.0, "IOM2015"),
    fig("PEO_FOREIGN", "SYD", 39.0, "IOM2015"), fig("PEO_FOREIGN", "LAX", 39.0, "IOM2015"),
    fig("PEO_FOREIGN", "SIN", 38.0, "IOM2015"), fig("PEO_FOREIGN", "LON", 37.0, "IOM2015"),
    fig("PEO_FOREIGN", "NYC", 37.0, "IOM2015"), fig("PEO_FOREIGN", "MEL", 35.0, "IOM2015"),
];

impl SourcedValue {
    /// The value written to data.csv.
    pub fn resolved_value(&self) -> f64 {
        match self.kind {
            SourceKind::InverseSqrtRank(rank) => round_to(100.0 / f64::from(rank).sqrt(), 1),
            _ => self.value,
        }
    }
}

/// Provenance of one cell of the generated data.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CellOrigin {
    Sourced,
    /// Synthetic: noisy anchor, possibly nudged by the repair.
    Synthetic,
}

/// One repair nudge summary: how far a synthetic cell ended from its noisy anchor.
#[derive(Debug, Clone)]
pub struct Nudge {
    pub indicator: &'static str,
    pub city: &'static str,
    pub anchor: f64,
    pub value: f64,
}

/// Everything the generator produced, for the files and for auditing.
#[derive(Debug, Clone)]
pub struct Generated {
    pub meta_csv: String,
    pub data_csv: String,
    /// Cells the repair moved away from their noisy anchors.
    pub nudges: Vec<Nudge>,
    /// Repair steps taken.
    pub repair_steps: usize,
    /// Repaired targets still short of [`RANK_MARGIN`], with their distance in score points
    /// (empty when every repaired fact holds with margin).
    pub unmet_targets: Vec<(String, f64)>,
    /// Origin of each cell, `[city][indicator]`.
    pub origins: Vec<[CellOrigin; N_INDICATORS]>,
}

/// Builds meta.csv and data.csv (the committed files are exactly this output).
pub fn generate() -> (String, String) {
    let generated = generate_with_audit();
    (generated.meta_csv, generated.data_csv)
}

/// Builds the data set and reports what the repair did.
pub fn generate_with_audit() -> Generated {
    let meta_csv = meta_csv();
    // Start: anchors with sourced cells filled in.
    let mut origins = vec![[CellOrigin::Synthetic; N_INDICATORS]; N_CITIES];
    let mut values = vec![[0.0; N_INDICATORS]; N_CITIES];
    for (c, row) in values.iter_mut().enumerate() {
        for (i, spec) in INDICATORS.iter().enumerate() {
            row[i] = spec.anchors[c];
        }
    }
    for sourced in SOURCED {
        let i = indicator_index(sourced.indicator);
        let c = city_index(sourced.city);
        assert!(
            values[c][i].is_nan(),
            "{} {} is sourced but has an anchor",
            sourced.indicator,
            sourced.city
        );
        values[c][i] = sourced.resolved_value();
        origins[c][i] = CellOrigin::Sourced;
    }
    // Seeded noise: one normal draw per cell in a fixed order, used or not, so the stream of
    // every cell is independent of which cells are sourced.
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    for (i, spec) in INDICATORS.iter().enumerate() {
        for c in 0..N_CITIES {
            let z = standard_normal(&mut rng);
            if origins[c][i] == CellOrigin::Sourced {
                continue;
            }
            let anchor = values[c][i];
            assert!(
                anchor.is_finite(),
                "{} {} has no anchor",
                spec.code,
                CITIES[c].code
            );
            let noisy = match spec.noise {
                Noise::None => anchor,
                Noise::Relative(sigma) => anchor * (1.0 + sigma * z),
                Noise::Absolute(sigma) => anchor + sigma * z,
            };
            let high = spec
                .plausible
                .1
                .min(spec.synthetic_ceiling - precision_unit(spec.decimals));
            values[c][i] = round_to(noisy.clamp(spec.plausible.0, high), spec.decimals);
        }
    }
    let noisy_anchors = values.clone();

    let model =
        NominalModel::parse(&meta_csv, &data_csv_text(&values)).expect("generated files parse");
    let facts = parse_facts(PUBLISHED_FACTS).expect("published facts parse");
    let targets = rank_targets(&model, &facts);

    // Column-major raw matrix in the model's indicator order (the same as INDICATORS).
    let mut raw = model.raw.clone();
    let mut repair = Repair::new(&model, &targets, &origins, &noisy_anchors);
    let repair_steps = repair.run(&mut raw);
    let unmet_targets = repair.unmet_targets(&raw);
    for (c, row) in values.iter_mut().enumerate() {
        for (i, value) in row.iter_mut().enumerate() {
            *value = raw[i * N_CITIES + c];
        }
    }
    let mut nudges = Vec::new();
    for (i, spec) in INDICATORS.iter().enumerate() {
        for (c, city) in CITIES.iter().enumerate() {
            if values[c][i] != noisy_anchors[c][i] {
                nudges.push(Nudge {
                    indicator: spec.code,
                    city: city.code,
                    anchor: noisy_anchors[c][i],
                    value: values[c][i],
                });
            }
        }
    }
    Generated {
        meta_csv,
        data_csv: data_csv_text(&values),
        nudges,
        repair_steps,
        unmet_targets,
        origins,
    }
}

fn indicator_index(code: &str) -> usize {
    INDICATORS
        .iter()
        .position(|s| s.code == code)
        .unwrap_or_else(|| panic!("unknown indicator {code}"))
}

fn city_index(code: &str) -> usize {
    CITIES
        .iter()
        .position(|c| c.code == code)
        .unwrap_or_else(|| panic!("unknown city {code}"))
}

/// Powers of ten for the supported precisions (exact, unlike a library `powi`).
const POWERS_OF_TEN: [f64; 3] = [1.0, 10.0, 100.0];

/// Rounds half away from zero to `decimals` places.
fn round_to(value: f64, decimals: usize) -> f64 {
    let scale = POWERS_OF_TEN[decimals];
    (value * scale).round() / scale
}

/// The smallest step of a column with `decimals` places.
fn precision_unit(decimals: usize) -> f64 {
    1.0 / POWERS_OF_TEN[decimals]
}

/// An approximately standard normal variate: the Irwin–Hall sum of twelve uniforms minus six
/// (mean 0, variance 1, bounded by ±6). Chosen over Box–Muller because it needs no
/// transcendental functions, whose last bit may differ between platforms' maths libraries.
fn standard_normal(rng: &mut ChaCha8Rng) -> f64 {
    (0..12).map(|_| rng.random::<f64>()).sum::<f64>() - 6.0
}

/// Quotes a CSV field if it needs it (RFC 4180).
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

fn meta_csv() -> String {
    let mut out = String::from("Level,iCode,iName,Direction,Weight,Parent,Type,Unit\n");
    for spec in &INDICATORS {
        out.push_str(&format!(
            "1,{},{},{},1,{},Indicator,{}\n",
            spec.code,
            csv_field(spec.name),
            spec.direction,
            spec.parent,
            csv_field(spec.unit)
        ));
    }
    for (code, name, parent) in SUB_DIMENSIONS {
        out.push_str(&format!(
            "2,{code},{},1,1,{parent},Aggregate,Score\n",
            csv_field(name)
        ));
    }
    for (code, name, parent) in DIMENSIONS {
        out.push_str(&format!(
            "3,{code},{},1,1,{parent},Aggregate,Score\n",
            csv_field(name)
        ));
    }
    out.push_str(&format!(
        "4,{INDEX_CODE},{},1,1,,Aggregate,Score\n",
        csv_field(INDEX_NAME)
    ));
    out.push_str(",Region,Region,,,,Group,\n");
    out
}

fn data_csv_text(values: &[[f64; N_INDICATORS]]) -> String {
    let mut out = String::from("uCode,uName,Region");
    for spec in &INDICATORS {
        out.push(',');
        out.push_str(spec.code);
    }
    out.push('\n');
    for (city, row) in CITIES.iter().zip(values) {
        out.push_str(&format!(
            "{},{},{}",
            city.code,
            csv_field(city.name),
            csv_field(city.region.label())
        ));
        for (spec, value) in INDICATORS.iter().zip(row) {
            // `+ 0.0` turns a negative zero into a positive one.
            out.push_str(&format!(",{:.*}", spec.decimals, value + 0.0));
        }
        out.push('\n');
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Nominal scorer and fact checker (generic: they read any meta.csv / data.csv of this shape).
// ---------------------------------------------------------------------------------------------

/// Splits CSV text into records of fields (RFC 4180 quoting; no embedded newlines needed here).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            continue;
        }
        let mut fields = Vec::new();
        let mut field = String::new();
        let mut quoted = false;
        let mut chars = line.chars().peekable();
        while let Some(ch) = chars.next() {
            match (ch, quoted) {
                ('"', true) if chars.peek() == Some(&'"') => {
                    field.push('"');
                    chars.next();
                }
                ('"', _) => quoted = !quoted,
                (',', false) => fields.push(std::mem::take(&mut field)),
                _ => field.push(ch),
            }
        }
        fields.push(field);
        records.push(fields);
    }
    records
}

fn column(header: &[String], name: &str) -> Result<usize, String> {
    header
        .iter()
        .position(|h| h == name)
        .ok_or_else(|| format!("missing column {name}"))
}

/// The framework and raw data of an index, read from meta.csv and data.csv.
#[derive(Debug, Clone)]
pub struct NominalModel {
    /// Node codes: indicators first (meta.csv order), then aggregates by ascending level.
    pub node_codes: Vec<String>,
    pub node_levels: Vec<usize>,
    /// Parent node index (`None` for the top node).
    pub parents: Vec<Option<usize>>,
    /// Nominal weights (relative within the parent).
    pub weights: Vec<f64>,
    /// Direction of each indicator (+1 / −1).
    pub directions: Vec<f64>,
    pub n_indicators: usize,
    pub unit_codes: Vec<String>,
    pub unit_names: Vec<String>,
    /// Raw values, column-major: `raw[indicator * n_units + unit]`.
    pub raw: Vec<f64>,
}

impl NominalModel {
    /// Reads meta.csv and data.csv text.
    pub fn parse(meta_csv: &str, data_csv: &str) -> Result<Self, String> {
        let meta = parse_csv(meta_csv);
        let header = meta.first().ok_or("empty meta.csv")?;
        let level_col = column(header, "Level")?;
        let code_col = column(header, "iCode")?;
        let direction_col = column(header, "Direction")?;
        let weight_col = column(header, "Weight")?;
        let parent_col = column(header, "Parent")?;
        let type_col = column(header, "Type")?;
        let mut rows: Vec<(usize, String, f64, f64, String)> = Vec::new();
        for record in &meta[1..] {
            let kind = record.get(type_col).map(String::as_str).unwrap_or("");
            if kind != "Indicator" && kind != "Aggregate" {
                continue;
            }
            let level: usize = record[level_col]
                .parse()
                .map_err(|_| format!("bad level for {}", record[code_col]))?;
            let direction: f64 = record[direction_col].parse().unwrap_or(1.0);
            let weight: f64 = record[weight_col].parse().unwrap_or(1.0);
            rows.push((
                level,
                record[code_col].clone(),
                direction,
                weight,
                record[parent_col].clone(),
            ));
        }
        // Stable sort by level keeps meta.csv order within a level.
        rows.sort_by_key(|r| r.0);
        let node_codes: Vec<String> = rows.iter().map(|r| r.1.clone()).collect();
        let n_indicators = rows.iter().filter(|r| r.0 == 1).count();
        let mut parents = Vec::with_capacity(rows.len());
        for row in &rows {
            if row.4.is_empty() {
                parents.push(None);
            } else {
                let parent = node_codes
                    .iter()
                    .position(|c| *c == row.4)
                    .ok_or_else(|| format!("unknown parent {} of {}", row.4, row.1))?;
                if rows[parent].0 != row.0 + 1 {
                    return Err(format!("parent {} of {} is not one level up", row.4, row.1));
                }
                parents.push(Some(parent));
            }
        }
        if parents.iter().filter(|p| p.is_none()).count() != 1 {
            return Err("exactly one top node expected".into());
        }

        let data = parse_csv(data_csv);
        let header = data.first().ok_or("empty data.csv")?;
        let ucode_col = column(header, "uCode")?;
        let uname_col = column(header, "uName")?;
        let units = &data[1..];
        let mut raw = vec![f64::NAN; n_indicators * units.len()];
        for (i, code) in node_codes.iter().take(n_indicators).enumerate() {
            let col = column(header, code)?;
            for (u, record) in units.iter().enumerate() {
                raw[i * units.len() + u] = record[col]
                    .parse()
                    .map_err(|_| format!("{code} of {}: not a number", record[ucode_col]))?;
            }
        }
        Ok(NominalModel {
            node_levels: rows.iter().map(|r| r.0).collect(),
            weights: rows.iter().map(|r| r.3).collect(),
            directions: rows.iter().take(n_indicators).map(|r| r.2).collect(),
            node_codes,
            parents,
            n_indicators,
            unit_codes: units.iter().map(|r| r[ucode_col].clone()).collect(),
            unit_names: units.iter().map(|r| r[uname_col].clone()).collect(),
            raw,
        })
    }

    pub fn n_units(&self) -> usize {
        self.unit_codes.len()
    }
    pub fn n_nodes(&self) -> usize {
        self.node_codes.len()
    }
    pub fn node(&self, code: &str) -> Option<usize> {
        self.node_codes.iter().position(|c| c == code)
    }
    pub fn unit_by_name(&self, name: &str) -> Option<usize> {
        self.unit_names.iter().position(|n| n == name)
    }

    /// Scores every node for every unit into `out` (`out[node * n_units + unit]`):
    /// indicators `100 (d·x − min)/(max − min)` with `d` the direction (min and max of `d·x`
    /// over units), aggregates the weighted arithmetic mean of their children, weights
    /// renormalised within each parent (the assumed nominal method; OECD/JRC 2008 Handbook).
    pub fn score_into(&self, raw: &[f64], out: &mut [f64]) {
        let n = self.n_units();
        for i in 0..self.n_indicators {
            let d = self.directions[i];
            let column = &raw[i * n..(i + 1) * n];
            let (mut low, mut high) = (f64::INFINITY, f64::NEG_INFINITY);
            for &x in column {
                low = low.min(d * x);
                high = high.max(d * x);
            }
            let range = high - low;
            for (u, &x) in column.iter().enumerate() {
                out[i * n + u] = if range > 0.0 {
                    100.0 * (d * x - low) / range
                } else {
                    50.0
                };
            }
        }
        for node in self.n_indicators..self.n_nodes() {
            out[node * n..(node + 1) * n].fill(0.0);
        }
        // Children precede parents in storage order, so one forward pass accumulates every
        // aggregate; weight sums divide afterwards.
        let mut weight_sums = vec![0.0; self.n_nodes()];
        for node in 0..self.n_nodes() {
            if node >= self.n_indicators {
                let sum = weight_sums[node];
                for value in &mut out[node * n..(node + 1) * n] {
                    *value /= sum;
                }
            }
            if let Some(parent) = self.parents[node] {
                let w = self.weights[node];
                weight_sums[parent] += w;
                for u in 0..n {
                    out[parent * n + u] += w * out[node * n + u];
                }
            }
        }
    }
}

/// Nominal scores and ranks of every node.
#[derive(Debug, Clone)]
pub struct NominalScores {
    pub model: NominalModel,
    /// `scores[node * n_units + unit]`.
    pub scores: Vec<f64>,
}

impl NominalScores {
    pub fn compute(meta_csv: &str, data_csv: &str) -> Result<Self, String> {
        let model = NominalModel::parse(meta_csv, data_csv)?;
        let mut scores = vec![0.0; model.n_nodes() * model.n_units()];
        model.score_into(&model.raw, &mut scores);
        Ok(NominalScores { model, scores })
    }

    /// Scores of all units at a node.
    pub fn node_scores(&self, node: usize) -> &[f64] {
        let n = self.model.n_units();
        &self.scores[node * n..(node + 1) * n]
    }

    /// Ranks at a node: descending score, ties share the best rank.
    pub fn node_ranks(&self, node: usize) -> Vec<usize> {
        ranks_descending(self.node_scores(node))
    }
}

/// Ranks by descending value, ties sharing the best (smallest) rank: 1 + number of strictly
/// greater values (R `rank(-x, ties.method = "min")`).
pub fn ranks_descending(values: &[f64]) -> Vec<usize> {
    values
        .iter()
        .map(|&v| 1 + values.iter().filter(|&&w| w > v).count())
        .collect()
}

/// One row of published_facts.csv.
#[derive(Debug, Clone)]
pub struct Fact {
    pub fact_id: String,
    pub unit: String,
    pub measure: String,
    pub code: String,
    pub rank: Option<usize>,
    pub value: Option<f64>,
}

pub fn parse_facts(facts_csv: &str) -> Result<Vec<Fact>, String> {
    let records = parse_csv(facts_csv);
    let header = records.first().ok_or("empty facts file")?;
    let id = column(header, "fact_id")?;
    let unit = column(header, "unit")?;
    let measure = column(header, "measure")?;
    let code = column(header, "code")?;
    let rank = column(header, "rank")?;
    let value = column(header, "value")?;
    records[1..]
        .iter()
        .map(|r| {
            Ok(Fact {
                fact_id: r[id].clone(),
                unit: r[unit].clone(),
                measure: r[measure].clone(),
                code: r[code].clone(),
                rank: match r[rank].as_str() {
                    "" => None,
                    text => Some(text.parse().map_err(|_| format!("{}: bad rank", r[id]))?),
                },
                value: match r[value].as_str() {
                    "" => None,
                    text => Some(text.parse().map_err(|_| format!("{}: bad value", r[id]))?),
                },
            })
        })
        .collect()
}

/// Parses the `(rank A-B)` range of a membership measure.
fn membership_range(measure: &str) -> Option<(usize, usize)> {
    let tail = &measure[measure.find("rank ")? + 5..];
    let tail = tail.trim_end_matches(')');
    let (low, high) = tail.split_once('-')?;
    Some((low.trim().parse().ok()?, high.trim().parse().ok()?))
}

/// Checks every published fact against meta.csv/data.csv under the nominal method; returns one
/// message per violated fact (empty when all hold).
pub fn check_published_facts(meta_csv: &str, data_csv: &str, facts_csv: &str) -> Vec<String> {
    let scores = match NominalScores::compute(meta_csv, data_csv) {
        Ok(scores) => scores,
        Err(e) => return vec![format!("files do not load: {e}")],
    };
    let facts = match parse_facts(facts_csv) {
        Ok(facts) => facts,
        Err(e) => return vec![format!("facts do not load: {e}")],
    };
    let model = &scores.model;
    let mut violations = Vec::new();
    for fact in &facts {
        let Some(unit) = model.unit_by_name(&fact.unit) else {
            violations.push(format!(
                "{}: unit {} is not in data.csv",
                fact.fact_id, fact.unit
            ));
            continue;
        };
        let Some(node) = model.node(&fact.code) else {
            violations.push(format!(
                "{}: node {} is not in meta.csv",
                fact.fact_id, fact.code
            ));
            continue;
        };
        let rank = scores.node_ranks(node)[unit];
        if fact.measure.starts_with("member") {
            match membership_range(&fact.measure) {
                Some((low, high)) if (low..=high).contains(&rank) => {}
                Some((low, high)) => violations.push(format!(
                    "{}: {} ranks {rank} at {}, published range {low}-{high}",
                    fact.fact_id, fact.unit, fact.code
                )),
                None => violations.push(format!(
                    "{}: cannot read the rank range of '{}'",
                    fact.fact_id, fact.measure
                )),
            }
            continue;
        }
        if !fact.measure.ends_with("rank") && !fact.measure.ends_with("value") {
            violations.push(format!(
                "{}: unknown measure '{}'",
                fact.fact_id, fact.measure
            ));
            continue;
        }
        if let Some(published) = fact.rank
            && rank != published
        {
            violations.push(format!(
                "{}: {} ranks {rank} at {}, published {published}",
                fact.fact_id, fact.unit, fact.code
            ));
        }
        if let Some(published) = fact.value {
            if node >= model.n_indicators {
                violations.push(format!("{}: a value fact needs an indicator", fact.fact_id));
            } else {
                let value = model.raw[node * model.n_units() + unit];
                if (value - published).abs() > 1e-9 {
                    violations.push(format!(
                        "{}: {} has {value} at {}, published {published}",
                        fact.fact_id, fact.unit, fact.code
                    ));
                }
            }
        }
    }
    violations
}

// ---------------------------------------------------------------------------------------------
// Repair: greedy descent on the distance to the published ranks plus a deviation price.
// ---------------------------------------------------------------------------------------------

/// What an unmet target asks for: at `node`, each listed unit should move its score by the
/// given amount; `distance` is the length of that move.
#[derive(Debug, Clone)]
struct TargetMoves {
    node: usize,
    unit_moves: Vec<(usize, f64)>,
    distance: f64,
}

/// A published ranking the repair enforces with margin [`RANK_MARGIN`].
#[derive(Debug, Clone)]
enum RankTarget {
    /// Units holding ranks 1..=k at a node, in order; every other unit ranks below them.
    Chain {
        fact_ids: Vec<String>,
        node: usize,
        order: Vec<usize>,
    },
    /// One unit at one rank; which units are above it is free.
    Position {
        fact_id: String,
        node: usize,
        unit: usize,
        rank: usize,
    },
}

impl RankTarget {
    fn node(&self) -> usize {
        match self {
            RankTarget::Chain { node, .. } | RankTarget::Position { node, .. } => *node,
        }
    }
    fn label(&self) -> String {
        match self {
            RankTarget::Chain { fact_ids, .. } => fact_ids.join("+"),
            RankTarget::Position { fact_id, .. } => fact_id.clone(),
        }
    }
}

/// Groups the rank facts by node: ranks 1..=k of one node form a chain, any other rank fact
/// stands alone.
fn rank_targets(model: &NominalModel, facts: &[Fact]) -> Vec<RankTarget> {
    /// (rank, unit, fact id) of the rank facts of one node.
    type NodeFacts = Vec<(usize, usize, String)>;
    let mut by_node: Vec<(usize, NodeFacts)> = Vec::new();
    for fact in facts {
        if !fact.measure.ends_with("rank") {
            continue;
        }
        let (Some(node), Some(unit), Some(rank)) = (
            model.node(&fact.code),
            model.unit_by_name(&fact.unit),
            fact.rank,
        ) else {
            continue;
        };
        match by_node.iter_mut().find(|(n, _)| *n == node) {
            Some((_, list)) => list.push((rank, unit, fact.fact_id.clone())),
            None => by_node.push((node, vec![(rank, unit, fact.fact_id.clone())])),
        }
    }
    let mut targets = Vec::new();
    for (node, mut list) in by_node {
        list.sort_by_key(|entry| entry.0);
        let is_chain = list.iter().enumerate().all(|(k, entry)| entry.0 == k + 1);
        if is_chain {
            targets.push(RankTarget::Chain {
                fact_ids: list.iter().map(|e| e.2.clone()).collect(),
                node,
                order: list.iter().map(|e| e.1).collect(),
            });
        } else {
            targets.extend(
                list.into_iter()
                    .map(|(rank, unit, fact_id)| RankTarget::Position {
                        fact_id,
                        node,
                        unit,
                        rank,
                    }),
            );
        }
    }
    targets
}

/// Euclidean distance from the scores of one node to the nearest scores that satisfy a target
/// with margin `RANK_MARGIN`; `moves` receives, per unit that must move, the signed move.
///
/// Chain: with offsets `o_k = m·(k−1)` for the k-th chained unit and `o = m·k` for every other
/// unit (sorted by score), the constraint is that `y = s + o` be non-increasing, so the nearest
/// feasible point is the antitonic regression of `y` (pool-adjacent-violators; Barlow et al.
/// 1972) minus the offsets. Position (unit u at rank r): for a trial score `t` of u, the others
/// that must be above move up to `t + m`, those below move down to `t − m`; the squared distance
/// is convex piecewise quadratic in `t` and is minimised by iterating its active set.
fn target_distance(
    target: &RankTarget,
    row: &[f64],
    work: &mut Vec<(f64, usize)>,
    mut moves: Option<&mut Vec<(usize, f64)>>,
) -> f64 {
    let m = RANK_MARGIN;
    match target {
        RankTarget::Chain { order, .. } => {
            // Sequence: chained units, then the others by descending score.
            work.clear();
            for (k, &unit) in order.iter().enumerate() {
                work.push((row[unit] + m * k as f64, unit));
            }
            let start = work.len();
            for (unit, &score) in row.iter().enumerate() {
                if !order.contains(&unit) {
                    work.push((score + m * order.len() as f64, unit));
                }
            }
            work[start..].sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            // Antitonic regression by pool-adjacent-violators: blocks of (sum, count).
            let mut blocks: Vec<(f64, usize)> = Vec::with_capacity(work.len());
            for &(y, _) in work.iter() {
                blocks.push((y, 1));
                while blocks.len() > 1 {
                    let (last_sum, last_count) = blocks[blocks.len() - 1];
                    let (prev_sum, prev_count) = blocks[blocks.len() - 2];
                    if prev_sum / prev_count as f64 >= last_sum / last_count as f64 {
                        break;
                    }
                    blocks.pop();
                    let merged = blocks.last_mut().expect("two blocks");
                    *merged = (prev_sum + last_sum, prev_count + last_count);
                }
            }
            let mut squared = 0.0;
            let mut position = 0;
            for (sum, count) in blocks {
                let mean = sum / count as f64;
                for &(y, unit) in &work[position..position + count] {
                    let delta = mean - y;
                    if delta.abs() > 1e-12 {
                        squared += delta * delta;
                        if let Some(list) = moves.as_mut() {
                            list.push((unit, delta));
                        }
                    }
                }
                position += count;
            }
            squared.sqrt()
        }
        RankTarget::Position { unit, rank, .. } => {
            let own = row[*unit];
            work.clear();
            work.extend(
                row.iter()
                    .enumerate()
                    .filter(|&(u, _)| u != *unit)
                    .map(|(u, &s)| (s, u)),
            );
            work.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            let above = rank - 1;
            let cost_and_slope = |t: f64| {
                let mut cost = (t - own) * (t - own);
                let mut weight = 1.0;
                let mut pull = own;
                for (k, &(s, _)) in work.iter().enumerate() {
                    let violation = if k < above { t + m - s } else { s - (t - m) };
                    if violation > 0.0 {
                        cost += violation * violation;
                        weight += 1.0;
                        pull += if k < above { s - m } else { s + m };
                    }
                }
                (cost, pull / weight)
            };
            // Active-set iteration: t ← minimiser of the quadratic on the current active set.
            let mut t = own;
            for _ in 0..64 {
                let next = cost_and_slope(t).1;
                if (next - t).abs() < 1e-12 {
                    break;
                }
                t = next;
            }
            let squared = cost_and_slope(t).0;
            if let Some(list) = moves.as_mut()
                && squared > 1e-24
            {
                list.push((*unit, t - own));
                for (k, &(s, other)) in work.iter().enumerate() {
                    let goal = if k < above {
                        s.max(t + m)
                    } else {
                        s.min(t - m)
                    };
                    if (goal - s).abs() > 1e-12 {
                        list.push((other, goal - s));
                    }
                }
            }
            squared.sqrt()
        }
    }
}

struct Repair<'a> {
    model: &'a NominalModel,
    targets: &'a [RankTarget],
    /// `movable[indicator * n_units + unit]`.
    movable: Vec<bool>,
    anchor: Vec<f64>,
    /// Largest allowed |value − anchor| per cell.
    limit: Vec<f64>,
    /// Step per indicator.
    step: Vec<f64>,
    /// For each indicator: (ancestor node, product of renormalised weights from the indicator).
    ancestors: Vec<Vec<(usize, f64)>>,
    scores: Vec<f64>,
    work: Vec<(f64, usize)>,
    /// Current price of a full-limit deviation (see [`Repair::run`]).
    price: f64,
}

impl<'a> Repair<'a> {
    fn new(
        model: &'a NominalModel,
        targets: &'a [RankTarget],
        origins: &[[CellOrigin; N_INDICATORS]],
        noisy_anchors: &[[f64; N_INDICATORS]],
    ) -> Self {
        let n = model.n_units();
        let mut movable = vec![false; model.n_indicators * n];
        let mut anchor = vec![0.0; model.n_indicators * n];
        let mut limit = vec![0.0; model.n_indicators * n];
        let mut step = vec![0.0; model.n_indicators];
        for (i, spec) in INDICATORS.iter().enumerate() {
            let column: Vec<f64> = (0..n).map(|c| noisy_anchors[c][i]).collect();
            let range = column.iter().cloned().fold(f64::NEG_INFINITY, f64::max)
                - column.iter().cloned().fold(f64::INFINITY, f64::min);
            let unit = precision_unit(spec.decimals);
            step[i] = round_to((STEP_FRACTION * range).max(unit), spec.decimals);
            for c in 0..n {
                let cell = i * n + c;
                let a = noisy_anchors[c][i];
                anchor[cell] = a;
                limit[cell] = (spec.nudge.relative * a.abs()).min(spec.nudge.absolute);
                movable[cell] = origins[c][i] == CellOrigin::Synthetic && limit[cell] >= step[i];
            }
        }
        let mut weight_sums = vec![0.0; model.n_nodes()];
        for node in 0..model.n_nodes() {
            if let Some(parent) = model.parents[node] {
                weight_sums[parent] += model.weights[node];
            }
        }
        let ancestors = (0..model.n_indicators)
            .map(|i| {
                let mut chain = vec![(i, 1.0)];
                let (mut node, mut factor) = (i, 1.0);
                while let Some(parent) = model.parents[node] {
                    factor *= model.weights[node] / weight_sums[parent];
                    chain.push((parent, factor));
                    node = parent;
                }
                chain
            })
            .collect();
        Repair {
            model,
            targets,
            movable,
            anchor,
            limit,
            step,
            ancestors,
            scores: vec![0.0; model.n_nodes() * n],
            work: Vec::with_capacity(n),
            price: DEVIATION_PRICE,
        }
    }

    /// Sum over targets of the distance to the feasible scores; `moves` collects, per target,
    /// the node and the signed score moves that would reach it.
    fn distance(&mut self, raw: &[f64], mut moves: Option<&mut Vec<TargetMoves>>) -> f64 {
        let n = self.model.n_units();
        self.model.score_into(raw, &mut self.scores);
        let mut total = 0.0;
        for target in self.targets {
            let node = target.node();
            let row = &self.scores[node * n..(node + 1) * n];
            let mut unit_moves = Vec::new();
            let want = moves.is_some();
            let d = target_distance(target, row, &mut self.work, want.then_some(&mut unit_moves));
            if let Some(list) = moves.as_mut()
                && d > 0.0
            {
                list.push(TargetMoves {
                    node,
                    unit_moves,
                    distance: d,
                });
            }
            total += d;
        }
        total
    }

    fn deviation_cost(&self, cell: usize, value: f64) -> f64 {
        if !self.movable[cell] {
            return 0.0;
        }
        let relative = (value - self.anchor[cell]) / self.limit[cell];
        self.price * relative * relative
    }

    fn total_deviation_cost(&self, raw: &[f64]) -> f64 {
        (0..raw.len())
            .map(|cell| self.deviation_cost(cell, raw[cell]))
            .sum()
    }

    /// Targets that still miss their margin, with their remaining distance.
    fn unmet_targets(&mut self, raw: &[f64]) -> Vec<(String, f64)> {
        let n = self.model.n_units();
        self.model.score_into(raw, &mut self.scores);
        let mut unmet = Vec::new();
        for target in self.targets {
            let node = target.node();
            let row = &self.scores[node * n..(node + 1) * n];
            let d = target_distance(target, row, &mut self.work, None);
            if d > 1e-9 {
                unmet.push((target.label(), d));
            }
        }
        unmet
    }

    /// Runs the descent; returns the number of steps taken.
    ///
    /// Phase 1 prices deviations ([`DEVIATION_PRICE`]) so that nudges spread over many cells;
    /// if it stalls short of the margins, phase 2 drops the price and phase 3 also refines the
    /// step to the column's precision, so only a genuinely infeasible target stays unmet.
    fn run(&mut self, raw: &mut [f64]) -> usize {
        let coarse = self.step.clone();
        let fine: Vec<f64> = INDICATORS
            .iter()
            .map(|spec| precision_unit(spec.decimals))
            .collect();
        let mut steps = 0;
        for (price, step) in [(DEVIATION_PRICE, &coarse), (0.0, &coarse), (0.0, &fine)] {
            self.price = price;
            self.step.clone_from(step);
            steps += self.descend(raw, MAX_REPAIR_STEPS - steps);
            if self.distance(raw, None) <= 1e-9 {
                break;
            }
        }
        self.price = DEVIATION_PRICE;
        self.step = coarse;
        steps
    }

    /// Greedy descent at the current price and step; returns the number of steps taken.
    fn descend(&mut self, raw: &mut [f64], max_steps: usize) -> usize {
        let n = self.model.n_units();
        let mut moves = Vec::new();
        let mut seen = vec![false; raw.len() * 2];
        let mut deviation = self.total_deviation_cost(raw);
        let mut steps = 0;
        while steps < max_steps {
            moves.clear();
            let distance = self.distance(raw, Some(&mut moves));
            if distance <= 1e-9 {
                break;
            }
            let objective = distance + deviation;
            // Candidates: a step of a cell of a unit that must move, on an indicator below the
            // target's node, in the direction of the move. The estimate is the directional
            // derivative of the distance (ignoring min/max shifts) minus the deviation price.
            seen.fill(false);
            let mut candidates: Vec<(f64, usize, f64)> = Vec::new(); // (estimate, cell, sign)
            for target in &moves {
                for &(unit, delta) in &target.unit_moves {
                    let sign = delta.signum();
                    for i in 0..self.model.n_indicators {
                        if !self.ancestors[i].iter().any(|&(a, _)| a == target.node) {
                            continue;
                        }
                        let cell = i * n + unit;
                        let key = cell * 2 + usize::from(sign > 0.0);
                        if !self.movable[cell] || seen[key] {
                            continue;
                        }
                        seen[key] = true;
                        let estimate = self.estimate(raw, &moves, i, unit, sign);
                        candidates.push((estimate, cell, sign));
                    }
                }
            }
            candidates.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            let mut best: Option<(f64, usize, f64, f64)> = None; // (objective, cell, value, dev)
            for (rank, &(_, cell, sign)) in candidates.iter().enumerate() {
                if rank >= CANDIDATES_PER_STEP && best.is_some() {
                    break;
                }
                let Some(new_value) = self.stepped(raw, cell, sign) else {
                    continue;
                };
                let old_value = raw[cell];
                let new_deviation = deviation - self.deviation_cost(cell, old_value)
                    + self.deviation_cost(cell, new_value);
                raw[cell] = new_value;
                let value = self.distance(raw, None) + new_deviation;
                raw[cell] = old_value;
                if value < objective - 1e-12 && best.is_none_or(|b| value < b.0) {
                    best = Some((value, cell, new_value, new_deviation));
                }
            }
            let Some((_, cell, new_value, new_deviation)) = best else {
                break;
            };
            raw[cell] = new_value;
            deviation = new_deviation;
            steps += 1;
        }
        steps
    }

    /// The value of `cell` one step towards a better (`sign` > 0) or worse score, if allowed.
    fn stepped(&self, raw: &[f64], cell: usize, sign: f64) -> Option<f64> {
        let i = cell / self.model.n_units();
        let spec = &INDICATORS[i];
        let direction = self.model.directions[i];
        let value = round_to(raw[cell] + sign * direction * self.step[i], spec.decimals);
        let within_limit = (value - self.anchor[cell]).abs() <= self.limit[cell] + 1e-9;
        let within_range = value >= spec.plausible.0
            && value <= spec.plausible.1
            && value < spec.synthetic_ceiling;
        (within_limit && within_range).then_some(value)
    }

    /// Linear estimate of the objective decrease from stepping `(indicator, unit)` by `sign`.
    fn estimate(
        &self,
        raw: &[f64],
        moves: &[TargetMoves],
        i: usize,
        unit: usize,
        sign: f64,
    ) -> f64 {
        let n = self.model.n_units();
        let column = &raw[i * n..(i + 1) * n];
        let range = column.iter().cloned().fold(f64::NEG_INFINITY, f64::max)
            - column.iter().cloned().fold(f64::INFINITY, f64::min);
        let delta_norm = 100.0 * self.step[i] / range.max(1e-12);
        let mut gain = 0.0;
        for target in moves {
            let Some(&(_, factor)) = self.ancestors[i].iter().find(|&&(a, _)| a == target.node)
            else {
                continue;
            };
            if let Some(&(_, delta)) = target.unit_moves.iter().find(|&&(u, _)| u == unit) {
                gain += sign * delta_norm * factor * delta / target.distance;
            }
        }
        let cell = i * n + unit;
        let direction = self.model.directions[i];
        let next = raw[cell] + sign * direction * self.step[i];
        gain - (self.deviation_cost(cell, next) - self.deviation_cost(cell, raw[cell]))
    }
}
