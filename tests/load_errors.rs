//! Loading: the COINr ASEM files load as they are, and every kind of bad input is reported with
//! its file, line, column and fix — all problems at once.

use std::path::Path;

use ranksense::model::method::{Aggregation, Imputation, Method, Normalisation, Treatment};
use ranksense::model::{Diagnostic, Index, LoadError, load_dir, load_files, load_from_strings};
use ranksense::pipeline::validity::check_nominal;

// ---------------------------------------------------------------------------------------------
// A tiny valid index: 4 indicators, 2 pillars, 1 index, a group and a denominator.
//
// meta.csv lines: A 2, B 3, C 4, D 5, P1 6, P2 7, Top 8, Region 9, Pop 10.
// data.csv lines: U1 2, U2 3, U3 4, U4 5.

const META: &str = "\
Level,iCode,iName,Direction,Weight,Parent,Type,Denominator
1,A,Alpha,1,1,P1,Indicator,Pop
1,B,Beta,-1,1,P1,Indicator,
1,C,Gamma,1,2,P2,Indicator,
1,D,Delta,1,1,P2,Indicator,
2,P1,Pillar one,1,1,Top,Aggregate,
2,P2,Pillar two,1,1,Top,Aggregate,
3,Top,Index,1,1,,Aggregate,
,Region,Region,,,,Group,
,Pop,Population,,,,Denominator,
";

const DATA: &str = "\
uCode,uName,Region,Pop,A,B,C,D
U1,Unit one,North,10,1,2,3,4
U2,Unit two,South,20,3,3,4,5
U3,Unit three,North,30,2,1,,6
U4,Unit four,South,40,4,5,6,1
";

fn load(meta: &str, data: &str, toml: Option<&str>) -> Result<Index, LoadError> {
    load_from_strings(
        ("meta.csv", meta),
        ("data.csv", data),
        toml.map(|t| ("index.toml", t)),
        "tests/tiny",
    )
}

fn problems(meta: &str, data: &str, toml: Option<&str>) -> Vec<Diagnostic> {
    match load(meta, data, toml) {
        Ok(_) => panic!("expected problems, but the index loaded"),
        Err(error) => {
            assert!(!error.diagnostics().is_empty(), "{error}");
            error.diagnostics().to_vec()
        }
    }
}

fn render(diagnostics: &[Diagnostic]) -> String {
    diagnostics
        .iter()
        .map(|d| format!("  {d}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The single diagnostic at this place; fails listing all of them if there is none or several.
fn at<'a>(
    diagnostics: &'a [Diagnostic],
    file: &str,
    line: Option<usize>,
    column: Option<&str>,
) -> &'a Diagnostic {
    let found: Vec<&Diagnostic> = diagnostics
        .iter()
        .filter(|d| {
            d.location.file == file
                && d.location.line == line
                && d.location.column.as_deref() == column
        })
        .collect();
    assert_eq!(
        found.len(),
        1,
        "expected one problem at {file}:{line:?} column {column:?}, got:\n{}",
        render(diagnostics)
    );
    found[0]
}

fn assert_says(diagnostic: &Diagnostic, problem: &[&str], fix: &[&str]) {
    for words in problem {
        assert!(
            diagnostic.problem.contains(words),
            "problem should mention {words:?}: {diagnostic}"
        );
    }
    for words in fix {
        assert!(
            diagnostic.fix.contains(words),
            "fix should mention {words:?}: {diagnostic}"
        );
    }
}

fn assert_count(diagnostics: &[Diagnostic], expected: usize) {
    assert_eq!(
        diagnostics.len(),
        expected,
        "problems:\n{}",
        render(diagnostics)
    );
}

/// Replaces one line (1-based) of a text.
fn with_line(text: &str, line: usize, replacement: &str) -> String {
    text.lines()
        .enumerate()
        .map(|(i, l)| if i + 1 == line { replacement } else { l })
        .map(|l| format!("{l}\n"))
        .collect()
}

/// Sets one cell of a simple (unquoted) CSV text, addressed by line and column name.
fn with_cell(text: &str, line: usize, column: &str, value: &str) -> String {
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    let j = header.iter().position(|h| *h == column).expect("column");
    let row = text.lines().nth(line - 1).unwrap();
    let mut cells: Vec<&str> = row.split(',').collect();
    cells[j] = value;
    with_line(text, line, &cells.join(","))
}

/// Applies `edit` to every line's cells of a simple CSV text.
fn map_cells(text: &str, edit: impl Fn(&mut Vec<String>)) -> String {
    text.lines()
        .map(|l| {
            let mut cells: Vec<String> = l.split(',').map(str::to_string).collect();
            edit(&mut cells);
            format!("{}\n", cells.join(","))
        })
        .collect()
}

fn drop_column(text: &str, column: &str) -> String {
    let j = text
        .lines()
        .next()
        .unwrap()
        .split(',')
        .position(|h| h == column)
        .expect("column");
    map_cells(text, |cells| {
        cells.remove(j);
    })
}

fn rename_column(text: &str, old: &str, new: &str) -> String {
    let mut lines = text.lines();
    let header = lines
        .next()
        .unwrap()
        .split(',')
        .map(|h| if h == old { new } else { h })
        .collect::<Vec<_>>()
        .join(",");
    std::iter::once(header)
        .chain(lines.map(str::to_string))
        .map(|l| format!("{l}\n"))
        .collect()
}

fn raw_bits(index: &Index) -> Vec<u64> {
    index.raw.as_slice().iter().map(|x| x.to_bits()).collect()
}

// ---------------------------------------------------------------------------------------------
// Valid inputs

#[test]
fn tiny_index_loads_with_the_documented_layout() {
    let index = load(META, DATA, None).unwrap();
    let framework = &index.framework;
    let codes: Vec<&str> = framework.nodes.iter().map(|n| n.code.as_str()).collect();
    assert_eq!(codes, ["A", "B", "C", "D", "P1", "P2", "Top"]);
    assert_eq!(framework.top, 6);
    assert_eq!(framework.n_levels, 3);
    assert_eq!(framework.nodes[4].children, vec![0, 1]);
    assert_eq!(framework.nodes[6].children, vec![4, 5]);
    assert_eq!(framework.nodes[2].parent, Some(5));
    assert_eq!(framework.nodes[2].weight, 2.0);
    assert_eq!(framework.indicators[1].direction, -1.0);
    assert_eq!(framework.indicators[0].denominator, Some(0));
    assert_eq!(framework.indicators[1].denominator, None);
    assert!(framework.level_names.is_empty());
    assert_eq!(index.n_units(), 4);
    assert_eq!(index.units[2].name, "Unit three");
    assert!(index.raw.get(2, 2).is_nan(), "empty cell is missing");
    assert_eq!(index.raw.get(3, 3), 1.0);
    assert_eq!(index.groups[0].code, "Region");
    assert_eq!(index.groups[0].values[1].as_deref(), Some("South"));
    assert_eq!(index.denominators[0].code, "Pop");
    assert_eq!(index.denominators[0].values, vec![10.0, 20.0, 30.0, 40.0]);
    assert_eq!(index.nominal, Method::simple(2));
    assert_eq!(index.info.name, "tiny");
    assert_eq!(index.info.source, "tests/tiny");
    assert_eq!(index.info.input_hash.len(), 64);
}

#[test]
fn na_and_blank_cells_are_missing_and_undeclared_columns_are_ignored() {
    let data = with_cell(DATA, 2, "A", "NA");
    let data = with_cell(&data, 3, "B", "");
    let data = with_cell(&data, 4, "Region", "NA");
    let data = with_cell(&data, 5, "uName", "");
    // `Time` is numeric and `Note` text; neither is declared, so both are ignored (as in ASEM;
    // `Note` with a warning, see tests/input_rules.rs).
    let data = map_cells(&data, |cells| {
        let is_header = cells[0] == "uCode";
        cells.push(if is_header { "Time" } else { "2018" }.into());
        cells.push(if is_header { "Note" } else { "TRUE" }.into());
    });
    let index = load(META, &data, None).unwrap();
    assert!(index.raw.get(0, 0).is_nan());
    assert!(index.raw.get(1, 1).is_nan());
    assert_eq!(index.groups[0].values[2], None);
    assert_eq!(index.units[3].name, "U4", "missing uName defaults to uCode");
    assert_eq!(index.raw.n_cols(), 4);
}

#[test]
fn index_toml_sets_info_and_method() {
    let toml = r#"
name = "Tiny"
description = "A tiny index"
provenance = "made up"
reconstruction = true
focus = "unit three"
level_names = ["Indicator", "Pillar", "Index"]

[method]
denominate = true
imputation = "group_median(Region)"
screen = 0.5
treatment = { winmax = 2 }
normalisation = "minmax(1,100)"
aggregation = ["geometric", "arithmetic"]
"#;
    let index = load(META, DATA, Some(toml)).unwrap();
    assert_eq!(index.info.name, "Tiny");
    assert_eq!(index.info.description, "A tiny index");
    assert_eq!(index.info.provenance, "made up");
    assert!(index.info.reconstruction);
    assert_eq!(
        index.info.focus.as_deref(),
        Some("U3"),
        "focus by name resolves to the uCode"
    );
    assert_eq!(index.framework.level_name(2), "Pillar");
    let expected = Method {
        denominate: true,
        imputation: Imputation::GroupMedian("Region".into()),
        screen: Some(0.5),
        treatment: Some(Treatment::with_winmax(2)),
        normalisation: Normalisation::MinMax {
            low: 1.0,
            high: 100.0,
        },
        aggregation: vec![Aggregation::Geometric, Aggregation::Arithmetic],
    };
    assert_eq!(index.nominal, expected);
    let plain = load(META, DATA, None).unwrap();
    assert_ne!(index.info.input_hash, plain.info.input_hash);
}

#[test]
fn a_group_column_named_only_by_group_imputation_is_accepted() {
    let data = map_cells(DATA, |cells| {
        let value = match cells[0].as_str() {
            "uCode" => "Zone",
            "U1" | "U2" => "in",
            _ => "out",
        };
        cells.push(value.into());
    });
    let toml = "[method]\nimputation = \"group_mean(Zone)\"\n";
    let index = load(META, &data, Some(toml)).unwrap();
    let zone = index.group("Zone").expect("Zone becomes a group column");
    assert_eq!(zone.values[3].as_deref(), Some("out"));
}

// ---------------------------------------------------------------------------------------------
// The COINr ASEM files

fn asem() -> Index {
    load_dir(Path::new("data/asem")).unwrap_or_else(|e| panic!("ASEM must load:\n{e}"))
}

#[test]
fn asem_loads_unchanged() {
    let index = asem();
    let framework = &index.framework;
    assert_eq!(index.n_units(), 51);
    assert_eq!(framework.n_indicators(), 49);
    assert_eq!(framework.n_levels, 4);
    assert_eq!(framework.level_nodes(2).len(), 8);
    assert_eq!(framework.level_nodes(3).len(), 2);
    assert_eq!(framework.level_nodes(4), vec![framework.top]);
    assert_eq!(framework.n_nodes(), 49 + 8 + 2 + 1);
    assert_eq!(framework.nodes[framework.top].code, "Index");
    assert_eq!(framework.top, 59, "nodes are stored bottom-up");
    let top_children: Vec<&str> = framework.nodes[framework.top]
        .children
        .iter()
        .map(|&c| framework.nodes[c].code.as_str())
        .collect();
    assert_eq!(top_children, ["Conn", "Sust"]);
    let physical = framework.find("Physical").unwrap();
    let physical_children: Vec<&str> = framework.nodes[physical]
        .children
        .iter()
        .map(|&c| framework.nodes[c].code.as_str())
        .collect();
    assert_eq!(
        &physical_children[..4],
        ["LPI", "Flights", "Ship", "Bord"],
        "children in meta.csv order"
    );
    let groups: Vec<&str> = index.groups.iter().map(|g| g.code.as_str()).collect();
    assert_eq!(
        groups,
        ["GDP_group", "GDPpc_group", "Pop_group", "EurAsia_group"]
    );
    let denominators: Vec<&str> = index.denominators.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(denominators, ["Area", "Energy", "GDP", "Population"]);
    let missing = index.raw.as_slice().iter().filter(|x| x.is_nan()).count();
    assert_eq!(missing, 63);
    let flights = framework.find("Flights").unwrap();
    let denominator = framework.indicators[flights].denominator.unwrap();
    assert_eq!(index.denominators[denominator].code, "Population");
    let cost = framework.find("CostImpEx").unwrap();
    assert_eq!(framework.indicators[cost].direction, -1.0);
    assert_eq!(
        framework.indicators[cost].unit_label.as_deref(),
        Some("Current USD")
    );
    assert_eq!(framework.indicators[0].target, Some(4.11803135));
    let lao = index.find_unit("LAO").unwrap();
    let energy = &index.denominators[1];
    assert!(energy.values[lao].is_nan(), "LAO's Energy is missing");
    assert_eq!(index.units[0].code, "AUT");
    assert_eq!(index.units[0].name, "Austria");
    // data/asem/index.toml sets COINr's build_example_coin() method.
    assert!(index.nominal.denominate);
    assert_eq!(index.nominal.screen, Some(0.9));
    assert_eq!(index.nominal.normalisation, Method::simple(3).normalisation);
    assert_eq!(
        index.info.name,
        "ASEM Sustainable Connectivity (COINr example)"
    );
    assert_eq!(
        framework.level_names,
        ["Indicator", "Pillar", "Sub-index", "Index"]
    );
}

#[test]
fn asem_loads_from_the_peer_files_under_their_coinr_names() {
    let peers = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/peers/coinr-asem"
    ));
    let meta = peers.join("ASEM_iMeta.csv");
    if !meta.exists() {
        eprintln!("peer folder not present; skipped");
        return;
    }
    let index = load_files(&meta, &peers.join("ASEM_iData.csv"), None).unwrap();
    let reference = asem();
    assert_eq!(index.framework.nodes, reference.framework.nodes);
    assert_eq!(index.framework.indicators, reference.framework.indicators);
    assert_eq!(index.units, reference.units);
    assert_eq!(raw_bits(&index), raw_bits(&reference));
}

#[test]
fn asem_loads_with_coinr_example_settings() {
    // COINr's build_example_coin(): denominate, group-mean imputation, screening, treatment.
    // LAO has Elec and Gas values but no Energy: accepted because imputation refills them.
    let toml = r#"
name = "ASEM Sustainable Connectivity"
level_names = ["Indicator", "Pillar", "Sub-index", "Index"]
focus = "AUT"
[method]
denominate = true
imputation = "i_mean_grp(EurAsia_group)"
screen = 0.9
treatment = { winmax = 5, skew_limit = 2.0, kurtosis_limit = 3.5 }
normalisation = "n_minmax(0,100)"
aggregation = "a_amean"
"#;
    let meta = std::fs::read_to_string("data/asem/meta.csv").unwrap();
    let data = std::fs::read_to_string("data/asem/data.csv").unwrap();
    let index = load_from_strings(
        ("meta.csv", &meta),
        ("data.csv", &data),
        Some(("index.toml", toml)),
        "data/asem",
    )
    .unwrap();
    assert!(index.nominal.denominate);
    assert_eq!(
        index.nominal.imputation,
        Imputation::GroupMean("EurAsia_group".into())
    );
    assert_eq!(index.nominal.aggregation, vec![Aggregation::Arithmetic; 3]);
    assert_eq!(index.framework.level_name(3), "Sub-index");
    assert_eq!(index.info.focus.as_deref(), Some("AUT"));

    // Without imputation, LAO's missing Energy would silently drop two observed values.
    let strict = toml.replace("imputation = \"i_mean_grp(EurAsia_group)\"", "");
    let error = load_from_strings(
        ("meta.csv", &meta),
        ("data.csv", &data),
        Some(("index.toml", &strict)),
        "data/asem",
    )
    .unwrap_err();
    let diagnostics = error.diagnostics();
    let lao_line = data.lines().position(|l| l.contains("\"LAO\"")).unwrap() + 1;
    let problem = at(diagnostics, "data.csv", Some(lao_line), Some("Energy"));
    assert_says(
        problem,
        &["`Energy` is missing for unit `LAO`", "`Elec`, `Gas`"],
        &["imputation"],
    );
    assert_count(diagnostics, 1);
}

#[test]
fn bom_and_crlf_files_load_identically_to_plain_ones() {
    let meta = std::fs::read_to_string("data/asem/meta.csv").unwrap();
    let data = std::fs::read_to_string("data/asem/data.csv").unwrap();
    let windows = |text: &str| format!("\u{feff}{}", text.replace('\n', "\r\n"));
    let plain = load_from_strings(("meta.csv", &meta), ("data.csv", &data), None, "asem").unwrap();
    let excel = load_from_strings(
        ("meta.csv", &windows(&meta)),
        ("data.csv", &windows(&data)),
        None,
        "asem",
    )
    .unwrap();
    assert_eq!(excel.framework, plain.framework);
    assert_eq!(excel.units, plain.units);
    assert_eq!(raw_bits(&excel), raw_bits(&plain));
    assert_eq!(excel.groups, plain.groups);
    assert_eq!(excel.nominal, plain.nominal);
    assert_eq!(excel.denominators.len(), plain.denominators.len());

    // Line numbers stay right with CRLF and a BOM.
    let bad = windows(&with_cell(DATA, 4, "B", "oops"));
    let diagnostics = problems(&windows(META), &bad, None);
    let problem = at(&diagnostics, "data.csv", Some(4), Some("B"));
    assert_says(problem, &["`oops`", "not a number"], &["number"]);
}

// ---------------------------------------------------------------------------------------------
// Cells

#[test]
fn non_numeric_cells_are_located_with_a_fix() {
    let data = with_cell(DATA, 3, "A", "abc");
    let data = with_cell(&data, 2, "C", "TRUE");
    let data = with_cell(&data, 5, "D", "12.5%");
    let data = with_line(&data, 4, "U3,Unit three,North,30,3,1,\"1,5\",6");
    let diagnostics = problems(META, &data, None);
    assert_count(&diagnostics, 4);
    assert_says(
        at(&diagnostics, "data.csv", Some(3), Some("A")),
        &["`A` of unit `U2`", "`abc`", "not a number"],
        &["write a number", "empty (or NA)"],
    );
    assert_says(
        at(&diagnostics, "data.csv", Some(2), Some("C")),
        &["`TRUE`", "not a number"],
        &["logical"],
    );
    assert_says(
        at(&diagnostics, "data.csv", Some(4), Some("C")),
        &["`1,5`"],
        &["dot (`1.5`)"],
    );
    assert_says(
        at(&diagnostics, "data.csv", Some(5), Some("D")),
        &["`12.5%`"],
        &["drop the % sign"],
    );
}

#[test]
fn infinite_cells_are_rejected() {
    let data = with_cell(DATA, 2, "A", "inf");
    let data = with_cell(&data, 3, "B", "Inf");
    let data = with_cell(&data, 4, "D", "1e999");
    let data = with_cell(&data, 5, "Pop", "-Inf");
    let diagnostics = problems(META, &data, None);
    assert_count(&diagnostics, 4);
    for (line, column, text) in [(2, "A", "`inf`"), (3, "B", "`Inf`"), (5, "Pop", "`-Inf`")] {
        assert_says(
            at(&diagnostics, "data.csv", Some(line), Some(column)),
            &[text, "infinite"],
            &["finite number"],
        );
    }
    assert_says(
        at(&diagnostics, "data.csv", Some(4), Some("D")),
        &["`1e999`", "overflows to infinity"],
        &["finite number"],
    );
}

#[test]
fn a_text_column_declared_as_indicator_is_one_problem() {
    let meta = format!("{META}1,Region2,Region as indicator,1,1,P2,Indicator,\n");
    let data = map_cells(DATA, |cells| {
        let value = if cells[0] == "uCode" {
            "Region2"
        } else {
            "North"
        };
        cells.push(value.into());
    });
    let diagnostics = problems(&meta, &data, None);
    assert_count(&diagnostics, 1);
    assert_says(
        at(&diagnostics, "data.csv", Some(2), Some("Region2")),
        &["holds text", "`North`", "all 4 cells"],
        &["Type to Group"],
    );
}

#[test]
fn many_bad_cells_in_one_column_are_summarised() {
    let mut data = String::from("uCode,A,B\n");
    for u in 0..15 {
        data.push_str(&format!("U{u},{},x{u}\n", u + 1));
    }
    data.push_str("U15,16,7\n");
    let meta = "Level,iCode,iName,Direction,Weight,Parent,Type\n\
                1,A,A,1,1,Top,Indicator\n1,B,B,1,1,Top,Indicator\n2,Top,Top,1,1,,Aggregate\n";
    let diagnostics = problems(meta, &data, None);
    assert_count(&diagnostics, 11);
    assert_says(
        at(&diagnostics, "data.csv", Some(12), Some("B")),
        &["5 more cells in column `B`", "lines 12, 13, 14, 15, 16"],
        &["write numbers"],
    );
}

// ---------------------------------------------------------------------------------------------
// Codes

#[test]
fn duplicate_ucode_is_reported_on_the_repeat() {
    let data = with_cell(DATA, 4, "uCode", "U1");
    let diagnostics = problems(META, &data, None);
    assert_count(&diagnostics, 1);
    assert_says(
        at(&diagnostics, "data.csv", Some(4), Some("uCode")),
        &["duplicate uCode `U1`", "line 2"],
        &["own uCode"],
    );
}

#[test]
fn duplicate_icode_is_reported_on_the_repeat() {
    let meta = format!("{META}1,A,Alpha again,1,1,P2,Indicator,\n");
    let diagnostics = problems(&meta, DATA, None);
    assert_count(&diagnostics, 1);
    assert_says(
        at(&diagnostics, "meta.csv", Some(11), Some("iCode")),
        &["duplicate iCode `A`", "line 2"],
        &["own iCode"],
    );
}

// ---------------------------------------------------------------------------------------------
// The tree

#[test]
fn parent_that_does_not_exist_suggests_the_nearest_aggregate() {
    let meta = with_cell(META, 4, "Parent", "p2");
    let meta = with_cell(&meta, 5, "Parent", "Nowhere");
    let diagnostics = problems(&meta, DATA, None);
    assert_says(
        at(&diagnostics, "meta.csv", Some(4), Some("Parent")),
        &["Parent `p2` of `C` does not exist"],
        &["did you mean `P2`?"],
    );
    assert_says(
        at(&diagnostics, "meta.csv", Some(5), Some("Parent")),
        &["Parent `Nowhere` of `D` does not exist"],
        &["add an Aggregate row with iCode `Nowhere`"],
    );
    // P2 lost both children.
    assert_says(
        at(&diagnostics, "meta.csv", Some(7), Some("iCode")),
        &["Aggregate `P2` has no children"],
        &["set Parent to `P2`"],
    );
    assert_count(&diagnostics, 3);
}

#[test]
fn parent_must_be_an_aggregate() {
    let meta = with_cell(META, 3, "Parent", "A");
    let diagnostics = problems(&meta, DATA, None);
    assert_says(
        at(&diagnostics, "meta.csv", Some(3), Some("Parent")),
        &["Parent `A` of `B` is an Indicator row (line 2)"],
        &["Aggregate"],
    );
}

#[test]
fn cycle_in_parents_is_named() {
    let meta = with_cell(META, 8, "Parent", "P1");
    let diagnostics = problems(&meta, DATA, None);
    assert_says(
        at(&diagnostics, "meta.csv", Some(6), Some("Parent")),
        &["cycle", "`P1` → `Top` → `P1`"],
        &["break the cycle", "empty Parent"],
    );
    assert_says(
        at(&diagnostics, "meta.csv", None, Some("Parent")),
        &["no top node"],
        &["leave Parent empty on exactly one row"],
    );
    assert_count(&diagnostics, 2);
}

#[test]
fn more_than_one_top_node() {
    let meta = with_cell(META, 7, "Parent", "");
    let diagnostics = problems(&meta, DATA, None);
    assert_count(&diagnostics, 1);
    assert_says(
        at(&diagnostics, "meta.csv", Some(8), Some("Parent")),
        &["2 rows have no Parent", "`P2` (line 7)", "`Top` (line 8)"],
        &["give every row except the index itself a Parent"],
    );
}

#[test]
fn no_top_node() {
    let meta = with_cell(META, 8, "Parent", "Nowhere");
    let diagnostics = problems(&meta, DATA, None);
    assert_count(&diagnostics, 2);
    assert_says(
        at(&diagnostics, "meta.csv", None, Some("Parent")),
        &["there is no top node"],
        &["leave Parent empty"],
    );
}

#[test]
fn a_top_indicator_is_rejected() {
    let meta = "Level,iCode,iName,Direction,Weight,Parent,Type\n1,A,Alpha,1,1,,Indicator\n";
    let diagnostics = problems(meta, "uCode,A\nU1,1\nU2,2\n", None);
    assert_count(&diagnostics, 1);
    assert_says(
        at(&diagnostics, "meta.csv", Some(2), Some("Parent")),
        &["top node `A`", "is an Indicator"],
        &["add an Aggregate row"],
    );
}

#[test]
fn level_must_be_a_positive_integer() {
    let meta = with_cell(META, 2, "Level", "x");
    let meta = with_cell(&meta, 6, "Level", "1.5");
    let meta = with_cell(&meta, 7, "Level", "0");
    let meta = with_cell(&meta, 3, "Level", "");
    let diagnostics = problems(&meta, DATA, None);
    for (line, value) in [(2, "`x`"), (6, "`1.5`"), (7, "`0`")] {
        assert_says(
            at(&diagnostics, "meta.csv", Some(line), Some("Level")),
            &[value, "not a positive integer"],
            &["indicators have Level 1"],
        );
    }
    assert_says(
        at(&diagnostics, "meta.csv", Some(3), Some("Level")),
        &["Level of `B` is empty"],
        &["Level 1"],
    );
    assert_count(&diagnostics, 4);
}

#[test]
fn level_must_match_the_type() {
    let meta = with_cell(META, 2, "Level", "2");
    let meta = with_cell(&meta, 6, "Level", "1");
    let diagnostics = problems(&meta, DATA, None);
    assert_says(
        at(&diagnostics, "meta.csv", Some(2), Some("Level")),
        &["`A` is an Indicator but has Level 2"],
        &["set Level to 1"],
    );
    assert_says(
        at(&diagnostics, "meta.csv", Some(6), Some("Level")),
        &["`P1` is an Aggregate but has Level 1"],
        &["2 or higher"],
    );
}

#[test]
fn child_level_must_be_one_below_the_parent() {
    let meta = with_cell(META, 8, "Level", "4");
    let diagnostics = problems(&meta, DATA, None);
    assert_count(&diagnostics, 2);
    for (line, child) in [(6, "P1"), (7, "P2")] {
        assert_says(
            at(&diagnostics, "meta.csv", Some(line), Some("Level")),
            &[
                &format!("`{child}` has Level 2 but its Parent `Top` has Level 4"),
                "exactly one level below",
            ],
            &[&format!("set the Level of `{child}` to 3")],
        );
    }
}

#[test]
fn aggregate_without_children() {
    let meta = format!("{META}2,P3,Pillar three,1,1,Top,Aggregate,\n");
    let diagnostics = problems(&meta, DATA, None);
    assert_count(&diagnostics, 1);
    assert_says(
        at(&diagnostics, "meta.csv", Some(11), Some("iCode")),
        &["Aggregate `P3` has no children"],
        &[
            "set Parent to `P3` on the rows it combines",
            "delete the row",
        ],
    );
}

#[test]
fn unknown_type_suggests_the_nearest() {
    let meta = with_cell(META, 4, "Type", "Indicater");
    let diagnostics = problems(&meta, DATA, None);
    assert_says(
        at(&diagnostics, "meta.csv", Some(4), Some("Type")),
        &["unknown Type `Indicater` for `C`"],
        &["did you mean `Indicator`?"],
    );
    // Type is case-insensitive.
    let meta = with_cell(META, 4, "Type", "INDICATOR");
    load(&meta, DATA, None).unwrap();
}

// ---------------------------------------------------------------------------------------------
// Weights and directions

#[test]
fn weights_must_be_finite_and_not_negative() {
    let meta = with_cell(META, 2, "Weight", "-1");
    let meta = with_cell(&meta, 3, "Weight", "Inf");
    let meta = with_cell(&meta, 6, "Weight", "heavy");
    let meta = with_cell(&meta, 7, "Weight", "");
    let diagnostics = problems(&meta, DATA, None);
    assert_count(&diagnostics, 4);
    assert_says(
        at(&diagnostics, "meta.csv", Some(2), Some("Weight")),
        &["Weight -1 of `A` is negative"],
        &["0 (ignored) or a positive number"],
    );
    assert_says(
        at(&diagnostics, "meta.csv", Some(3), Some("Weight")),
        &["Weight of `B` is `Inf`", "infinite"],
        &["finite number"],
    );
    assert_says(
        at(&diagnostics, "meta.csv", Some(6), Some("Weight")),
        &["`heavy`", "not a number"],
        &["number"],
    );
    assert_says(
        at(&diagnostics, "meta.csv", Some(7), Some("Weight")),
        &["Weight of `P2` is empty"],
        &["e.g. 1"],
    );
}

#[test]
fn all_children_at_zero_weight() {
    let meta = with_cell(META, 4, "Weight", "0");
    let meta = with_cell(&meta, 5, "Weight", "0.0");
    let diagnostics = problems(&meta, DATA, None);
    assert_count(&diagnostics, 1);
    assert_says(
        at(&diagnostics, "meta.csv", Some(4), Some("Weight")),
        &["all 2 children of `P2` have Weight 0", "no score"],
        &["positive Weight"],
    );
    // One zero weight among siblings is fine, and the top node needs no weight.
    let meta = with_cell(META, 4, "Weight", "0");
    let meta = with_cell(&meta, 8, "Weight", "");
    let index = load(&meta, DATA, None).unwrap();
    assert_eq!(index.framework.nodes[2].weight, 0.0);
}

#[test]
fn direction_must_be_plus_or_minus_one() {
    let meta = with_cell(META, 2, "Direction", "2");
    let meta = with_cell(&meta, 3, "Direction", "");
    let meta = with_cell(&meta, 4, "Direction", "up");
    let diagnostics = problems(&meta, DATA, None);
    assert_count(&diagnostics, 3);
    assert_says(
        at(&diagnostics, "meta.csv", Some(2), Some("Direction")),
        &["Direction `2` of `A` is neither 1 nor -1"],
        &["1 if higher values are better, -1 if lower"],
    );
    assert_says(
        at(&diagnostics, "meta.csv", Some(3), Some("Direction")),
        &["Direction of indicator `B` is empty"],
        &["-1 if lower"],
    );
    assert_says(
        at(&diagnostics, "meta.csv", Some(4), Some("Direction")),
        &["`up`"],
        &["1 if higher"],
    );
}

// ---------------------------------------------------------------------------------------------
// Columns

#[test]
fn missing_required_columns_list_what_was_found() {
    let meta = rename_column(META, "Weight", "Weights");
    let meta = drop_column(&meta, "Type");
    let diagnostics = problems(&meta, DATA, None);
    assert_count(&diagnostics, 2);
    assert_says(
        at(&diagnostics, "meta.csv", Some(1), Some("Weight")),
        &[
            "required column `Weight` is missing",
            "`Weights`",
            "`Level`",
        ],
        &["rename column `Weights` to `Weight`"],
    );
    assert_says(
        at(&diagnostics, "meta.csv", Some(1), Some("Type")),
        &["required column `Type` is missing", "`Denominator`"],
        &["add a column `Type`"],
    );

    let data = rename_column(DATA, "uCode", "Code");
    let diagnostics = problems(META, &data, None);
    assert_count(&diagnostics, 1);
    assert_says(
        at(&diagnostics, "data.csv", Some(1), Some("uCode")),
        &["required column `uCode` is missing", "`Code`", "`uName`"],
        &["rename column `Code` to `uCode`"],
    );
}

#[test]
fn swapped_files_are_recognised() {
    let error = load_from_strings(("meta.csv", DATA), ("data.csv", META), None, "x").unwrap_err();
    let diagnostics = error.diagnostics();
    assert_says(
        at(diagnostics, "meta.csv", Some(1), Some("Level")),
        &["required column `Level` is missing"],
        &["looks like data.csv", "swapped"],
    );
    assert_says(
        at(diagnostics, "data.csv", Some(1), Some("uCode")),
        &["required column `uCode` is missing"],
        &["looks like meta.csv", "swapped"],
    );
}

#[test]
fn meta_column_names_ignore_case_and_optional_columns_are_read() {
    let meta = "level,ICODE,iname,direction,weight,parent,type,\
                Goalpost_lower,Goalpost_upper,Target,Unit,Comment\n\
                1,A,Alpha,1,1,Top,indicator,0,10,8,Percent,ignored\n\
                1,B,Beta,1,1,Top,Indicator,NA,NA,NA,NA,\n\
                2,Top,Index,NA,NA,NA,aggregate,,,,,\n";
    let index = load(meta, "uCode,A,B\nU1,1,2\nU2,2,1\n", None).unwrap();
    let a = &index.framework.indicators[0];
    assert_eq!(a.goalposts, Some((0.0, 10.0)));
    assert_eq!(a.target, Some(8.0));
    assert_eq!(a.unit_label.as_deref(), Some("Percent"));
    let b = &index.framework.indicators[1];
    assert_eq!(
        (b.goalposts, b.target, b.unit_label.clone()),
        (None, None, None)
    );
}

#[test]
fn half_given_or_reversed_goalposts_are_rejected() {
    let meta = "Level,iCode,iName,Direction,Weight,Parent,Type,Goalpost_lower,Goalpost_upper\n\
                1,A,Alpha,1,1,Top,Indicator,0,\n\
                1,B,Beta,1,1,Top,Indicator,10,5\n\
                2,Top,Index,1,1,,Aggregate,,\n";
    let diagnostics = problems(meta, "uCode,A,B\nU1,1,2\nU2,2,1\n", None);
    assert_count(&diagnostics, 2);
    assert_says(
        at(&diagnostics, "meta.csv", Some(2), Some("Goalpost_upper")),
        &["Goalpost_lower but no Goalpost_upper"],
        &["both goalposts, or neither"],
    );
    assert_says(
        at(&diagnostics, "meta.csv", Some(3), Some("Goalpost_lower")),
        &["Goalpost_lower 10 of `B` is not below Goalpost_upper 5"],
        &["lower goalpost first"],
    );
}

#[test]
fn indicator_in_meta_but_not_in_data() {
    // C has no column at all; D's column is misspelt `Dd`.
    let data = drop_column(DATA, "C");
    let data = rename_column(&data, "D", "Dd");
    let diagnostics = problems(META, &data, None);
    assert_count(&diagnostics, 3);
    assert_says(
        at(&diagnostics, "meta.csv", Some(4), Some("iCode")),
        &["Indicator `C` has no column in data.csv"],
        &["add a column `C` to data.csv, or delete this row"],
    );
    assert_says(
        at(&diagnostics, "meta.csv", Some(5), Some("iCode")),
        &["Indicator `D` has no column in data.csv"],
        &["undeclared column `Dd`: rename it to `D`"],
    );
    assert_says(
        at(&diagnostics, "data.csv", Some(1), Some("Dd")),
        &[
            "column `Dd` is not declared in meta.csv",
            "indicator `D` (meta.csv line 5)",
        ],
        &["rename the column to `D`"],
    );
}

#[test]
fn group_and_denominator_rows_need_their_columns() {
    let data = drop_column(DATA, "Region");
    let data = rename_column(&data, "Pop", "Popu");
    let diagnostics = problems(META, &data, None);
    assert_count(&diagnostics, 3);
    assert_says(
        at(&diagnostics, "meta.csv", Some(9), Some("iCode")),
        &["Group `Region` has no column in data.csv"],
        &["add a column `Region`"],
    );
    assert_says(
        at(&diagnostics, "meta.csv", Some(10), Some("iCode")),
        &["Denominator `Pop` has no column in data.csv"],
        &["rename it to `Pop`"],
    );
    at(&diagnostics, "data.csv", Some(1), Some("Popu"));
}

#[test]
fn denominator_named_in_meta_must_be_a_data_column() {
    let meta = with_cell(META, 3, "Denominator", "GDP");
    let diagnostics = problems(&meta, DATA, None);
    assert_count(&diagnostics, 1);
    assert_says(
        at(&diagnostics, "meta.csv", Some(3), Some("Denominator")),
        &["Denominator `GDP` of `B` is not a column of data.csv"],
        &["add a `GDP` column to data.csv", "or clear the cell"],
    );
    // An undeclared numeric column may serve as denominator.
    let data = map_cells(DATA, |cells| {
        let value = if cells[0] == "uCode" { "GDP" } else { "5" };
        cells.push(value.into());
    });
    let index = load(&meta, &data, None).unwrap();
    let d = index.framework.indicators[1].denominator.unwrap();
    assert_eq!(index.denominators[d].code, "GDP");
}

#[test]
fn zero_denominator_is_rejected_when_denominating() {
    let data = with_cell(DATA, 3, "Pop", "0");
    let toml = "[method]\ndenominate = true\n";
    let diagnostics = problems(META, &data, Some(toml));
    assert_count(&diagnostics, 1);
    assert_says(
        at(&diagnostics, "data.csv", Some(3), Some("Pop")),
        &["denominator `Pop` is 0 for unit `U2`", "`A`"],
        &["correct Pop of U2", "denominate = false"],
    );
    // Without denomination the zero is harmless.
    load(META, &data, None).unwrap();
    // And a unit without a value of A does not need Pop.
    let data = with_cell(&data, 3, "A", "");
    load(META, &data, Some(toml)).unwrap();
}

#[test]
fn missing_denominator_needs_imputation_when_denominating() {
    let data = with_cell(DATA, 4, "Pop", "NA");
    let toml = "[method]\ndenominate = true\n";
    let diagnostics = problems(META, &data, Some(toml));
    assert_count(&diagnostics, 1);
    assert_says(
        at(&diagnostics, "data.csv", Some(4), Some("Pop")),
        &[
            "`Pop` is missing for unit `U3`",
            "`A`",
            "imputation = \"none\"",
        ],
        &["supply the Pop of U3", "imputation = \"mean\""],
    );
    let toml = "[method]\ndenominate = true\nimputation = \"mean\"\n";
    load(META, &data, Some(toml)).unwrap();
}

#[test]
fn unit_with_every_indicator_missing() {
    let data = with_line(DATA, 4, "U3,Unit three,North,30,,NA,,na");
    let diagnostics = problems(META, &data, None);
    assert_count(&diagnostics, 1);
    assert_says(
        at(&diagnostics, "data.csv", Some(4), Some("uCode")),
        &["unit `U3` has no value for any of the 4 indicators"],
        &["supply its data or delete the row"],
    );
}

#[test]
fn indicator_with_no_values() {
    let data = map_cells(DATA, |cells| {
        if cells[0] != "uCode" {
            cells[6] = String::new();
        }
    });
    let diagnostics = problems(META, &data, None);
    assert_count(&diagnostics, 1);
    assert_says(
        at(&diagnostics, "data.csv", Some(1), Some("C")),
        &["indicator `C` has no values"],
        &["delete the indicator"],
    );
}

#[test]
fn constant_indicator_under_spread_based_normalisations() {
    let data = map_cells(DATA, |cells| {
        if cells[0] != "uCode" {
            cells[5] = "7".into();
        }
    });
    for (toml, words) in [
        (None, "min–max normalisation divides by max − min"),
        (
            Some("[method]\nnormalisation = \"zscore(10,2)\"\n"),
            "z-scores divide by the standard deviation",
        ),
        (
            Some("[method]\nnormalisation = \"dist2max\"\n"),
            "dist2max normalisation divides by max − min",
        ),
    ] {
        let diagnostics = problems(META, &data, toml);
        assert_count(&diagnostics, 1);
        assert_says(
            at(&diagnostics, "data.csv", Some(1), Some("B")),
            &[
                "indicator `B` is constant",
                "all 4 units with data have the value 7",
                words,
                "would divide by zero for every unit",
            ],
            &["drop the indicator", "normalisation = \"rank\""],
        );
    }
    // Rank-based normalisation has no spread to divide by.
    load(META, &data, Some("[method]\nnormalisation = \"rank\"\n")).unwrap();
}

#[test]
fn constant_after_denomination_is_detected() {
    // A equals Pop / 10 for every unit: constant once divided.
    let data = map_cells(DATA, |cells| {
        if cells[0] != "uCode" {
            let pop: f64 = cells[3].parse().unwrap();
            cells[4] = (pop / 10.0).to_string();
        }
    });
    load(META, &data, None).unwrap();
    let diagnostics = problems(META, &data, Some("[method]\ndenominate = true\n"));
    assert_count(&diagnostics, 1);
    assert_says(
        at(&diagnostics, "data.csv", Some(1), Some("A")),
        &["the value 0.1 after division by `Pop`"],
        &["drop the indicator"],
    );
}

// ---------------------------------------------------------------------------------------------
// File structure

#[test]
fn empty_file_and_header_only() {
    let diagnostics = problems("", DATA, None);
    assert_count(&diagnostics, 1);
    assert_says(
        at(&diagnostics, "meta.csv", Some(1), None),
        &["the file is empty"],
        &["Level,iCode,iName,Direction,Weight,Parent,Type"],
    );
    let diagnostics = problems(META, "  \r\n\n", None);
    assert_says(
        at(&diagnostics, "data.csv", Some(1), None),
        &["the file is empty"],
        &["uCode,uName"],
    );
    let header = DATA.lines().next().unwrap();
    let diagnostics = problems(META, &format!("{header}\n"), None);
    assert_count(&diagnostics, 1);
    assert_says(
        at(&diagnostics, "data.csv", Some(1), None),
        &["header but no data rows"],
        &["one row per unit"],
    );
    // Both files bad: both reported.
    let diagnostics = problems("", "", None);
    assert_count(&diagnostics, 2);
}

#[test]
fn wrong_delimiter_is_named() {
    for (separator, name) in [(";", "semicolons"), ("\t", "tabs"), ("|", "vertical bars")] {
        let data = DATA.replace(',', separator);
        let diagnostics = problems(META, &data, None);
        assert_count(&diagnostics, 1);
        assert_says(
            at(&diagnostics, "data.csv", Some(1), None),
            &["single column", name, "comma-separated"],
            &["commas as separators"],
        );
    }
}

#[test]
fn ragged_rows_are_named_by_line() {
    let data = with_line(DATA, 3, "U2,Unit two,South,20,3,3,4,5,99");
    let data = with_line(&data, 4, "U3,Unit three,North,30,2,1,6");
    let diagnostics = problems(META, &data, None);
    assert_count(&diagnostics, 2);
    assert_says(
        at(&diagnostics, "data.csv", Some(3), None),
        &["9 fields but the header has 8 columns"],
        &["missing or extra comma", "double quotes"],
    );
    assert_says(
        at(&diagnostics, "data.csv", Some(4), None),
        &["7 fields"],
        &["comma"],
    );
}

#[test]
fn duplicate_header_columns_are_rejected() {
    let data = rename_column(DATA, "D", "C");
    let diagnostics = problems(META, &data, None);
    assert_says(
        at(&diagnostics, "data.csv", Some(1), Some("C")),
        &["column `C` appears twice", "fields 7 and 8"],
        &["rename or delete"],
    );
}

#[test]
fn r_row_names_column_is_ignored() {
    // write.csv(x) without row.names = FALSE adds an unnamed first column of row numbers.
    let data = map_cells(DATA, |cells| {
        let first = if cells[0] == "uCode" {
            "\"\"".to_string()
        } else {
            cells[0].trim_start_matches('U').to_string()
        };
        cells.insert(0, first);
    });
    let index = load(META, &data, None).unwrap();
    assert_eq!(index.units[0].code, "U1");
}

// ---------------------------------------------------------------------------------------------
// index.toml

#[test]
fn group_mean_column_must_exist() {
    let toml = "name = \"x\"\n[method]\nimputation = \"group_mean(Regoin)\"\n";
    let diagnostics = problems(META, DATA, Some(toml));
    assert_count(&diagnostics, 1);
    assert_says(
        at(
            &diagnostics,
            "index.toml",
            Some(3),
            Some("method.imputation"),
        ),
        &["`group_mean(Regoin)` names `Regoin`", "not a group column"],
        &["did you mean `Region`?"],
    );
    let toml = "[method]\nimputation = \"group_median(A)\"\n";
    let diagnostics = problems(META, DATA, Some(toml));
    assert_says(
        at(
            &diagnostics,
            "index.toml",
            Some(2),
            Some("method.imputation"),
        ),
        &["`A`, which is an indicator"],
        &["`Region`"],
    );
}

#[test]
fn focus_unit_must_exist() {
    let toml = "focus = \"Unit too\"\n";
    let diagnostics = problems(META, DATA, Some(toml));
    assert_count(&diagnostics, 1);
    assert_says(
        at(&diagnostics, "index.toml", Some(1), Some("focus")),
        &["focus unit `Unit too` is not a uCode or uName"],
        &["did you mean `U2` (Unit two)?"],
    );
    let toml = "\n\nfocus = \"Atlantis\"\n";
    let diagnostics = problems(META, DATA, Some(toml));
    assert_says(
        at(&diagnostics, "index.toml", Some(3), Some("focus")),
        &["`Atlantis`"],
        &["write a uCode or uName", "`U1`"],
    );
}

#[test]
fn unknown_toml_key_suggests_the_nearest() {
    let toml = "name = \"x\"\ndescripton = \"typo\"\n[method]\nnormalization = \"rank\"\n";
    let diagnostics = problems(META, DATA, Some(toml));
    assert_count(&diagnostics, 2);
    assert_says(
        at(&diagnostics, "index.toml", Some(2), Some("descripton")),
        &["unknown key `descripton`"],
        &["did you mean `description`?"],
    );
    assert_says(
        at(
            &diagnostics,
            "index.toml",
            Some(4),
            Some("method.normalization"),
        ),
        &["unknown key `method.normalization`"],
        &["did you mean `normalisation`?"],
    );
}

#[test]
fn toml_syntax_error_names_line_and_column() {
    let toml = "name = \"x\"\n[method]\naggregation = geometric\n";
    let diagnostics = problems(META, DATA, Some(toml));
    assert_count(&diagnostics, 1);
    let problem = &diagnostics[0];
    assert_eq!(problem.location.file, "index.toml");
    assert_eq!(problem.location.line, Some(3));
    let column = problem.location.column.as_deref().unwrap();
    assert!(
        problem
            .problem
            .contains(&format!("line 3, column {column}")),
        "{problem}"
    );
    assert_says(
        problem,
        &["TOML syntax error", "aggregation = geometric"],
        &["aggregation = \"geometric\""],
    );
}

#[test]
fn aggregation_list_must_match_the_levels() {
    let toml = "[method]\naggregation = [\"arithmetic\"]\n";
    let diagnostics = problems(META, DATA, Some(toml));
    assert_count(&diagnostics, 1);
    assert_says(
        at(
            &diagnostics,
            "index.toml",
            Some(2),
            Some("method.aggregation"),
        ),
        &["lists 1 method(s)", "2 aggregate level(s)"],
        &["level 2 (e.g. `P1`)", "level 3 (e.g. `Top`)"],
    );
    let toml = "level_names = [\"Indicator\", \"Index\"]\n";
    let diagnostics = problems(META, DATA, Some(toml));
    assert_says(
        at(&diagnostics, "index.toml", Some(1), Some("level_names")),
        &["2 names but the framework has 3 levels"],
        &["give 3 names"],
    );
}

#[test]
fn geometric_mean_needs_a_positive_normalisation() {
    // The files are well formed; whether the method can score the data is decided on the
    // normalised values (pipeline::validity), located at the key that sets the method.
    let toml = "[method]\naggregation = \"geometric\"\n";
    let index = load(META, DATA, Some(toml)).unwrap();
    let error = check_nominal(&index).unwrap_err();
    let diagnostics = error.diagnostics();
    assert_count(diagnostics, 1);
    assert_says(
        at(
            diagnostics,
            "index.toml",
            Some(2),
            Some("method.aggregation"),
        ),
        &[
            "`geometric` aggregation (level 2) needs strictly positive values",
            "minmax(0,100)` gives values down to 0",
        ],
        &["minmax(1,100)"],
    );
    let toml = "[method]\naggregation = \"geometric\"\nnormalisation = \"minmax(1,100)\"\n";
    check_nominal(&load(META, DATA, Some(toml)).unwrap()).unwrap();
    // z-scores are judged on the data, not refused by name: these four units lie within
    // 1.5 standard deviations of every mean, so zscore(10,2) is positive.
    let toml = "[method]\naggregation = \"geometric\"\nnormalisation = \"zscore(10,2)\"\n";
    check_nominal(&load(META, DATA, Some(toml)).unwrap()).unwrap();
    let toml = "[method]\naggregation = \"geometric\"\nnormalisation = \"zscore(0.5,1)\"\n";
    let error = check_nominal(&load(META, DATA, Some(toml)).unwrap()).unwrap_err();
    assert!(
        error.to_string().contains("0.5 standard deviations below"),
        "{error}"
    );
}

#[test]
fn normalisations_needing_metadata_say_which_indicators_lack_it() {
    let toml = "[method]\nnormalisation = \"goalposts(100)\"\n";
    let diagnostics = problems(META, DATA, Some(toml));
    assert_says(
        at(
            &diagnostics,
            "index.toml",
            Some(2),
            Some("method.normalisation"),
        ),
        &[
            "Goalpost_lower and Goalpost_upper",
            "4 lack it",
            "`A`, `B`, `C`, `D`",
        ],
        &["fill in"],
    );
    let toml = "[method]\nnormalisation = \"dist2ref(Atlantis)\"\n";
    let diagnostics = problems(META, DATA, Some(toml));
    assert_says(
        at(
            &diagnostics,
            "index.toml",
            Some(2),
            Some("method.normalisation"),
        ),
        &["reference unit `Atlantis`"],
        &["uCode"],
    );
}

// ---------------------------------------------------------------------------------------------
// Several problems at once, from files on disk

#[test]
fn every_problem_in_every_file_is_reported() {
    let error = load_dir(Path::new("tests/fixtures/bad/many")).unwrap_err();
    let diagnostics = error.diagnostics();
    let meta = "tests/fixtures/bad/many/meta.csv";
    let data = "tests/fixtures/bad/many/data.csv";
    let toml = "tests/fixtures/bad/many/index.toml";
    assert_says(
        at(diagnostics, meta, Some(2), Some("Weight")),
        &["negative"],
        &[],
    );
    assert_says(
        at(diagnostics, meta, Some(3), Some("Direction")),
        &["`0`"],
        &["-1 if lower"],
    );
    assert_says(
        at(diagnostics, meta, Some(4), Some("Parent")),
        &["`P3`"],
        &["did you mean `P1`?"],
    );
    assert_says(
        at(diagnostics, meta, Some(5), Some("iCode")),
        &["duplicate iCode `A`"],
        &[],
    );
    assert_says(
        at(diagnostics, data, Some(3), Some("uCode")),
        &["duplicate uCode `U1`"],
        &[],
    );
    assert_says(at(diagnostics, data, Some(4), Some("A")), &["`x`"], &[]);
    assert_says(at(diagnostics, data, Some(4), Some("B")), &["`Inf`"], &[]);
    assert_says(at(diagnostics, data, Some(5), None), &["4 fields"], &[]);
    assert_says(
        at(diagnostics, toml, Some(5), Some("method.normalisaton")),
        &["unknown key"],
        &["did you mean `normalisation`?"],
    );
    assert_count(diagnostics, 9);
    // Reported in file order, then line order.
    let order: Vec<(&str, Option<usize>)> = diagnostics
        .iter()
        .map(|d| (d.location.file.as_str(), d.location.line))
        .collect();
    let mut sorted = order.clone();
    sorted.sort_by_key(|&(file, line)| ([meta, data, toml].iter().position(|f| *f == file), line));
    assert_eq!(order, sorted);
    let text = error.to_string();
    assert!(text.starts_with("9 problems found:"), "{text}");
    assert!(
        text.contains("tests/fixtures/bad/many/data.csv:4, column `A`"),
        "{text}"
    );
    assert!(text.contains("\n  fix: "), "{text}");
}

#[test]
fn semicolon_files_from_disk_are_both_reported() {
    let error = load_dir(Path::new("tests/fixtures/bad/semicolon")).unwrap_err();
    let diagnostics = error.diagnostics();
    assert_count(diagnostics, 2);
    for file in ["meta.csv", "data.csv"] {
        let problem = diagnostics
            .iter()
            .find(|d| d.location.file.ends_with(file))
            .unwrap();
        assert_eq!(problem.location.line, Some(1));
        assert_says(
            problem,
            &["semicolons"],
            &["write.csv rather than write.csv2"],
        );
    }
}

#[test]
fn non_utf8_file_names_the_line() {
    let error = load_dir(Path::new("tests/fixtures/bad/latin1")).unwrap_err();
    let diagnostics = error.diagnostics();
    assert_count(diagnostics, 1);
    assert_says(
        at(
            diagnostics,
            "tests/fixtures/bad/latin1/data.csv",
            Some(3),
            None,
        ),
        &["not UTF-8", "0xE9", "line 3"],
        &["save the file as UTF-8"],
    );
}

#[test]
fn missing_files_are_io_errors_naming_the_path() {
    let error = load_dir(Path::new("tests/fixtures/bad/does-not-exist")).unwrap_err();
    assert!(matches!(error, LoadError::Io { .. }));
    assert!(
        error.to_string().contains("does-not-exist/meta.csv"),
        "{error}"
    );
}

#[test]
fn load_dir_reads_index_toml_and_names_the_index_after_the_directory() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("my-index");
    std::fs::create_dir(&sub).unwrap();
    std::fs::write(sub.join("meta.csv"), META).unwrap();
    std::fs::write(sub.join("data.csv"), DATA).unwrap();
    let index = load_dir(&sub).unwrap();
    assert_eq!(index.info.name, "my-index");
    assert_eq!(index.info.source, sub.display().to_string());
    std::fs::write(
        sub.join("index.toml"),
        "name = \"Mine\"\n[method]\nnormalisation = \"rank\"\n",
    )
    .unwrap();
    let index = load_dir(&sub).unwrap();
    assert_eq!(index.info.name, "Mine");
    assert_eq!(index.nominal.normalisation, Normalisation::Rank);
    let same = load_files(
        &sub.join("meta.csv"),
        &sub.join("data.csv"),
        Some(&sub.join("index.toml")),
    )
    .unwrap();
    assert_eq!(same.info.input_hash, index.info.input_hash);
    assert_eq!(same.framework, index.framework);
}
