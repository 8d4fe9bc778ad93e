//! The synthetic generator: deterministic, loadable by the real loader, the requested shape and
//! missing share, and statistically realistic (domain correlations, skew, directions).

use std::collections::{HashMap, HashSet};

use ranksense::model::method::{Aggregation, Imputation, Normalisation};
use ranksense::model::{Index, load_dir, load_from_strings};
use ranksense::pipeline::{Config, Scratch, VariantSpec, prepare, score};
use ranksense::synth::{SynthError, SynthFiles, SynthSpec, generate, write_dir};

/// A parsed CSV: header and rows of cells.
struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    fn parse(text: &str) -> Table {
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let header = reader.headers().unwrap().iter().map(String::from).collect();
        let rows = reader
            .records()
            .map(|r| r.unwrap().iter().map(String::from).collect())
            .collect();
        Table { header, rows }
    }
    fn column(&self, name: &str) -> usize {
        self.header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name}"))
    }
}

/// One indicator row of meta.csv.
struct MetaIndicator {
    code: String,
    name: String,
    direction: f64,
    parent: String,
}

fn meta_indicators(meta: &Table) -> Vec<MetaIndicator> {
    let (code, name, direction, parent, kind) = (
        meta.column("iCode"),
        meta.column("iName"),
        meta.column("Direction"),
        meta.column("Parent"),
        meta.column("Type"),
    );
    meta.rows
        .iter()
        .filter(|r| r[kind] == "Indicator")
        .map(|r| MetaIndicator {
            code: r[code].clone(),
            name: r[name].clone(),
            direction: r[direction].parse().unwrap(),
            parent: r[parent].clone(),
        })
        .collect()
}

/// Indicator columns of data.csv as numbers (NaN for empty cells), in meta.csv order.
fn indicator_values(data: &Table, indicators: &[MetaIndicator]) -> Vec<Vec<f64>> {
    indicators
        .iter()
        .map(|indicator| {
            let column = data.column(&indicator.code);
            data.rows
                .iter()
                .map(|row| {
                    let cell = &row[column];
                    if cell.is_empty() {
                        f64::NAN
                    } else {
                        let value: f64 = cell.parse().unwrap();
                        assert!(value.is_finite(), "{cell}");
                        value
                    }
                })
                .collect()
        })
        .collect()
}

fn load(files: &SynthFiles) -> Index {
    load_from_strings(
        ("meta.csv", &files.meta_csv),
        ("data.csv", &files.data_csv),
        Some(("index.toml", &files.index_toml)),
        "synthetic",
    )
    .unwrap_or_else(|error| panic!("generated files do not load: {error}"))
}

fn spec(
    units: usize,
    indicators: usize,
    levels: usize,
    missing_share: f64,
    seed: u64,
) -> SynthSpec {
    SynthSpec {
        units,
        indicators,
        levels,
        groups_per_level: None,
        missing_share,
        seed,
    }
}

fn missing_share(files: &SynthFiles, indicators: usize) -> f64 {
    let data = Table::parse(&files.data_csv);
    let meta = Table::parse(&files.meta_csv);
    let values = indicator_values(&data, &meta_indicators(&meta));
    let blank = values.iter().flatten().filter(|x| x.is_nan()).count();
    blank as f64 / (data.rows.len() * indicators) as f64
}

#[test]
fn same_seed_gives_the_same_bytes_and_another_seed_other_data() {
    let a = generate(&SynthSpec::new(300, 12, 7)).unwrap();
    let b = generate(&SynthSpec::new(300, 12, 7)).unwrap();
    assert_eq!(a, b);
    let c = generate(&SynthSpec::new(300, 12, 8)).unwrap();
    assert_ne!(a.data_csv, c.data_csv);
    assert_ne!(a.index_toml, c.index_toml, "the provenance names the seed");
}

#[test]
fn changing_the_missing_share_only_blanks_cells() {
    let full = generate(&spec(400, 10, 3, 0.0, 3)).unwrap();
    let holed = generate(&spec(400, 10, 3, 0.2, 3)).unwrap();
    assert_eq!(full.meta_csv, holed.meta_csv);
    let (full, holed) = (Table::parse(&full.data_csv), Table::parse(&holed.data_csv));
    assert_eq!(full.header, holed.header);
    let mut blanked = 0;
    for (a, b) in full.rows.iter().zip(&holed.rows) {
        for (x, y) in a.iter().zip(b) {
            assert!(!x.is_empty(), "no empty cell at missing share 0");
            if y.is_empty() {
                blanked += 1;
            } else {
                assert_eq!(x, y);
            }
        }
    }
    assert!(blanked > 0);
}

#[test]
fn files_have_the_requested_shape() {
    let files = generate(&spec(250, 39, 3, 0.01, 11)).unwrap();
    let meta = Table::parse(&files.meta_csv);
    assert_eq!(
        meta.header,
        [
            "Level",
            "iCode",
            "iName",
            "Direction",
            "Weight",
            "Parent",
            "Type"
        ]
    );
    let data = Table::parse(&files.data_csv);
    let indicators = meta_indicators(&meta);
    assert_eq!(indicators.len(), 39);
    let mut expected_header = vec!["uCode".to_string(), "uName".into(), "Region".into()];
    expected_header.extend(indicators.iter().map(|i| i.code.clone()));
    assert_eq!(data.header, expected_header);
    assert_eq!(data.rows.len(), 250);
    assert_eq!(data.rows[0][0], "U00001");
    assert_eq!(data.rows[0][1], "Area 00001");
    assert_eq!(data.rows[249][0], "U00250");
    let regions: HashSet<&str> = data.rows.iter().map(|r| r[2].as_str()).collect();
    assert_eq!(regions.len(), 9, "{regions:?}");

    // Levels: 39 indicators, 7 domains, 1 index; a Region group row.
    let level = meta.column("Level");
    let kind = meta.column("Type");
    let count = |l: &str| meta.rows.iter().filter(|r| r[level] == l).count();
    assert_eq!((count("1"), count("2"), count("3")), (39, 7, 1));
    assert!(
        meta.rows
            .iter()
            .any(|r| r[kind] == "Group" && r[meta.column("iCode")] == "Region")
    );
    // About a fifth reversed, a quarter log-normal; weights 1 or 2.
    assert_eq!(indicators.iter().filter(|i| i.direction < 0.0).count(), 8);
    assert_eq!(
        indicators
            .iter()
            .filter(|i| i.name.contains("log-normal"))
            .count(),
        10
    );
    let weight = meta.column("Weight");
    for row in meta.rows.iter().filter(|r| r[kind] != "Group") {
        assert!(row[weight] == "1" || row[weight] == "2", "{:?}", row);
    }

    let toml: toml::Table = files.index_toml.parse().unwrap();
    assert!(
        toml["description"]
            .as_str()
            .unwrap()
            .contains("39 indicators in 7 domains in one index")
    );
    assert_eq!(
        toml["name"].as_str(),
        Some("Synthetic index (250 units × 39 indicators)")
    );
    assert_eq!(toml["reconstruction"].as_bool(), Some(false));
    assert_eq!(
        toml["provenance"].as_str(),
        Some(
            "synthetic data generated by ranksense synth --units 250 --indicators 39 --levels 3 \
             --groups 7 --missing-share 0.01 --seed 11"
        )
    );
    let method = toml["method"].as_table().unwrap();
    assert_eq!(method["imputation"].as_str(), Some("mean"));
    assert_eq!(method["normalisation"].as_str(), Some("minmax(0,100)"));
    assert_eq!(method["aggregation"].as_str(), Some("arithmetic"));
}

/// The invariants the loader relies on, checked on the text itself for several shapes.
#[test]
fn every_shape_satisfies_the_framework_and_data_invariants() {
    let shapes = [
        spec(2, 2, 2, 0.0, 1),
        spec(2, 3, 3, 0.5, 2),
        spec(5, 4, 4, 0.9, 3),
        spec(60, 20, 4, 0.05, 4),
        spec(120, 30, 5, 0.01, 5),
        SynthSpec {
            groups_per_level: Some(vec![10, 3]),
            ..spec(80, 25, 4, 0.02, 6)
        },
    ];
    for spec in shapes {
        let files = generate(&spec).unwrap();
        let meta = Table::parse(&files.meta_csv);
        let (level, code, parent, kind) = (
            meta.column("Level"),
            meta.column("iCode"),
            meta.column("Parent"),
            meta.column("Type"),
        );
        let nodes: Vec<&Vec<String>> = meta.rows.iter().filter(|r| r[kind] != "Group").collect();
        let level_of: HashMap<&str, usize> = nodes
            .iter()
            .map(|r| (r[code].as_str(), r[level].parse().unwrap()))
            .collect();
        assert_eq!(level_of.len(), nodes.len(), "codes are unique");
        let tops: Vec<_> = nodes.iter().filter(|r| r[parent].is_empty()).collect();
        assert_eq!(tops.len(), 1, "{spec:?}: one top node");
        assert_eq!(level_of[tops[0][code].as_str()], spec.levels);
        for row in nodes.iter().filter(|r| !r[parent].is_empty()) {
            let own = level_of[row[code].as_str()];
            assert_eq!(
                level_of.get(row[parent].as_str()),
                Some(&(own + 1)),
                "{spec:?}: parent of {} is on the next level",
                row[code]
            );
        }
        for row in nodes.iter().filter(|r| r[kind] == "Aggregate") {
            assert!(
                nodes.iter().any(|c| c[parent] == row[code]),
                "{spec:?}: {} has children",
                row[code]
            );
        }

        let data = Table::parse(&files.data_csv);
        let indicators = meta_indicators(&meta);
        assert_eq!(indicators.len(), spec.indicators);
        let values = indicator_values(&data, &indicators);
        for (indicator, column) in indicators.iter().zip(&values) {
            let present: Vec<f64> = column.iter().copied().filter(|x| !x.is_nan()).collect();
            assert!(
                present.iter().any(|&x| x != present[0]),
                "{spec:?}: {} is not constant",
                indicator.code
            );
        }
        for u in 0..spec.units {
            assert!(
                values.iter().any(|column| !column[u].is_nan()),
                "{spec:?}: unit {u} has a value"
            );
        }
        let codes: HashSet<&str> = data.rows.iter().map(|r| r[0].as_str()).collect();
        assert_eq!(codes.len(), spec.units);
        let toml: toml::Table = files.index_toml.parse().unwrap();
        assert!(codes.contains(toml["focus"].as_str().unwrap()));
        assert_eq!(
            toml["level_names"].as_array().unwrap().len(),
            spec.levels,
            "{spec:?}"
        );
    }
}

#[test]
fn every_shape_loads_and_validates() {
    let shapes = [
        spec(2, 2, 2, 0.0, 1),
        spec(3, 5, 3, 0.6, 2),
        spec(500, 39, 3, 0.01, 3),
        spec(200, 49, 4, 0.05, 4),
        spec(100, 30, 5, 0.1, 5),
    ];
    for spec in shapes {
        let files = generate(&spec).unwrap();
        let index = load(&files);
        let counts = spec.level_counts().unwrap();
        assert_eq!(index.n_units(), spec.units);
        assert_eq!(index.framework.n_indicators(), spec.indicators);
        assert_eq!(index.framework.n_levels, spec.levels);
        for (level, &count) in counts.iter().enumerate() {
            assert_eq!(index.framework.level_nodes(level + 1).len(), count);
        }
        assert!(index.group("Region").is_some());
        assert_eq!(index.nominal.imputation, Imputation::Mean);
        assert_eq!(
            index.nominal.normalisation,
            Normalisation::MinMax {
                low: 0.0,
                high: 100.0
            }
        );
        assert!(
            index
                .nominal
                .aggregation
                .iter()
                .all(|a| *a == Aggregation::Arithmetic)
        );
        assert!(!index.info.reconstruction);
    }
}

#[test]
fn the_focus_is_the_median_unit_of_the_nominal_index() {
    let files = generate(&spec(301, 15, 3, 0.05, 21)).unwrap();
    let index = load(&files);
    let variant = VariantSpec {
        imputation: index.nominal.imputation.clone(),
        treatment: index.nominal.treatment,
        normalisation: index.nominal.normalisation.clone(),
    };
    let prepared = prepare(&index, &[variant]).unwrap();
    let config = Config {
        variant: 0,
        aggregation: index.nominal.aggregation.clone(),
        weights: prepared.framework.nominal_weights(),
    };
    let mut scratch = Scratch::new(&prepared);
    score(&prepared, &config, &mut scratch);
    let ranks = scratch.rank(&prepared, prepared.framework.top).to_vec();
    let focus = index
        .find_unit(index.info.focus.as_deref().unwrap())
        .unwrap();
    // 301 units: the median has rank 151 (150 above, 150 below).
    assert_eq!(ranks[focus], 151);
}

#[test]
fn the_missing_share_is_within_half_a_percentage_point() {
    for share in [0.01, 0.1, 0.3] {
        let files = generate(&spec(2000, 20, 3, share, 5)).unwrap();
        let realised = missing_share(&files, 20);
        assert!(
            (realised - share).abs() < 0.005,
            "asked {share}, got {realised}"
        );
    }
    let files = generate(&spec(2000, 20, 3, 0.0, 5)).unwrap();
    assert_eq!(missing_share(&files, 20), 0.0);
}

/// Pearson correlation over the units where both are present.
fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let pairs: Vec<(f64, f64)> = x
        .iter()
        .zip(y)
        .filter(|(a, b)| !a.is_nan() && !b.is_nan())
        .map(|(&a, &b)| (a, b))
        .collect();
    let n = pairs.len() as f64;
    let mean_x = pairs.iter().map(|p| p.0).sum::<f64>() / n;
    let mean_y = pairs.iter().map(|p| p.1).sum::<f64>() / n;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in pairs {
        sxy += (a - mean_x) * (b - mean_y);
        sxx += (a - mean_x) * (a - mean_x);
        syy += (b - mean_y) * (b - mean_y);
    }
    sxy / (sxx * syy).sqrt()
}

#[test]
fn indicators_correlate_more_within_a_domain_than_across_domains() {
    let files = generate(&spec(3000, 39, 3, 0.01, 17)).unwrap();
    let meta = Table::parse(&files.meta_csv);
    let data = Table::parse(&files.data_csv);
    let indicators = meta_indicators(&meta);
    // Orient by direction, so that higher is better everywhere.
    let values: Vec<Vec<f64>> = indicator_values(&data, &indicators)
        .into_iter()
        .zip(&indicators)
        .map(|(column, i)| column.into_iter().map(|x| i.direction * x).collect())
        .collect();
    let (mut within, mut across) = (Vec::new(), Vec::new());
    for a in 0..indicators.len() {
        for b in a + 1..indicators.len() {
            let r = pearson(&values[a], &values[b]);
            if indicators[a].parent == indicators[b].parent {
                within.push(r);
            } else {
                across.push(r);
            }
        }
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let (within, across) = (mean(&within), mean(&across));
    assert!(
        across > 0.1,
        "a general factor: across-domain mean r = {across}"
    );
    assert!(
        within > across + 0.15,
        "within-domain mean r = {within}, across = {across}"
    );
}

fn skewness(x: &[f64]) -> f64 {
    let x: Vec<f64> = x.iter().copied().filter(|v| !v.is_nan()).collect();
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let m2 = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    let m3 = x.iter().map(|v| (v - mean).powi(3)).sum::<f64>() / n;
    m3 / m2.powf(1.5)
}

#[test]
fn log_normal_indicators_are_skewed_and_the_others_are_not() {
    let files = generate(&spec(4000, 24, 3, 0.01, 9)).unwrap();
    let meta = Table::parse(&files.meta_csv);
    let data = Table::parse(&files.data_csv);
    let indicators = meta_indicators(&meta);
    let values = indicator_values(&data, &indicators);
    for (indicator, column) in indicators.iter().zip(&values) {
        let skew = skewness(column);
        if indicator.name.contains("log-normal") {
            // σ ≥ 0.4 gives a population skewness ≥ 1.3.
            assert!(skew > 0.9, "{}: skewness {skew}", indicator.code);
        } else {
            assert!(skew.abs() < 0.25, "{}: skewness {skew}", indicator.code);
        }
    }
}

#[test]
fn lower_is_better_indicators_fall_as_the_others_rise() {
    let files = generate(&spec(2000, 20, 3, 0.0, 13)).unwrap();
    let meta = Table::parse(&files.meta_csv);
    let data = Table::parse(&files.data_csv);
    let indicators = meta_indicators(&meta);
    let values = indicator_values(&data, &indicators);
    for a in 0..indicators.len() {
        for b in a + 1..indicators.len() {
            let r = pearson(&values[a], &values[b]);
            let same_direction = indicators[a].direction == indicators[b].direction;
            assert_eq!(
                r > 0.0,
                same_direction,
                "{} vs {}: r = {r}",
                indicators[a].code,
                indicators[b].code
            );
        }
    }
}

#[test]
fn invalid_specs_are_rejected_with_the_fix() {
    let cases = [
        (spec(1, 10, 3, 0.01, 0), "at least 2 units"),
        (spec(10, 10, 1, 0.01, 0), "at least 2 levels"),
        (spec(10, 1, 2, 0.01, 0), "at least 2 indicators"),
        (spec(10, 3, 5, 0.01, 0), "at least 4 indicators"),
        (spec(10, 10, 3, 1.0, 0), "outside [0, 1)"),
        (spec(10, 10, 3, -0.1, 0), "outside [0, 1)"),
        (spec(10, 10, 3, f64::NAN, 0), "outside [0, 1)"),
        (
            SynthSpec {
                groups_per_level: Some(vec![3, 2]),
                ..spec(10, 10, 3, 0.01, 0)
            },
            "i.e. 1",
        ),
        (
            SynthSpec {
                groups_per_level: Some(vec![11]),
                ..spec(10, 10, 3, 0.01, 0)
            },
            "level 2 cannot have 11 node(s) above 10",
        ),
        (
            SynthSpec {
                groups_per_level: Some(vec![4, 5]),
                ..spec(10, 10, 4, 0.01, 0)
            },
            "level 3 cannot have 5 node(s) above 4",
        ),
        (
            SynthSpec {
                groups_per_level: Some(vec![0]),
                ..spec(10, 10, 3, 0.01, 0)
            },
            "at least 1 node",
        ),
    ];
    for (spec, message) in cases {
        let error: SynthError = generate(&spec).unwrap_err();
        assert!(
            error.to_string().contains(message),
            "{spec:?}: `{error}` lacks `{message}`"
        );
    }
}

#[test]
fn the_imd_like_spec_has_the_imd_shape() {
    let spec = SynthSpec::imd_like(1);
    assert_eq!((spec.units, spec.indicators, spec.levels), (32_844, 39, 3));
    assert_eq!(spec.level_counts().unwrap(), vec![39, 7, 1]);
    // The default branching gives the same 7 domains.
    let default = SynthSpec {
        groups_per_level: None,
        ..spec.clone()
    };
    assert_eq!(default.level_counts().unwrap(), vec![39, 7, 1]);
    assert_eq!(spec.missing_share, 0.01);
    let files = generate(&spec).unwrap();
    assert_eq!(files.data_csv.lines().count(), 32_845);
    assert!(files.data_csv.contains("\nU32844,Area 32844,"));
}

#[test]
fn write_dir_writes_three_loadable_files_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("synthetic");
    let files = generate(&SynthSpec::new(50, 8, 2)).unwrap();
    write_dir(&files, &target).unwrap();
    let mut names: Vec<String> = std::fs::read_dir(&target)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["data.csv", "index.toml", "meta.csv"]);
    assert_eq!(
        std::fs::read_to_string(target.join("data.csv")).unwrap(),
        files.data_csv
    );
    let index = load_dir(&target).unwrap();
    assert_eq!(index.n_units(), 50);
    // Overwriting in place works too.
    write_dir(&files, &target).unwrap();
}
