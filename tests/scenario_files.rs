//! Scenario files: every load-time and index-time rule reports the right line, key words and fix; every shipped scenario parses and validates.

use std::path::Path;

use ranksense::model::embedded;
use ranksense::model::error::Location;
use ranksense::model::method::{Aggregation, Method, Normalisation, Treatment};
use ranksense::model::{
    Columns, Diagnostic, Framework, GroupColumn, Index, IndexInfo, IndicatorInfo, Node, Unit,
};
use ranksense::scenario::factors::{ScenarioModel, ScenarioRunError};
use ranksense::scenario::{
    ExclusionSet, Grouping, Scenario, ScenarioError, WeightMode, WeightTarget,
};

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

fn parse(text: &str) -> Result<Scenario, ScenarioError> {
    Scenario::from_toml_str(text, "test.toml")
}

fn problems(text: &str) -> Vec<Diagnostic> {
    match parse(text) {
        Ok(scenario) => panic!("expected problems, parsed {scenario:?}"),
        Err(error) => error.diagnostics().to_vec(),
    }
}

fn invalid(scenario: &Scenario, index: &Index) -> Vec<Diagnostic> {
    match scenario.validate(index) {
        Ok(()) => panic!("expected validation problems"),
        Err(error) => error.diagnostics().to_vec(),
    }
}

/// Asserts that some diagnostic sits on `line` and mentions every word (in problem or fix).
fn assert_problem(diagnostics: &[Diagnostic], line: usize, words: &[&str]) {
    let found = diagnostics.iter().any(|d| {
        let text = format!("{} {}", d.problem, d.fix);
        d.location.line == Some(line) && words.iter().all(|w| text.contains(w))
    });
    assert!(
        found,
        "no diagnostic on line {line} mentioning {words:?}; got:\n{}",
        diagnostics
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// A node for [`build_index`]: code, level, parent code, weight.
type NodeSpec<'a> = (&'a str, usize, Option<&'a str>, f64);

/// Builds an index from a node list (any order; stored bottom-up as `Framework` requires),
/// with zero data: validation only looks at the structure.
fn build_index(nodes: &[NodeSpec<'_>], units: &[(&str, &str)], groups: &[&str]) -> Index {
    let mut order: Vec<&NodeSpec<'_>> = nodes.iter().collect();
    order.sort_by_key(|(_, level, _, _)| *level);
    let position = |code: &str| order.iter().position(|(c, _, _, _)| *c == code).unwrap();
    let mut framework_nodes: Vec<Node> = order
        .iter()
        .map(|(code, level, parent, weight)| Node {
            code: code.to_string(),
            name: code.to_string(),
            level: *level,
            weight: *weight,
            parent: parent.map(position),
            children: Vec::new(),
        })
        .collect();
    for i in 0..framework_nodes.len() {
        if let Some(parent) = framework_nodes[i].parent {
            framework_nodes[parent].children.push(i);
        }
    }
    let n_indicators = order.iter().filter(|(_, level, _, _)| *level == 1).count();
    let n_levels = order.iter().map(|(_, level, _, _)| *level).max().unwrap();
    let top = framework_nodes
        .iter()
        .position(|n| n.parent.is_none())
        .unwrap();
    let framework = Framework {
        nodes: framework_nodes,
        indicators: vec![
            IndicatorInfo {
                direction: 1.0,
                denominator: None,
                goalposts: None,
                target: None,
                unit_label: None,
            };
            n_indicators
        ],
        top,
        n_levels,
        level_names: Vec::new(),
    };
    Index {
        info: IndexInfo::default(),
        units: units
            .iter()
            .map(|(code, name)| Unit {
                code: code.to_string(),
                name: name.to_string(),
            })
            .collect(),
        raw: Columns::filled(units.len(), n_indicators, 0.0),
        groups: groups
            .iter()
            .map(|code| GroupColumn {
                code: code.to_string(),
                values: vec![None; units.len()],
            })
            .collect(),
        denominators: Vec::new(),
        nominal: Method::simple(n_levels - 1),
        method_locations: Default::default(),
        framework,
        warnings: Vec::new(),
    }
}

const IECI_TREE: &[(&str, &str, &[&str])] = &[
    ("ATT", "LIV", &["LIV_EIU", "LIV_PM25"]),
    ("ATT", "BUS", &["BUS_CLIMATE", "BUS_STARTUP"]),
    ("ATT", "SAF", &["SAF_CRIME", "SAF_HOMICIDE"]),
    ("ATT", "TOU", &["TOU_VISITORS", "TOU_RECOVERY"]),
    ("INF", "AFF", &["AFF_IOS", "AFF_MISSIONS", "AFF_MEETINGS"]),
    ("INF", "ECO", &["ECO_G500", "ECO_GDPPC", "ECO_FDI"]),
    ("INF", "SCI", &["SCI_PAPERS", "SCI_PCT"]),
    ("INF", "CUL", &["CUL_HERITAGE", "CUL_UNIV"]),
    ("CON", "TRA", &["TRA_AIRPAX", "TRA_HUB"]),
    ("CON", "DIG", &["DIG_MOBILE", "DIG_FIXED"]),
    ("CON", "PEO", &["PEO_FOREIGN", "PEO_STUDENTS", "PEO_EVENTS"]),
];

const IECI_UNITS: &[(&str, &str)] = &[
    ("LON", "London"),
    ("NYC", "New York"),
    ("PAR", "Paris"),
    ("SIN", "Singapore"),
    ("SEO", "Seoul"),
    ("HKG", "Hong Kong"),
    ("BEJ", "Beijing"),
    ("TYO", "Tokyo"),
    ("SFO", "San Francisco"),
    ("CPH", "Copenhagen"),
    ("MAD", "Madrid"),
    ("AMS", "Amsterdam"),
];

/// The IECI framework of the reconstruction (3 dimensions, 11 sub-dimensions, 25 indicators),
/// equal weights, 12 of its cities.
fn ieci_index() -> Index {
    let mut nodes: Vec<NodeSpec<'_>> = vec![
        ("IECI", 4, None, 1.0),
        ("ATT", 3, Some("IECI"), 1.0),
        ("INF", 3, Some("IECI"), 1.0),
        ("CON", 3, Some("IECI"), 1.0),
    ];
    for (dimension, sub, indicators) in IECI_TREE {
        nodes.push((sub, 2, Some(dimension), 1.0));
        nodes.extend(indicators.iter().map(|code| (*code, 1, Some(*sub), 1.0)));
    }
    build_index(&nodes, IECI_UNITS, &["Region"])
}

/// A small 3-level index with a single-child parent (`SOLO` has only `X3`).
fn lopsided_index() -> Index {
    build_index(
        &[
            ("TOP", 3, None, 1.0),
            ("PAIR", 2, Some("TOP"), 1.0),
            ("SOLO", 2, Some("TOP"), 1.0),
            ("X1", 1, Some("PAIR"), 1.0),
            ("X2", 1, Some("PAIR"), 0.0),
            ("X3", 1, Some("SOLO"), 1.0),
        ],
        &[("A", "Alpha"), ("B", "Beta"), ("C", "Gamma")],
        &[],
    )
}

/// The ASEM framework read from data/asem (COINr's example: 49 indicators, 8 pillars,
/// 2 sub-indices, Index), with its 51 countries and group columns.
fn asem_index() -> Index {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/asem");
    let mut meta = csv::Reader::from_path(root.join("meta.csv")).unwrap();
    let headers = meta.headers().unwrap().clone();
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (level, code, weight, parent, kind) = (
        column("Level"),
        column("iCode"),
        column("Weight"),
        column("Parent"),
        column("Type"),
    );
    let rows: Vec<(String, usize, Option<String>, f64)> = meta
        .records()
        .map(|r| r.unwrap())
        .filter(|r| matches!(&r[kind], "Indicator" | "Aggregate"))
        .map(|r| {
            let parent = (!r[parent].is_empty()).then(|| r[parent].to_string());
            (
                r[code].to_string(),
                r[level].parse().unwrap(),
                parent,
                r[weight].parse().unwrap(),
            )
        })
        .collect();
    let nodes: Vec<NodeSpec<'_>> = rows
        .iter()
        .map(|(c, l, p, w)| (c.as_str(), *l, p.as_deref(), *w))
        .collect();
    let mut data = csv::Reader::from_path(root.join("data.csv")).unwrap();
    let headers = data.headers().unwrap().clone();
    let (u_code, u_name) = (
        headers.iter().position(|h| h == "uCode").unwrap(),
        headers.iter().position(|h| h == "uName").unwrap(),
    );
    let units: Vec<(String, String)> = data
        .records()
        .map(|r| r.unwrap())
        .map(|r| (r[u_code].to_string(), r[u_name].to_string()))
        .collect();
    let units: Vec<(&str, &str)> = units
        .iter()
        .map(|(c, n)| (c.as_str(), n.as_str()))
        .collect();
    build_index(
        &nodes,
        &units,
        &["GDP_group", "GDPpc_group", "Pop_group", "EurAsia_group"],
    )
}

fn shipped(name: &str) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name);
    Scenario::from_file(&path).unwrap_or_else(|e| panic!("{name}: {e}"))
}

const SHIPPED: &[&str] = &[
    "ieci-weights.toml",
    "ieci-methods.toml",
    "ieci-full.toml",
    "ieci-simplex.toml",
    "ieci-noise.toml",
    "asem-coinr.toml",
    "asem.toml",
    "asem-noise.toml",
];

// ---------------------------------------------------------------------------------------------
// Shipped scenarios
// ---------------------------------------------------------------------------------------------

#[test]
fn every_shipped_scenario_parses_and_renders_back_to_itself() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".toml"))
        .collect();
    on_disk.sort();
    let mut expected: Vec<String> = SHIPPED.iter().map(|s| s.to_string()).collect();
    expected.sort();
    assert_eq!(on_disk, expected, "tests must cover every shipped scenario");

    for name in SHIPPED {
        let scenario = shipped(name);
        let rendered = scenario.to_toml_string();
        let again = Scenario::from_toml_str(&rendered, &scenario.source)
            .unwrap_or_else(|e| panic!("{name} rendered:\n{rendered}\n{e}"));
        assert_eq!(
            serde_json::to_value(&scenario).unwrap(),
            serde_json::to_value(&again).unwrap(),
            "{name} does not survive rendering:\n{rendered}"
        );
        // JSON (summary.json) round-trips too.
        let json = serde_json::to_string(&scenario).unwrap();
        let from_json: Scenario = serde_json::from_str(&json).unwrap();
        assert_eq!(
            serde_json::to_value(&from_json).unwrap(),
            serde_json::to_value(&scenario).unwrap()
        );
    }
}

#[test]
fn ieci_scenarios_validate_against_the_ieci_framework() {
    let index = ieci_index();
    for name in [
        "ieci-weights.toml",
        "ieci-methods.toml",
        "ieci-full.toml",
        "ieci-simplex.toml",
    ] {
        shipped(name)
            .validate(&index)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

#[test]
fn ieci_full_is_the_documented_default() {
    let scenario = shipped("ieci-full.toml");
    let index = ieci_index();
    // No fixed sample count: the default run is converged (issue #13).
    assert_eq!(scenario.samples, None);
    assert_eq!(scenario.seed, Some(20_230_208));
    assert_eq!(scenario.focus.as_deref(), Some("BEJ"));
    assert_eq!(scenario.top_k, Some(10));
    assert_eq!(scenario.weights.len(), 2);
    for (spec, level) in scenario.weights.iter().zip([2, 3]) {
        assert_eq!(spec.target, WeightTarget::Level(level));
        assert_eq!(spec.mode, WeightMode::Uniform { spread: 0.25 });
        assert_eq!(spec.grouping, Grouping::PerLevel);
    }
    // Level 2 weights vary within the 3 dimensions, level 3 within the index.
    let framework = &index.framework;
    let parents: Vec<&str> = scenario.weights[0]
        .parents(framework)
        .into_iter()
        .map(|p| framework.nodes[p].code.as_str())
        .collect();
    assert_eq!(parents, ["ATT", "INF", "CON"]);
    let parents = scenario.weights[1].parents(framework);
    assert_eq!(parents, [framework.top]);

    let normalisation = scenario.normalisation.as_ref().unwrap();
    assert_eq!(normalisation.alternatives.len(), 3);
    assert!(
        normalisation
            .probabilities
            .iter()
            .all(|&p| (p - 1.0 / 3.0).abs() < 1e-15)
    );
    assert_eq!(normalisation.nominal, None);
    assert_eq!(scenario.aggregation.len(), 1);
    assert_eq!(scenario.aggregation[0].levels_in(4), [2, 3, 4]);

    // Leave-one-out over the 25 indicators, plus "none excluded".
    let exclusion = scenario.exclusion.as_ref().unwrap();
    assert_eq!(exclusion.indicators, ExclusionSet::All);
    let alternatives = exclusion.alternatives(framework);
    assert_eq!(alternatives.len(), 26);
    assert_eq!(alternatives[0], None);
    assert_eq!(alternatives[1..], (0..25).map(Some).collect::<Vec<_>>()[..]);
}

#[test]
fn ieci_simplex_varies_only_the_dimension_weights() {
    let scenario = shipped("ieci-simplex.toml");
    assert_eq!(scenario.weights.len(), 1);
    assert_eq!(scenario.weights[0].target, WeightTarget::Level(3));
    assert_eq!(scenario.weights[0].mode, WeightMode::Simplex);
    assert!(scenario.normalisation.is_none());
    assert!(scenario.aggregation.is_empty());
    assert!(scenario.exclusion.is_none());
    assert!(scenario.treatment.is_none());
}

#[test]
fn asem_coinr_mirrors_the_vignette_and_validates_on_asem() {
    let scenario = shipped("asem-coinr.toml");
    scenario
        .validate(&asem_index())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(scenario.samples, Some(100));
    let treatment = scenario.treatment.as_ref().unwrap();
    let winmax: Vec<usize> = treatment.alternatives().iter().map(|t| t.winmax).collect();
    assert_eq!(winmax, [1, 2, 3, 4, 5]);
    assert_eq!(
        treatment.nominal_treatment(),
        Some(Treatment::with_winmax(5))
    );
    let normalisation = scenario.normalisation.as_ref().unwrap();
    assert_eq!(
        normalisation.nominal,
        Some(Normalisation::MinMax {
            low: 0.0,
            high: 100.0
        })
    );
    assert_eq!(
        normalisation.alternatives,
        [
            Normalisation::MinMax {
                low: 1.0,
                high: 100.0
            },
            Normalisation::ZScore {
                mean: 10.0,
                sd: 2.0
            }
        ]
    );
    // One "Weights" factor over levels 2 and 3, as COINr's single weights input.
    assert_eq!(scenario.weights.len(), 2);
    assert!(scenario.weights.iter().all(|w| w.grouping == Grouping::All
        && w.name.as_deref() == Some("Weights")
        && w.mode == WeightMode::Uniform { spread: 0.25 }));
    let aggregation = &scenario.aggregation[0];
    assert_eq!(aggregation.levels, None);
    assert_eq!(aggregation.choice.name.as_deref(), Some("Aggregation"));
    assert_eq!(
        aggregation.choice.alternatives,
        [Aggregation::Arithmetic, Aggregation::Geometric]
    );
}

#[test]
fn serialised_form_is_readable() {
    let scenario = shipped("ieci-full.toml");
    let json = serde_json::to_value(&scenario).unwrap();
    assert_eq!(
        json["weights"][0],
        serde_json::json!({
            "level": 2, "mode": "uniform", "spread": 0.25,
            "grouping": "per-level", "name": "Sub-dimension weights"
        })
    );
    assert_eq!(
        json["normalisation"]["alternatives"],
        serde_json::json!(["minmax(1,100)", "zscore(10,1.5)", "rank"])
    );
    assert_eq!(json["exclusion"]["indicators"], "all");
    assert!(json["source"].as_str().unwrap().ends_with("ieci-full.toml"));
}

#[test]
fn rendering_makes_defaults_explicit() {
    let scenario = parse(
        "[[weights]]\nparent = \"ATT\"\nmode = \"dirichlet\"\nconcentration = 50\n\
         [imputation]\nalternatives = [\"none\", \"i_mean_grp(Region)\"]\n\
         [treatment]\nwinmax = [0, 3]\n[exclusion]\nindicators = [\"LIV_EIU\", \"SAF_CRIME\"]\n",
    )
    .unwrap();
    let text = scenario.to_toml_string();
    for expected in [
        "parent = \"ATT\"",
        "concentration = 50.0",
        "grouping = \"per-parent\"",
        "alternatives = [\"none\", \"group_mean(Region)\"]",
        "probabilities = [0.5, 0.5]",
        "winmax = [0, 3]",
        "skew_limit = 2.0",
        "kurtosis_limit = 3.5",
        "indicators = [\"LIV_EIU\", \"SAF_CRIME\"]",
        "include_none = true",
    ] {
        assert!(text.contains(expected), "missing `{expected}` in:\n{text}");
    }
    assert_eq!(scenario.to_string(), text);
}

// ---------------------------------------------------------------------------------------------
// Load-time rules
// ---------------------------------------------------------------------------------------------

#[test]
fn syntax_errors_give_line_and_character() {
    let d = problems("samples = 100\nfocus = \"BEJ\nseed = 1\n");
    let column = d[0].location.column.as_deref().unwrap();
    assert!(column.parse::<usize>().is_ok(), "{column}");
    assert_problem(
        &d,
        2,
        &[
            &format!("TOML syntax error at line 2, column {column}"),
            "double quotes",
        ],
    );
}

#[test]
fn unknown_keys_suggest_the_nearest_valid_key() {
    let d = problems(
        "sampels = 10\n\n[[weights]]\nlevel = 2\nmode = \"uniform\"\nsprad = 0.25\n\
         [normalization]\nalternatives = [\"rank\"]\n",
    );
    assert_problem(&d, 1, &["unknown key `sampels`", "did you mean `samples`"]);
    assert_problem(
        &d,
        6,
        &["unknown key `weights[1].sprad`", "did you mean `spread`"],
    );
    assert_problem(&d, 7, &["unknown key `normalization`", "`normalisation`"]);
    // The missing spread is reported as well: every problem at once.
    assert_problem(&d, 5, &["needs `spread`"]);
    let key = d.iter().find(|d| d.location.line == Some(6)).unwrap();
    assert_eq!(key.location.column.as_deref(), Some("weights[1].sprad"));
}

#[test]
fn unknown_key_without_a_near_match_lists_the_valid_keys() {
    let d = problems("[exclusion]\nindicators = \"all\"\nzzzzzz = 1\n");
    assert_problem(
        &d,
        3,
        &[
            "unknown key `exclusion.zzzzzz`",
            "remove it",
            "`include_none`",
        ],
    );
}

#[test]
fn wrong_types_name_the_expected_type() {
    let d = problems(
        "samples = \"many\"\nfocus = 7\ntop_k = 2.5\n[exclusion]\ninclude_none = \"yes\"\n",
    );
    assert_problem(&d, 1, &["`samples` must be a whole number", "string"]);
    assert_problem(&d, 2, &["`focus` must be a string", "integer"]);
    assert_problem(&d, 3, &["`top_k` must be a whole number", "float `2.5`"]);
    assert_problem(&d, 5, &["true or false"]);
    assert_eq!(d.len(), 4);
}

#[test]
fn counts_must_be_in_range() {
    let d = problems("samples = 0\nseed = -3\ntop_k = 0\n");
    assert_problem(&d, 1, &["`samples` = 0", "minimum 1"]);
    assert_problem(&d, 2, &["`seed` = -3", "minimum 0"]);
    assert_problem(&d, 3, &["`top_k` = 0"]);
}

#[test]
fn spread_must_lie_in_zero_one() {
    for (spread, line) in [("1.0", 4), ("-0.1", 4), ("1.5", 4)] {
        let d = problems(&format!(
            "[[weights]]\nlevel = 2\nmode = \"uniform\"\nspread = {spread}\n"
        ));
        assert_problem(&d, line, &["`spread`", "outside [0, 1)", "e.g. 0.25"]);
    }
    let ok = parse("[[weights]]\nlevel = 2\nmode = \"uniform\"\nspread = 0\n").unwrap();
    assert_eq!(ok.weights[0].mode, WeightMode::Uniform { spread: 0.0 });
}

#[test]
fn concentration_must_be_positive() {
    let d = problems("[[weights]]\nlevel = 2\nmode = \"dirichlet\"\nconcentration = 0\n");
    assert_problem(&d, 4, &["`concentration` = 0 must be positive"]);
    let d = problems("[[weights]]\nlevel = 2\nmode = \"dirichlet\"\n");
    assert_problem(&d, 3, &["needs `concentration`", "concentration = 50"]);
}

#[test]
fn parameters_of_another_mode_are_rejected() {
    let d = problems("[[weights]]\nlevel = 3\nmode = \"fixed\"\nspread = 0.25\n");
    assert_problem(
        &d,
        4,
        &[
            "\"fixed\"",
            "nominal values",
            "no effect",
            "remove `spread`",
        ],
    );
    let d =
        problems("[[weights]]\nlevel = 3\nmode = \"uniform\"\nspread = 0.2\nconcentration = 5\n");
    assert_problem(&d, 5, &["`concentration` applies to mode = \"dirichlet\""]);
    let d = problems("[[weights]]\nlevel = 3\nmode = \"simplex\"\nspread = 0.2\n");
    assert_problem(&d, 4, &["simplex", "no `spread`"]);
}

#[test]
fn weight_entries_need_exactly_one_target_and_a_known_mode() {
    let d = problems(
        "[[weights]]\nlevel = 2\nparent = \"ATT\"\nmode = \"simplex\"\n\n\
         [[weights]]\nmode = \"simplex\"\n\n\
         [[weights]]\nlevel = 2\nmode = \"unifrom\"\nspread = 0.1\n\n\
         [[weights]]\nlevel = 3\n",
    );
    assert_problem(&d, 1, &["both `level` and `parent`", "keep exactly one"]);
    assert_problem(&d, 6, &["neither `level` nor `parent`"]);
    assert_problem(
        &d,
        11,
        &["unknown weight mode `unifrom`", "did you mean `uniform`"],
    );
    assert_problem(&d, 14, &["no `mode`", "mode = \"uniform\""]);
    let d = problems("[[weights]]\nlevel = 0\nmode = \"simplex\"\n");
    assert_problem(&d, 2, &["`weights[1].level` = 0", "minimum 1"]);
}

#[test]
fn weights_written_as_a_single_table_are_rejected() {
    let d = problems("[weights]\nlevel = 2\nmode = \"simplex\"\n");
    assert_problem(&d, 1, &["single brackets", "[[weights]]"]);
}

#[test]
fn groupings_are_checked() {
    let d = problems("[[weights]]\nlevel = 2\nmode = \"simplex\"\ngrouping = \"per_level\"\n");
    assert_problem(
        &d,
        4,
        &["unknown grouping `per_level`", "did you mean `per-level`"],
    );
    let s = parse("[[weights]]\nparent = \"ATT\"\nmode = \"simplex\"\n[[weights]]\nlevel = 3\nmode = \"simplex\"\n").unwrap();
    assert_eq!(s.weights[0].grouping, Grouping::PerParent);
    assert_eq!(s.weights[1].grouping, Grouping::PerLevel);
    assert_eq!(s.weights[0].line, 1);
    assert_eq!(s.weights[1].line, 4);
}

#[test]
fn the_same_weights_twice_and_conflicting_factor_names_are_rejected() {
    let d = problems(
        "[[weights]]\nlevel = 2\nmode = \"simplex\"\n\n[[weights]]\nlevel = 2\nmode = \"fixed\"\n",
    );
    assert_problem(
        &d,
        5,
        &["level 2", "already varied by the entry at line 1", "merge"],
    );

    let d = problems(
        "[[weights]]\nlevel = 2\nmode = \"simplex\"\ngrouping = \"all\"\nname = \"W\"\n\n\
         [[weights]]\nlevel = 3\nmode = \"simplex\"\ngrouping = \"all\"\nname = \"V\"\n",
    );
    assert_problem(&d, 7, &["one factor", "\"V\"", "\"W\""]);

    let d = problems(
        "[normalisation]\nalternatives = [\"rank\"]\nname = \"Methods\"\n\n\
         [[aggregation]]\nalternatives = [\"geometric\"]\nname = \"Methods\"\n",
    );
    assert_problem(&d, 5, &["factor name \"Methods\"", "line 1"]);
}

#[test]
fn empty_alternatives_are_rejected() {
    let d = problems("[normalisation]\nalternatives = []\n");
    assert_problem(
        &d,
        2,
        &["`normalisation.alternatives` is empty", "at least one"],
    );
    let d = problems("[imputation]\nnominal = \"mean\"\n");
    assert_problem(
        &d,
        1,
        &["no `alternatives`", "alternatives = [\"none\", \"mean\"]"],
    );
}

#[test]
fn method_spellings_are_checked_with_the_method_parser_message() {
    let d = problems(
        "[normalisation]\nalternatives = [\n  \"minmax(1,100)\",\n  \"minmix\",\n  \"zscore(1,x)\",\n]\nnominal = \"minmax(100,0)\"\n\
         [[aggregation]]\nalternatives = [\"arithmetic\", \"geometric\", \"gemoetric\"]\n\
         [imputation]\nalternatives = [\"group_mean\"]\n",
    );
    assert_problem(
        &d,
        4,
        &["unknown normalisation `minmix`", "zscore(mean,sd)"],
    );
    assert_problem(&d, 5, &["not a number"]);
    assert_problem(&d, 7, &["lower bound must be below the upper bound"]);
    assert_problem(&d, 9, &["unknown aggregation `gemoetric`", "geometric"]);
    assert_problem(&d, 11, &["group column"]);
    let element = d.iter().find(|d| d.location.line == Some(4)).unwrap();
    assert_eq!(
        element.location.column.as_deref(),
        Some("normalisation.alternatives[2]")
    );
}

#[test]
fn duplicate_alternatives_are_rejected() {
    let d = problems("[normalisation]\nalternatives = [\"rank\", \"minmax(1,100)\", \"n_rank\"]\n");
    assert_problem(&d, 2, &["`rank` is listed twice", "probabilities"]);
}

#[test]
fn probabilities_default_to_equal_and_are_checked() {
    let s = parse("[normalisation]\nalternatives = [\"rank\", \"minmax(1,100)\", \"borda\", \"percentile\"]\n").unwrap();
    assert_eq!(s.normalisation.unwrap().probabilities, [0.25; 4]);

    let s = parse(
        "[normalisation]\nalternatives = [\"rank\", \"minmax(1,100)\", \"borda\"]\n\
         probabilities = [0.5, 0.25, 0.25]\n",
    )
    .unwrap();
    assert_eq!(s.normalisation.unwrap().probabilities, [0.5, 0.25, 0.25]);

    let d = problems(
        "[normalisation]\nalternatives = [\"rank\", \"borda\"]\nprobabilities = [0.5, 0.4]\n",
    );
    assert_problem(&d, 3, &["sum to 0.9", "not 1", "divide each by 0.9"]);

    let d = problems(
        "[normalisation]\nalternatives = [\"rank\", \"borda\", \"percentile\"]\nprobabilities = [0.5, 0.5]\n",
    );
    assert_problem(
        &d,
        3,
        &[
            "2 probabilities for 3 alternatives",
            "one probability per alternative",
        ],
    );

    let d = problems(
        "[[aggregation]]\nalternatives = [\"arithmetic\", \"geometric\"]\nprobabilities = [1.5, -0.5]\n",
    );
    assert_problem(&d, 3, &["probability -0.5 is negative"]);

    // Within 1e-9 of 1 is accepted (thirds written out).
    parse(
        "[normalisation]\nalternatives = [\"rank\", \"borda\", \"percentile\"]\n\
         probabilities = [0.3333333333, 0.3333333333, 0.3333333334]\n",
    )
    .unwrap();
}

#[test]
fn winmax_ranges_are_checked() {
    let d = problems("[treatment]\nwinmax = [5, 1]\n");
    assert_problem(
        &d,
        2,
        &["`winmax = [5, 1]` is reversed", "`winmax = [1, 5]`"],
    );
    let d = problems("[treatment]\nwinmax = [-1, 5]\n");
    assert_problem(&d, 2, &["limit -1 is negative"]);
    let d = problems("[treatment]\nwinmax = [1, 2, 3]\n");
    assert_problem(&d, 2, &["3 entries", "inclusive range"]);
    let d = problems("[treatment]\nwinmax = 5\n");
    assert_problem(&d, 2, &["must be a list", "winmax = [1, 5]"]);
    let d = problems("[treatment]\nnominal = 3\nskew_limit = 0\n");
    assert_problem(&d, 1, &["no `winmax` range"]);
    assert_problem(&d, 3, &["`treatment.skew_limit` = 0 must be positive"]);
}

#[test]
fn aggregation_levels_are_checked_within_and_across_entries() {
    let d = problems(
        "[[aggregation]]\nlevels = [2, 3]\nalternatives = [\"geometric\"]\n\n\
         [[aggregation]]\nlevels = [3, 4]\nalternatives = [\"harmonic\"]\n",
    );
    assert_problem(
        &d,
        5,
        &["level(s) 3 already have an aggregation choice", "line 1"],
    );

    let d = problems(
        "[[aggregation]]\nalternatives = [\"geometric\"]\n\n\
         [[aggregation]]\nlevels = [4]\nalternatives = [\"harmonic\"]\n",
    );
    assert_problem(&d, 4, &["without `levels` covers every level"]);

    let d = problems("[[aggregation]]\nlevels = [1, 2, 2]\nalternatives = [\"geometric\"]\n");
    assert_problem(&d, 2, &["level 1 is not an aggregate level"]);
    assert_problem(&d, 2, &["level 2 is listed twice"]);
}

#[test]
fn exclusion_lists_are_checked() {
    let d = problems("[exclusion]\nindicators = \"some\"\n");
    assert_problem(&d, 2, &["the only word allowed here is \"all\""]);
    let d = problems("[exclusion]\nindicators = []\n");
    assert_problem(&d, 2, &["empty list"]);
    let d = problems("[exclusion]\nindicators = [\"A\", \"B\", \"A\"]\n");
    assert_problem(&d, 2, &["`A` is listed twice"]);
    let d = problems("[exclusion]\nindicators = [\"A\"]\ninclude_none = false\n");
    assert_problem(&d, 1, &["left out of every sample", "include_none = true"]);
    let s = parse("[exclusion]\n").unwrap();
    let exclusion = s.exclusion.unwrap();
    assert_eq!(exclusion.indicators, ExclusionSet::All);
    assert!(exclusion.include_none);
}

#[test]
fn all_problems_are_reported_in_line_order() {
    let error = parse(
        "top_k = 0\n[[weights]]\nlevel = 2\nmode = \"uniform\"\nspread = 2\n\
         [normalisation]\nalternatives = [\"nope\"]\n[treatment]\nwinmax = [3, 1]\n",
    )
    .unwrap_err();
    let lines: Vec<usize> = error
        .diagnostics()
        .iter()
        .map(|d| d.location.line.unwrap())
        .collect();
    assert_eq!(lines, [1, 5, 7, 9]);
    let message = error.to_string();
    assert!(message.starts_with("4 problems found"), "{message}");
    assert!(message.contains("test.toml:5"), "{message}");
    assert!(message.contains("fix:"), "{message}");
}

#[test]
fn missing_files_are_io_errors() {
    let error = Scenario::from_file("scenarios/does-not-exist.toml").unwrap_err();
    assert!(matches!(error, ScenarioError::Io { .. }));
    assert!(error.diagnostics().is_empty());
    assert!(error.to_string().contains("does-not-exist.toml"));
}

#[test]
fn key_lines_locate_keys_and_elements() {
    let s =
        parse("focus = \"BEJ\"\n\n[exclusion]\nindicators = [\n  \"A\",\n  \"B\",\n]\n").unwrap();
    assert_eq!(s.line_of("focus"), Some(1));
    assert_eq!(s.line_of("exclusion.indicators"), Some(4));
    assert_eq!(s.line_of("exclusion.indicators[2]"), Some(6));
    assert_eq!(s.exclusion.unwrap().line, 3);
}

// ---------------------------------------------------------------------------------------------
// Index-time rules
// ---------------------------------------------------------------------------------------------

#[test]
fn focus_and_top_k_must_fit_the_index() {
    let index = ieci_index();
    let s =
        parse("focus = \"BJE\"\ntop_k = 40\n[normalisation]\nalternatives = [\"rank\"]\n").unwrap();
    let d = invalid(&s, &index);
    assert_problem(
        &d,
        1,
        &[
            "focus unit `BJE` is not in the index",
            "did you mean `BEJ` (Beijing)",
        ],
    );
    assert_problem(&d, 2, &["top_k = 40", "only 12 units", "between 1 and 12"]);
    // Names work as well as codes.
    parse("focus = \"beijing\"\ntop_k = 12\n[normalisation]\nalternatives = [\"rank\"]\n")
        .unwrap()
        .validate(&index)
        .unwrap();
}

#[test]
fn weight_targets_must_exist() {
    let index = ieci_index();
    let s = parse(
        "[[weights]]\nlevel = 4\nmode = \"simplex\"\n\
         [[weights]]\nparent = \"INFF\"\nmode = \"simplex\"\n\
         [[weights]]\nparent = \"SCI_PCT\"\nmode = \"simplex\"\n",
    )
    .unwrap();
    let d = invalid(&s, &index);
    assert_problem(
        &d,
        2,
        &[
            "level 4 has no weights to vary",
            "top node `IECI`",
            "from 1 (indicators) to 3",
        ],
    );
    assert_problem(&d, 5, &["no aggregate `INFF`", "did you mean `INF`"]);
    assert_problem(&d, 8, &["`SCI_PCT` is an indicator", "parent = \"SCI\""]);
}

#[test]
fn overlapping_weight_entries_are_rejected() {
    let index = ieci_index();
    let s = parse(
        "[[weights]]\nlevel = 2\nmode = \"uniform\"\nspread = 0.25\n\n\
         [[weights]]\nparent = \"ATT\"\nmode = \"simplex\"\n",
    )
    .unwrap();
    let d = invalid(&s, &index);
    assert_problem(
        &d,
        6,
        &[
            "`LIV`, `BUS`, `SAF`, `TOU`",
            "entry at line 1",
            "one [[weights]] entry",
        ],
    );
}

#[test]
fn a_single_child_cannot_have_varying_weight() {
    let index = lopsided_index();
    let s = parse("[[weights]]\nparent = \"SOLO\"\nmode = \"uniform\"\nspread = 0.25\n").unwrap();
    let d = invalid(&s, &index);
    assert_problem(
        &d,
        2,
        &[
            "`SOLO` has a single child (`X3`)",
            "always 1",
            "cannot vary",
        ],
    );
    // Fixed weights do not vary, so they are fine.
    parse("[[weights]]\nparent = \"SOLO\"\nmode = \"fixed\"\n")
        .unwrap()
        .validate(&index)
        .unwrap();
    // Level 1 still varies under PAIR, so the level as a whole is fine.
    parse("[[weights]]\nlevel = 1\nmode = \"simplex\"\n")
        .unwrap()
        .validate(&index)
        .unwrap();
    // A level where every parent has one child cannot vary.
    let chain = build_index(
        &[
            ("TOP", 3, None, 1.0),
            ("MID", 2, Some("TOP"), 1.0),
            ("X1", 1, Some("MID"), 1.0),
            ("X2", 1, Some("MID"), 1.0),
        ],
        &[("A", "Alpha")],
        &[],
    );
    let d = invalid(
        &parse("[[weights]]\nlevel = 2\nmode = \"simplex\"\n").unwrap(),
        &chain,
    );
    assert_problem(&d, 2, &["every node of level 2 is the only child"]);
}

#[test]
fn dirichlet_needs_positive_nominal_weights() {
    let index = lopsided_index();
    let s = parse("[[weights]]\nparent = \"PAIR\"\nmode = \"dirichlet\"\nconcentration = 10\n")
        .unwrap();
    let d = invalid(&s, &index);
    assert_problem(
        &d,
        3,
        &["`X2` have weight 0", "concentration × nominal weight"],
    );
}

#[test]
fn aggregation_levels_must_exist() {
    let index = ieci_index();
    let s = parse("[[aggregation]]\nlevels = [2, 5]\nalternatives = [\"arithmetic\"]\n").unwrap();
    let d = invalid(&s, &index);
    assert_problem(&d, 2, &["level 5 does not exist", "2..=4"]);
}

/// The refusal of a scenario's run on the embedded IECI data (nominal minmax(0,100),
/// arithmetic): the one positivity rule, decided on the prepared values.
fn run_refusal(text: &str) -> (Location, String) {
    let index = embedded::load("ieci2022").unwrap();
    let scenario = parse(text).unwrap();
    scenario.validate(&index).unwrap();
    let model = ScenarioModel::new(&scenario, &index).unwrap();
    match model.prepare(&index, &scenario) {
        Ok(_) => panic!("expected the run to be refused"),
        Err(ScenarioRunError::Range { location, reason }) => (
            *location,
            format!("{}\nfix: {}", reason.problem(), reason.fix()),
        ),
        Err(other) => panic!("unexpected error {other}"),
    }
}

fn runs(text: &str) {
    let index = embedded::load("ieci2022").unwrap();
    let scenario = parse(text).unwrap();
    scenario.validate(&index).unwrap();
    let model = ScenarioModel::new(&scenario, &index).unwrap();
    if let Err(error) = model.prepare(&index, &scenario) {
        panic!("expected the run to be accepted: {error}");
    }
}

fn assert_refused(text: &str, line: usize, column: &str, words: &[&str]) {
    let (location, message) = run_refusal(text);
    assert_eq!(location.line, Some(line), "{location}: {message}");
    assert_eq!(location.column.as_deref(), Some(column), "{message}");
    for word in words {
        assert!(message.contains(word), "`{word}` not in:\n{message}");
    }
}

#[test]
fn geometric_means_reject_normalisations_that_reach_zero() {
    // Located at the aggregation alternative, naming the normalisation and its floor.
    assert_refused(
        "[normalisation]\nalternatives = [\"rank\", \"minmax(0,100)\"]\n\n\
         [[aggregation]]\nalternatives = [\"arithmetic\", \"geometric\"]\n",
        5,
        "aggregation[1].alternatives[2]",
        &[
            "`geometric` aggregation (level 2)",
            "`minmax(0,100)` gives values down to 0",
            "use `minmax(1,100)`",
        ],
    );
    assert_refused(
        "[normalisation]\nalternatives = [\"percentile\"]\n[[aggregation]]\nalternatives = [\"harmonic\"]\n",
        4,
        "aggregation[1].alternatives[1]",
        &["`percentile`", "the lowest unit on each indicator gets 0"],
    );
    runs(
        "[normalisation]\nalternatives = [\"rank\", \"minmax(1,100)\"]\n\
         [[aggregation]]\nalternatives = [\"arithmetic\", \"geometric\"]\n",
    );
}

#[test]
fn shifted_z_scores_are_judged_on_the_data() {
    // No unit of the 37 lies 5 standard deviations below a mean (Samuelson's bound is 5.9, but
    // the data decide): zscore(10,2) is positive here, while zscore(1,1) reaches below zero.
    let scenario = |z: &str| {
        format!(
            "[normalisation]\nalternatives = [\"{z}\"]\n[[aggregation]]\nalternatives = [\"geometric\"]\n"
        )
    };
    runs(&scenario("zscore(10,2)"));
    assert_refused(
        &scenario("zscore(1,1)"),
        4,
        "aggregation[1].alternatives[1]",
        &[
            "`zscore(1,1)`",
            "more than 1 standard deviations below",
            "zscore(10,1)",
        ],
    );
}

#[test]
fn geometric_alternatives_meet_the_index_nominal_normalisation() {
    // No [normalisation]: the index's minmax(0,100) is what every sample uses.
    assert_refused(
        "[[aggregation]]\nlevels = [3]\nalternatives = [\"harmonic\"]\n",
        3,
        "aggregation[1].alternatives[1]",
        &["`harmonic` aggregation (level 3)", "`minmax(0,100)`"],
    );
}

#[test]
fn copeland_below_a_geometric_level_is_rejected() {
    assert_refused(
        "[normalisation]\nalternatives = [\"minmax(1,100)\"]\n\
         [[aggregation]]\nlevels = [2]\nalternatives = [\"arithmetic\", \"copeland\"]\n\
         [[aggregation]]\nlevels = [3, 4]\nalternatives = [\"geometric\"]\n",
        8,
        "aggregation[2].alternatives[1]",
        &[
            "`geometric` aggregation (level 3)",
            "`copeland` at level 2",
            "zero or negative",
        ],
    );
    // Copeland at the top is harmless.
    runs(
        "[normalisation]\nalternatives = [\"minmax(1,100)\"]\n\
         [[aggregation]]\nlevels = [2, 3]\nalternatives = [\"geometric\"]\n\
         [[aggregation]]\nlevels = [4]\nalternatives = [\"copeland\"]\n",
    );
}

#[test]
fn an_overridden_nominal_method_must_run_too() {
    // The sampled pairs are fine; the nominal geometric meets the index's minmax(0,100).
    assert_refused(
        "[[aggregation]]\nnominal = \"geometric\"\nalternatives = [\"arithmetic\"]\n",
        2,
        "aggregation[1].nominal",
        &["`geometric`", "minmax(0,100)"],
    );
    // COINr's pattern: a nominal minmax(0,100) that is never sampled with the geometric mean.
    runs(
        "[normalisation]\nnominal = \"minmax(0,100)\"\nalternatives = [\"minmax(1,100)\"]\n\
         [[aggregation]]\nnominal = \"arithmetic\"\nalternatives = [\"arithmetic\", \"geometric\"]\n",
    );
}

#[test]
fn methods_must_find_their_inputs() {
    let index = ieci_index();
    let d = invalid(
        &parse(
            "[normalisation]\nalternatives = [\"dist2ref(BJE)\", \"goalposts(100)\", \"dist2targ\"]\n\
             [imputation]\nalternatives = [\"mean\", \"group_mean(Regoin)\", \"group_median(Income)\"]\n",
        )
        .unwrap(),
        &index,
    );
    assert_problem(&d, 2, &["reference unit `BJE`", "did you mean `BEJ`"]);
    assert_problem(
        &d,
        2,
        &[
            "`goalposts(100)` needs Goalpost_lower and Goalpost_upper",
            "`LIV_EIU`",
            "and 17 more",
        ],
    );
    assert_problem(&d, 2, &["`dist2targ(cap)` needs Target"]);
    assert_problem(
        &d,
        4,
        &["no group column `Regoin`", "did you mean `Region`"],
    );
    assert_problem(&d, 4, &["no group column `Income`", "Region"]);
}

#[test]
fn excluded_indicators_must_exist_and_be_indicators() {
    let index = ieci_index();
    let d = invalid(
        &parse("[exclusion]\nindicators = [\n  \"LIV_EIU\",\n  \"SCI_PTC\",\n  \"ECO\",\n]\n")
            .unwrap(),
        &index,
    );
    assert_problem(&d, 4, &["no indicator `SCI_PTC`", "did you mean `SCI_PCT`"]);
    assert_problem(
        &d,
        5,
        &[
            "`ECO` is a level-2 aggregate",
            "`ECO_G500`, `ECO_GDPPC`, `ECO_FDI`",
        ],
    );
}

#[test]
fn excluding_the_only_weighted_child_is_rejected() {
    let index = lopsided_index();
    // X3 is SOLO's only child; X1 is PAIR's only child with positive weight (X2 weighs 0).
    let d = invalid(
        &parse("[exclusion]\nindicators = \"all\"\n").unwrap(),
        &index,
    );
    assert_problem(
        &d,
        2,
        &[
            "leaving out `X3`",
            "parent `SOLO`",
            "vanish",
            "instead of \"all\"",
        ],
    );
    assert_problem(&d, 2, &["leaving out `X1`", "parent `PAIR`"]);
    assert_eq!(d.len(), 2);
    let d = invalid(
        &parse("[exclusion]\nindicators = [\"X2\", \"X3\"]\n").unwrap(),
        &index,
    );
    assert_problem(&d, 2, &["leaving out `X3`", "remove `X3`"]);
    assert_eq!(d.len(), 1);
}

#[test]
fn validation_reports_every_problem_and_works_without_lines() {
    let index = ieci_index();
    let mut scenario = Scenario {
        focus: Some("Atlantis".into()),
        top_k: Some(99),
        source: "built-in".into(),
        ..Scenario::default()
    };
    scenario
        .aggregation
        .push(ranksense::scenario::AggregationSpec {
            levels: Some(vec![6]),
            choice: ranksense::scenario::Choice::equally_likely(vec![Aggregation::Arithmetic]),
        });
    let error = scenario.validate(&index).unwrap_err();
    assert_eq!(error.diagnostics().len(), 3);
    assert!(
        error
            .diagnostics()
            .iter()
            .all(|d| d.location.line.is_none() && d.location.file == "built-in")
    );
}

#[test]
fn winsorisation_limits_cannot_exceed_the_units() {
    // A range of a million limits would prepare a million data variants.
    let index = ieci_index(); // 12 units
    let d = invalid(
        &parse("[treatment]\nwinmax = [0, 1000000]\n").unwrap(),
        &index,
    );
    assert_problem(
        &d,
        2,
        &["goes up to 1000000", "12 units", "winmax = [0, 11]"],
    );
    parse("[treatment]\nwinmax = [0, 11]\n")
        .unwrap()
        .validate(&index)
        .unwrap();
}
