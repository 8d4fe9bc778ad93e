//! Every chart, fed with real COINr ASEM results (51 units), is well-formed XML with the expected marks, labels and escaping, and is byte-for-byte deterministic.

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;

use ranksense::report::charts::{
    HeatmapChart, HistogramChart, RankIntervalChart, RankIntervalRow, SobolChart, SobolRow,
    SweepChart, SweepSeries, TernaryCell, TernaryChart, acceptability_heatmap, rank_histogram,
    rank_intervals, sobol_bars, sweep_trajectories, ternary_map,
};

const FOCUS: &str = "LUX";
const NASTY_LABEL: &str = r#"A&B <x> "q""#;
const NASTY_ESCAPED: &str = "A&amp;B &lt;x&gt; &quot;q&quot;";

/// ASEM unit names (COINr `ASEM_iData`), so labels have realistic lengths.
const UNIT_NAMES: [(&str, &str); 51] = [
    ("AUT", "Austria"),
    ("BEL", "Belgium"),
    ("BGR", "Bulgaria"),
    ("HRV", "Croatia"),
    ("CYP", "Cyprus"),
    ("CZE", "Czech Republic"),
    ("DNK", "Denmark"),
    ("EST", "Estonia"),
    ("FIN", "Finland"),
    ("FRA", "France"),
    ("DEU", "Germany"),
    ("GRC", "Greece"),
    ("HUN", "Hungary"),
    ("IRL", "Ireland"),
    ("ITA", "Italy"),
    ("LVA", "Latvia"),
    ("LTU", "Lithuania"),
    ("LUX", "Luxembourg"),
    ("MLT", "Malta"),
    ("NLD", "Netherlands"),
    ("NOR", "Norway"),
    ("POL", "Poland"),
    ("PRT", "Portugal"),
    ("ROU", "Romania"),
    ("SVK", "Slovakia"),
    ("SVN", "Slovenia"),
    ("ESP", "Spain"),
    ("SWE", "Sweden"),
    ("CHE", "Switzerland"),
    ("GBR", "United Kingdom"),
    ("AUS", "Australia"),
    ("BGD", "Bangladesh"),
    ("BRN", "Brunei Darussalam"),
    ("KHM", "Cambodia"),
    ("CHN", "China"),
    ("IND", "India"),
    ("IDN", "Indonesia"),
    ("JPN", "Japan"),
    ("KAZ", "Kazakhstan"),
    ("KOR", "Korea"),
    ("LAO", "Lao PDR"),
    ("MYS", "Malaysia"),
    ("MNG", "Mongolia"),
    ("MMR", "Myanmar"),
    ("NZL", "New Zealand"),
    ("PAK", "Pakistan"),
    ("PHL", "Philippines"),
    ("RUS", "Russian Federation"),
    ("SGP", "Singapore"),
    ("THA", "Thailand"),
    ("VNM", "Vietnam"),
];

// -------------------------------------------------------------------------------------------
// A minimal XML well-formedness checker (tags balance, quoted unique attributes, valid entity
// references, no stray `<`), enough to catch every way string-built SVG usually breaks.
// -------------------------------------------------------------------------------------------

use common::xml::check_well_formed;

fn assert_valid_svg(svg: &str) {
    assert_eq!(
        check_well_formed(svg),
        Ok("svg".to_owned()),
        "malformed SVG"
    );
    assert!(svg.contains("viewBox=\"0 0 "), "no viewBox");
    assert!(svg.contains("font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\""));
    let non_finite = svg
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|token| matches!(token, "NaN" | "inf" | "infinity"));
    assert!(!non_finite, "non-finite number written");
    for forbidden in [
        "<script",
        "<style",
        " id=\"",
        "href",
        "<image",
        "<foreignObject",
    ] {
        assert!(!svg.contains(forbidden), "chart contains {forbidden}");
    }
    // Every font size is at least 11 px.
    for piece in svg.split("font-size=\"").skip(1) {
        let size: f64 = piece[..piece.find('"').unwrap()].parse().unwrap();
        assert!(size >= 11.0, "font-size {size} below 11 px");
    }
}

fn count(svg: &str, class: &str) -> usize {
    svg.matches(&format!("class=\"{class}\"")).count()
}

#[test]
fn the_checker_rejects_broken_xml() {
    assert!(check_well_formed("<svg><g></svg>").is_err());
    assert!(check_well_formed("<svg><text>A&B</text></svg>").is_err());
    assert!(check_well_formed("<svg><text>a < b</text></svg>").is_err());
    assert!(check_well_formed("<svg a=\"1\" a=\"2\"/>").is_err());
    assert!(check_well_formed("<svg a=1/>").is_err());
    assert!(check_well_formed("<svg a=\"<\"/>").is_err());
    assert!(check_well_formed("<svg/><svg/>").is_err());
    assert_eq!(
        check_well_formed("<svg a='x &amp; &#60;'><t>&lt;&#x3C;</t></svg>"),
        Ok("svg".into())
    );
}

// -------------------------------------------------------------------------------------------
// Realistic inputs from the COINr ASEM peer results.
// -------------------------------------------------------------------------------------------

fn fixture(name: &str) -> csv::Reader<std::fs::File> {
    let path: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "tests",
        "fixtures",
        "coinr-asem",
        name,
    ]
    .iter()
    .collect();
    csv::Reader::from_path(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

fn unit_name(code: &str) -> String {
    UNIT_NAMES
        .iter()
        .find(|(unit, _)| *unit == code)
        .map_or_else(|| code.to_owned(), |(_, name)| (*name).to_owned())
}

/// COINr UA (N = 100) rank statistics: (code, nominal, median, q05, q95), by nominal rank.
fn rank_stats() -> Vec<(String, f64, f64, f64, f64)> {
    let mut rows: Vec<(String, f64, f64, f64, f64)> = fixture("coinr_UA_N100_rankstats.csv")
        .records()
        .map(|record| {
            let record = record.unwrap();
            let number = |index: usize| record[index].parse::<f64>().unwrap();
            (
                record[0].to_owned(),
                number(1),
                number(3),
                number(4),
                number(5),
            )
        })
        .collect();
    rows.sort_by(|a, b| a.1.total_cmp(&b.1));
    rows
}

/// COINr UA per-run ranks: code → (nominal rank, rank in each run), by nominal rank.
fn ranks_per_run() -> Vec<(String, usize, Vec<usize>)> {
    let mut rows: Vec<(String, usize, Vec<usize>)> = fixture("coinr_UA_N100_ranks_per_run.csv")
        .records()
        .map(|record| {
            let record = record.unwrap();
            let runs = record
                .iter()
                .skip(2)
                .map(|value| value.parse().unwrap())
                .collect();
            (record[0].to_owned(), record[1].parse().unwrap(), runs)
        })
        .collect();
    rows.sort_by_key(|row| row.1);
    rows
}

/// Nominal pillar and sub-index scores: code → column → value.
fn nominal_scores() -> BTreeMap<String, BTreeMap<String, f64>> {
    let mut reader = fixture("coinr_nominal_ranks.csv");
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|record| {
            let record = record.unwrap();
            let columns = headers
                .iter()
                .zip(record.iter())
                .skip(1)
                .map(|(header, value)| (header.to_owned(), value.parse().unwrap()))
                .collect();
            (record[0].to_owned(), columns)
        })
        .collect()
}

/// Sport ranks of descending scores (ties share the best rank), as DESIGN.md §4.
fn ranks_of(scores: &[f64]) -> Vec<u32> {
    scores
        .iter()
        .map(|score| 1 + scores.iter().filter(|other| *other > score).count() as u32)
        .collect()
}

fn interval_chart(rename_focus: Option<&str>) -> RankIntervalChart {
    let stats = rank_stats();
    RankIntervalChart {
        title: "Rank uncertainty — ASEM Sustainable Connectivity (COINr UA, 100 runs)".into(),
        n_units: stats.len(),
        rows: stats
            .into_iter()
            .map(|(code, nominal, median, q05, q95)| RankIntervalRow {
                code: code.clone(),
                label: match rename_focus {
                    Some(label) if code == FOCUS => label.to_owned(),
                    _ => unit_name(&code),
                },
                nominal_rank: nominal,
                median_rank: median,
                q05,
                q95,
                highlight: code == FOCUS,
            })
            .collect(),
    }
}

fn heatmap_chart(rename_focus: Option<&str>) -> HeatmapChart {
    let runs = ranks_per_run();
    let n_ranks = runs.len();
    HeatmapChart {
        title: "Rank acceptability — ASEM (COINr UA, 100 runs)".into(),
        row_labels: runs
            .iter()
            .map(|(code, _, _)| match rename_focus {
                Some(label) if code == FOCUS => label.to_owned(),
                _ => unit_name(code),
            })
            .collect(),
        row_codes: runs.iter().map(|(code, _, _)| code.clone()).collect(),
        n_ranks,
        ranks_per_column: 1,
        probabilities: runs
            .iter()
            .map(|(_, _, ranks)| {
                let mut row = vec![0.0; n_ranks];
                for &rank in ranks {
                    row[rank - 1] += 1.0 / ranks.len() as f64;
                }
                row
            })
            .collect(),
        highlight_row: runs.iter().position(|(code, _, _)| code == FOCUS),
        nominal_ranks: runs.iter().map(|(_, nominal, _)| *nominal).collect(),
    }
}

fn sobol_chart(rename_first: Option<&str>) -> SobolChart {
    SobolChart {
        title: "Which choices drive the rank shifts? (COINr SA, N = 100)".into(),
        target_label: "mean absolute rank shift R_S over all 51 units".into(),
        rows: fixture("coinr_SA_N100_sobol.csv")
            .records()
            .enumerate()
            .map(|(index, record)| {
                let record = record.unwrap();
                let number = |column: usize| record[column].parse::<f64>().unwrap();
                SobolRow {
                    factor: match rename_first {
                        Some(label) if index == 0 => label.to_owned(),
                        _ => record[0].to_owned(),
                    },
                    first: number(1),
                    total: number(2),
                    first_lo: number(3),
                    first_hi: number(4),
                    total_lo: number(5),
                    total_hi: number(6),
                }
            })
            .collect(),
    }
}

fn histogram_chart(unit_label: &str) -> HistogramChart {
    let runs = ranks_per_run();
    let (_, nominal, ranks) = runs.iter().find(|(code, _, _)| code == FOCUS).unwrap();
    let mut counts = vec![0u64; runs.len()];
    for &rank in ranks {
        counts[rank - 1] += 1;
    }
    let median = rank_stats()
        .into_iter()
        .find(|row| row.0 == FOCUS)
        .unwrap()
        .2;
    HistogramChart {
        title: "How often does Luxembourg get each rank?".into(),
        unit_label: unit_label.to_owned(),
        counts,
        nominal_rank: *nominal,
        median_rank: median,
    }
}

/// The focus unit's rank when the three Sustainability pillars are reweighted (Connectivity
/// fixed at half the index), on a lattice of the given resolution.
fn ternary_chart(resolution: u32, first_vertex: &str) -> TernaryChart {
    let scores = nominal_scores();
    let pillars = ["Environ", "Social", "SusEcFin"];
    let codes: Vec<&String> = scores.keys().collect();
    let focus_index = codes.iter().position(|code| *code == FOCUS).unwrap();
    let mut cells = Vec::new();
    for i in 0..=resolution {
        for j in 0..=resolution - i {
            let w = [i, j, resolution - i - j].map(|part| f64::from(part) / f64::from(resolution));
            let index_scores: Vec<f64> = codes
                .iter()
                .map(|code| {
                    let unit = &scores[*code];
                    let sustainability: f64 = pillars
                        .iter()
                        .zip(w)
                        .map(|(pillar, weight)| weight * unit[*pillar])
                        .sum();
                    0.5 * unit["Conn"] + 0.5 * sustainability
                })
                .collect();
            cells.push(TernaryCell {
                w,
                rank: ranks_of(&index_scores)[focus_index],
            });
        }
    }
    TernaryChart {
        title: "Luxembourg's rank over the Sustainability pillar weights".into(),
        subtitle: "Every combination of the three weights".into(),
        vertex_labels: [
            first_vertex.to_owned(),
            "Social".into(),
            "Economy & Finance".into(),
        ],
        cells,
        nominal: [1.0 / 3.0; 3],
        nominal_rank: scores[FOCUS]["Rank"] as u32,
        focus_label: "Luxembourg".into(),
    }
}

/// Every unit's rank as the Connectivity sub-index weight sweeps 0 → 1 (Sustainability 1 − w).
fn sweep_chart(focus_label: &str) -> SweepChart {
    let scores = nominal_scores();
    let x: Vec<f64> = (0..=20).map(|step| f64::from(step) / 20.0).collect();
    let ranks_by_x: Vec<Vec<u32>> = x
        .iter()
        .map(|&weight| {
            let index: Vec<f64> = scores
                .values()
                .map(|unit| weight * unit["Conn"] + (1.0 - weight) * unit["Sust"])
                .collect();
            ranks_of(&index)
        })
        .collect();
    SweepChart {
        title: "Ranks as the Connectivity weight moves".into(),
        x_label: "weight of Connectivity (Sustainability = 1 − w)".into(),
        series: scores
            .keys()
            .enumerate()
            .map(|(unit, code)| SweepSeries {
                label: if code == FOCUS {
                    focus_label.to_owned()
                } else {
                    unit_name(code)
                },
                ranks: ranks_by_x.iter().map(|ranks| ranks[unit]).collect(),
                highlight: code == FOCUS,
            })
            .collect(),
        x,
        nominal_x: Some(0.5),
        max_rank: scores.len() as u32,
    }
}

// -------------------------------------------------------------------------------------------
// Tests
// -------------------------------------------------------------------------------------------

#[test]
fn rank_intervals_draw_one_dot_bar_and_diamond_per_unit() {
    let chart = interval_chart(None);
    let svg = rank_intervals(&chart);
    assert_valid_svg(&svg);
    assert_eq!(count(&svg, "median"), 51);
    assert_eq!(count(&svg, "interval"), 51);
    assert_eq!(count(&svg, "nominal"), 51);
    assert_eq!(count(&svg, "focus-band"), 1);
    assert_eq!(count(&svg, "row-label"), 51);
    // Every row has a band named by the unit's code (report.html's picker finds it).
    assert_eq!(count(&svg, "unit-band"), 51);
    for row in &chart.rows {
        assert_eq!(
            svg.matches(&format!("data-unit=\"{}\"", row.code)).count(),
            1
        );
    }
    assert!(svg.contains(
        "<title>Rank uncertainty — ASEM Sustainable Connectivity (COINr UA, 100 runs)</title>"
    ));
    assert!(svg.contains(">Rank (1 = best)</text>"));
    assert!(svg.contains(">Brunei Darussalam</text>"));
    // Rows follow nominal rank: Switzerland (1) is drawn before Russia (51).
    assert!(
        svg.find(">Switzerland</text>").unwrap() < svg.find(">Russian Federation</text>").unwrap()
    );
    assert_eq!(svg, rank_intervals(&chart), "not deterministic");
}

#[test]
fn rank_intervals_sort_rows_by_nominal_rank() {
    let mut chart = interval_chart(None);
    chart.rows.reverse();
    assert_eq!(
        rank_intervals(&chart),
        rank_intervals(&interval_chart(None))
    );
}

#[test]
fn rank_intervals_stay_bounded_for_500_units() {
    let rows: Vec<RankIntervalRow> = (1..=500)
        .map(|rank| RankIntervalRow {
            code: format!("U{rank:03}"),
            label: format!("Unit {rank:03}"),
            nominal_rank: f64::from(rank),
            median_rank: f64::from(rank) + 0.5,
            q05: f64::from(rank.max(6) - 5),
            q95: f64::from((rank + 5).min(500)),
            highlight: rank == 250,
        })
        .collect();
    let svg = rank_intervals(&RankIntervalChart {
        title: "500 units".into(),
        rows,
        n_units: 500,
    });
    assert_valid_svg(&svg);
    assert_eq!(count(&svg, "median"), 500);
    let height: f64 = svg
        .split("height=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(height <= 2200.0, "height {height}");
    // Labels thin out to stay legible, but the focus unit is always labelled.
    let labels = count(&svg, "row-label");
    assert!((100..=200).contains(&labels), "{labels} labels");
    assert!(svg.contains(">Unit 250</text>"));
}

#[test]
fn heatmap_draws_nonzero_cells_and_outlines_nominal_ranks() {
    let chart = heatmap_chart(None);
    let svg = acceptability_heatmap(&chart);
    assert_valid_svg(&svg);
    let nonzero = chart
        .probabilities
        .iter()
        .flatten()
        .filter(|p| **p > 0.0)
        .count();
    assert_eq!(count(&svg, "cell"), nonzero);
    assert_eq!(count(&svg, "nominal"), 51);
    assert_eq!(count(&svg, "focus-frame"), 1);
    assert_eq!(count(&svg, "unit-frame"), 51);
    assert!(svg.contains(">Probability</text>"));
    assert!(svg.contains(">Rank (1 = best)</text>"));
    // Switzerland is rank 1 in every run.
    assert!(svg.contains("<title>Switzerland, rank 1: 1.000</title>"));
    assert_eq!(svg, acceptability_heatmap(&chart));
}

#[test]
fn sobol_bars_handle_negative_indices() {
    let chart = sobol_chart(None);
    let svg = sobol_bars(&chart);
    assert_valid_svg(&svg);
    assert_eq!(count(&svg, "bar-first"), 4);
    assert_eq!(count(&svg, "bar-total"), 4);
    assert_eq!(count(&svg, "whisker"), 8);
    assert_eq!(count(&svg, "zero-line"), 1);
    // The axis reaches the most negative interval end (−0.35) and the largest (1.25).
    assert!(svg.contains(">-0.4</text>") || svg.contains(">-0.5</text>"));
    assert!(svg.contains(">1.4</text>") || svg.contains(">1.5</text>"));
    for factor in ["Winmax", "Normalisation", "Weights", "Aggregation"] {
        assert!(svg.contains(&format!(">{factor}</text>")));
    }
    assert!(svg.contains("Target: mean absolute rank shift R_S over all 51 units"));
    assert_eq!(svg, sobol_bars(&chart));
}

#[test]
fn histogram_marks_nominal_and_median() {
    let chart = histogram_chart("Luxembourg");
    let svg = rank_histogram(&chart);
    assert_valid_svg(&svg);
    let nonzero = chart.counts.iter().filter(|count| **count > 0).count();
    let nominal_occurs = chart.counts[chart.nominal_rank - 1] > 0;
    assert_eq!(count(&svg, "bar") + count(&svg, "bar-nominal"), nonzero);
    assert_eq!(count(&svg, "bar-nominal"), usize::from(nominal_occurs));
    assert_eq!(count(&svg, "median"), 1);
    assert_eq!(count(&svg, "nominal-marker"), 1);
    assert!(svg.contains("Nominal rank (8)"));
    assert!(svg.contains("Median rank (14.5)"));
    assert!(svg.contains("Luxembourg — 100 runs"));
    assert_eq!(svg, rank_histogram(&chart));
}

#[test]
fn ternary_map_draws_one_cell_per_weight_point() {
    let chart = ternary_chart(24, "Environment");
    let svg = ternary_map(&chart);
    assert_valid_svg(&svg);
    assert_eq!(chart.cells.len(), 25 * 26 / 2);
    assert_eq!(count(&svg, "cell"), chart.cells.len());
    assert_eq!(count(&svg, "nominal"), 1);
    // Ticks 0.2 … 0.8 on each of the three edges.
    assert_eq!(count(&svg, "tick"), 12);
    let distinct = chart
        .cells
        .iter()
        .map(|cell| cell.rank)
        .collect::<std::collections::BTreeSet<_>>();
    let swatches = count(&svg, "legend-swatch");
    assert!(swatches == distinct.len() || (distinct.len() > 12 && swatches <= 8));
    assert!(svg.contains("Economy &amp; Finance"));
    assert!(svg.contains(&format!("Nominal (rank {})", chart.nominal_rank)));
    assert_eq!(svg, ternary_map(&chart));
}

#[test]
fn ternary_nominal_equals_equal_pillar_weights() {
    // The example is only meaningful if Sust is the plain mean of its three pillars.
    for unit in nominal_scores().values() {
        let mean = (unit["Environ"] + unit["Social"] + unit["SusEcFin"]) / 3.0;
        assert!((mean - unit["Sust"]).abs() < 1e-9);
    }
    let chart = ternary_chart(3, "Environment");
    let centre = chart
        .cells
        .iter()
        .find(|cell| cell.w == [1.0 / 3.0; 3])
        .unwrap();
    assert_eq!(centre.rank, chart.nominal_rank);
}

#[test]
fn sweep_draws_every_series_and_labels_the_focus_its_neighbours_and_every_crossing_line() {
    let chart = sweep_chart("Luxembourg");
    let svg = sweep_trajectories(&chart);
    assert_valid_svg(&svg);
    assert_eq!(count(&svg, "series"), 50);
    assert_eq!(count(&svg, "series-focus"), 1);
    assert_eq!(count(&svg, "nominal-x"), 1);
    // Labelled: the focus, the units one place above and below it at the end, every unit whose
    // line crosses the focus's line; then the best final ranks up to ten labels.
    let focus = chart.series.iter().position(|s| s.highlight).unwrap();
    let last = chart.x.len() - 1;
    let theirs = &chart.series[focus].ranks;
    let mut expected = std::collections::BTreeSet::new();
    for (index, series) in chart.series.iter().enumerate() {
        let above = series.ranks.iter().zip(theirs).any(|(a, b)| a < b);
        let below = series.ranks.iter().zip(theirs).any(|(a, b)| a > b);
        if index == focus || series.ranks[last].abs_diff(theirs[last]) <= 1 || (above && below) {
            expected.insert(index);
        }
    }
    let crossing = expected.len();
    let mut by_final: Vec<usize> = (0..chart.series.len()).collect();
    by_final.sort_by_key(|&index| (chart.series[index].ranks[last], index));
    for index in by_final {
        if expected.len() >= 10 {
            break;
        }
        expected.insert(index);
    }
    assert!(
        crossing > 1,
        "the example should have lines crossing the focus"
    );
    assert_eq!(count(&svg, "end-label"), expected.len());
    for &index in &expected {
        assert!(svg.contains(&format!(">{}</text>", chart.series[index].label)));
    }
    assert!(svg.contains(">Weight of Connectivity (Sustainability = 1 − w)</text>"));
    // At w = 0.5 the sweep reproduces the nominal ranking.
    let nominal = nominal_scores();
    for (series, code) in chart.series.iter().zip(nominal.keys()) {
        assert_eq!(f64::from(series.ranks[10]), nominal[code]["Rank"]);
    }
    assert_eq!(svg, sweep_trajectories(&chart));
}

#[test]
fn labels_with_markup_characters_are_escaped_everywhere() {
    let svgs = [
        rank_intervals(&interval_chart(Some(NASTY_LABEL))),
        acceptability_heatmap(&heatmap_chart(Some(NASTY_LABEL))),
        sobol_bars(&sobol_chart(Some(NASTY_LABEL))),
        rank_histogram(&histogram_chart(NASTY_LABEL)),
        ternary_map(&ternary_chart(6, NASTY_LABEL)),
        sweep_trajectories(&sweep_chart(NASTY_LABEL)),
    ];
    for svg in &svgs {
        assert_valid_svg(svg);
        assert!(svg.contains(NASTY_ESCAPED), "escaped label missing");
        assert!(!svg.contains(NASTY_LABEL), "raw label leaked");
    }
}

#[test]
fn empty_inputs_still_give_valid_charts() {
    let svgs = [
        rank_intervals(&RankIntervalChart {
            title: "Empty".into(),
            rows: vec![],
            n_units: 0,
        }),
        acceptability_heatmap(&HeatmapChart {
            title: "Empty".into(),
            row_labels: vec![],
            row_codes: vec![],
            n_ranks: 0,
            ranks_per_column: 1,
            probabilities: vec![],
            highlight_row: None,
            nominal_ranks: vec![],
        }),
        sobol_bars(&SobolChart {
            title: "Empty".into(),
            target_label: "none".into(),
            rows: vec![],
        }),
        rank_histogram(&HistogramChart {
            title: "Empty".into(),
            unit_label: "none".into(),
            counts: vec![],
            nominal_rank: 0,
            median_rank: f64::NAN,
        }),
        ternary_map(&TernaryChart {
            title: "Empty".into(),
            subtitle: "Every combination of the three weights".into(),
            vertex_labels: ["a".into(), "b".into(), "c".into()],
            cells: vec![],
            nominal: [f64::NAN; 3],
            nominal_rank: 1,
            focus_label: "x".into(),
        }),
        sweep_trajectories(&SweepChart {
            title: "Empty".into(),
            x_label: "x".into(),
            x: vec![],
            series: vec![],
            nominal_x: None,
            max_rank: 0,
        }),
    ];
    for svg in &svgs {
        assert_valid_svg(svg);
        assert!(svg.contains(">Empty</text>"));
    }
}

/// Writes one example of every chart to `$CHARTS_OUT` (used by tests/render_png.sh).
#[test]
#[ignore = "writes files; run by tests/render_png.sh"]
fn write_example_charts() {
    let directory =
        PathBuf::from(std::env::var("CHARTS_OUT").expect("set CHARTS_OUT to a directory"));
    std::fs::create_dir_all(&directory).unwrap();
    let examples = [
        ("rank_intervals", rank_intervals(&interval_chart(None))),
        (
            "acceptability_heatmap",
            acceptability_heatmap(&heatmap_chart(None)),
        ),
        ("sobol_bars", sobol_bars(&sobol_chart(None))),
        (
            "rank_histogram",
            rank_histogram(&histogram_chart("Luxembourg")),
        ),
        (
            "ternary_map",
            ternary_map(&ternary_chart(30, "Environment")),
        ),
        (
            "sweep_trajectories",
            sweep_trajectories(&sweep_chart("Luxembourg")),
        ),
    ];
    for (name, svg) in examples {
        assert_valid_svg(&svg);
        std::fs::write(directory.join(format!("{name}.svg")), svg).unwrap();
    }
}

/// Writes large and awkward inputs (500 units, 150 ranks, long and marked-up names) to
/// `$CHARTS_OUT` for looking at by eye; not part of docs/charts.
#[test]
#[ignore = "writes files; for manual inspection"]
fn write_stress_charts() {
    let directory =
        PathBuf::from(std::env::var("CHARTS_OUT").expect("set CHARTS_OUT to a directory"));
    std::fs::create_dir_all(&directory).unwrap();
    let long_name = |unit: u32| {
        if unit.is_multiple_of(7) {
            format!("Unit {unit} — a very long official name & <co>")
        } else {
            format!("Unit {unit}")
        }
    };
    let rows: Vec<RankIntervalRow> = (1..=500u32)
        .map(|rank| {
            let spread = f64::from(rank % 13) * 3.0;
            RankIntervalRow {
                code: format!("U{rank}"),
                label: long_name(rank),
                nominal_rank: f64::from(rank),
                median_rank: f64::from(rank) + (spread / 4.0).floor(),
                q05: (f64::from(rank) - spread).max(1.0),
                q95: (f64::from(rank) + spread).min(500.0),
                highlight: rank == 123,
            }
        })
        .collect();
    let intervals = rank_intervals(&RankIntervalChart {
        title: "500 units".into(),
        rows,
        n_units: 500,
    });
    let n = 150usize;
    let heatmap = acceptability_heatmap(&HeatmapChart {
        title: "150 units × 150 ranks".into(),
        row_labels: (1..=n as u32).map(long_name).collect(),
        row_codes: vec![],
        n_ranks: n,
        ranks_per_column: 1,
        probabilities: (0..n)
            .map(|row| {
                (0..n)
                    .map(|rank| {
                        let distance = (rank as f64 - row as f64).abs();
                        if distance <= 4.0 {
                            (5.0 - distance) / 25.0
                        } else {
                            0.0
                        }
                    })
                    .collect()
            })
            .collect(),
        highlight_row: Some(40),
        nominal_ranks: (1..=n).collect(),
    });
    let few_ranks = HistogramChart {
        title: "Only three ranks".into(),
        unit_label: "Tiny".into(),
        counts: vec![5, 80, 15],
        nominal_rank: 2,
        median_rank: 2.0,
    };
    for (name, svg) in [
        ("stress_intervals", intervals),
        ("stress_heatmap", heatmap),
        ("stress_histogram", rank_histogram(&few_ranks)),
    ] {
        assert_valid_svg(&svg);
        std::fs::write(directory.join(format!("{name}.svg")), svg).unwrap();
    }
}
