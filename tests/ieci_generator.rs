//! Tests of the IECI 2022 reconstruction: the committed files are the generator's output, reproduce the published facts, and stay plausible.

#[path = "../data/ieci2022/generate.rs"]
mod generate;

use std::collections::HashSet;
use std::path::PathBuf;

use generate::{
    CITIES, CellOrigin, DIMENSIONS, INDEX_CODE, INDICATORS, Membership, N_CITIES, N_INDICATORS,
    NominalModel, NominalScores, PUBLISHED_FACTS, RANK_MARGIN, Region, SOURCED, SUB_DIMENSIONS,
    SourceKind, check_published_facts, generate, generate_with_audit, parse_facts,
    ranks_descending,
};

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/ieci2022")
}

fn committed() -> (String, String) {
    let read = |name: &str| {
        std::fs::read_to_string(data_dir().join(name))
            .unwrap_or_else(|e| panic!("cannot read data/ieci2022/{name}: {e}"))
    };
    (read("meta.csv"), read("data.csv"))
}

fn committed_scores() -> NominalScores {
    let (meta, data) = committed();
    NominalScores::compute(&meta, &data).expect("committed files load")
}

/// Rank of a city (by name) at a node.
fn rank_of(scores: &NominalScores, node: &str, city: &str) -> usize {
    let model = &scores.model;
    let node = model.node(node).unwrap_or_else(|| panic!("no node {node}"));
    let unit = model
        .unit_by_name(city)
        .unwrap_or_else(|| panic!("no city {city}"));
    scores.node_ranks(node)[unit]
}

fn raw_value(scores: &NominalScores, indicator: &str, city: &str) -> f64 {
    let model = &scores.model;
    let i = model.node(indicator).expect("indicator");
    let unit = model.unit_by_name(city).expect("city");
    model.raw[i * model.n_units() + unit]
}

/// Cities sorted by descending score at a node, with their scores.
fn ordered(scores: &NominalScores, node: &str) -> Vec<(String, f64)> {
    let model = &scores.model;
    let row = scores.node_scores(model.node(node).expect("node"));
    let mut order: Vec<usize> = (0..model.n_units()).collect();
    order.sort_by(|&a, &b| row[b].total_cmp(&row[a]));
    order
        .into_iter()
        .map(|u| (model.unit_names[u].clone(), row[u]))
        .collect()
}

#[test]
fn committed_files_are_the_generator_output() {
    let (meta, data) = generate();
    let (committed_meta, committed_data) = committed();
    assert_eq!(
        meta, committed_meta,
        "meta.csv differs from the generator; see data/ieci2022/README.md to regenerate"
    );
    assert_eq!(
        data, committed_data,
        "data.csv differs from the generator; see data/ieci2022/README.md to regenerate"
    );
}

#[test]
fn every_published_fact_holds() {
    let (meta, data) = committed();
    let violations = check_published_facts(&meta, &data, PUBLISHED_FACTS);
    assert!(violations.is_empty(), "violated facts: {violations:#?}");
    assert_eq!(parse_facts(PUBLISHED_FACTS).unwrap().len(), 37);
}

#[test]
fn published_facts_hold_one_by_one() {
    let scores = committed_scores();
    let published_order = [
        "London",
        "New York",
        "Paris",
        "Singapore",
        "Seoul",
        "Hong Kong",
        "Beijing",
        "Tokyo",
        "San Francisco",
        "Copenhagen",
        "Madrid",
        "Amsterdam",
        "Los Angeles",
        "Munich",
        "Berlin",
        "Barcelona",
        "Shanghai",
        "Boston",
        "Washington",
        "Sydney",
    ];
    let overall = ordered(&scores, INDEX_CODE);
    let top20: Vec<&str> = overall.iter().take(20).map(|(n, _)| n.as_str()).collect();
    assert_eq!(top20, published_order);
    for (k, city) in published_order.iter().enumerate() {
        assert_eq!(rank_of(&scores, INDEX_CODE, city), k + 1, "{city}");
    }
    assert_eq!(rank_of(&scores, "ATT", "Beijing"), 24);
    assert_eq!(rank_of(&scores, "INF", "Beijing"), 3);
    assert_eq!(rank_of(&scores, "CON", "Beijing"), 13);
    assert_eq!(rank_of(&scores, "SCI", "Beijing"), 2);
    assert_eq!(rank_of(&scores, "CUL", "Beijing"), 3);
    assert_eq!(rank_of(&scores, "ECO", "Beijing"), 5);
    assert_eq!(rank_of(&scores, "SCI_PAPERS", "Boston"), 1);
    assert_eq!(rank_of(&scores, "SCI_PAPERS", "Beijing"), 2);
    assert_eq!(rank_of(&scores, "SCI_PCT", "Beijing"), 5);
    assert_eq!(rank_of(&scores, "ECO_G500", "Beijing"), 1);
    assert_eq!(raw_value(&scores, "ECO_G500", "Beijing"), 54.0);
    assert_eq!(raw_value(&scores, "ECO_G500", "Shanghai"), 12.0);
    assert_eq!(raw_value(&scores, "ECO_G500", "Shenzhen"), 10.0);
    // Most World Heritage sites of any evaluated city: first, and not tied.
    let heritage = ordered(&scores, "CUL_HERITAGE");
    assert_eq!(heritage[0].0, "Beijing");
    assert!(heritage[0].1 > heritage[1].1);
    for city in ["Dubai", "Moscow", "Shenzhen", "Guangzhou"] {
        let rank = rank_of(&scores, INDEX_CODE, city);
        assert!((21..=37).contains(&rank), "{city} ranks {rank}");
    }
}

#[test]
fn published_ranks_hold_with_margin() {
    let scores = committed_scores();
    let tolerance = 1e-9;
    // Overall: every gap among ranks 1..=21 is at least the margin.
    let overall = ordered(&scores, INDEX_CODE);
    for pair in overall[..21].windows(2) {
        assert!(
            pair[0].1 - pair[1].1 >= RANK_MARGIN - tolerance,
            "{} {:.3} vs {} {:.3}",
            pair[0].0,
            pair[0].1,
            pair[1].0,
            pair[1].1
        );
    }
    // Beijing's published node ranks: both neighbours at least the margin away.
    for (node, rank) in [
        ("ATT", 24),
        ("INF", 3),
        ("CON", 13),
        ("SCI", 2),
        ("CUL", 3),
        ("ECO", 5),
        ("SCI_PAPERS", 2),
        ("SCI_PCT", 5),
        ("ECO_G500", 1),
        ("CUL_HERITAGE", 1),
    ] {
        let list = ordered(&scores, node);
        assert_eq!(list[rank - 1].0, "Beijing", "{node}");
        let own = list[rank - 1].1;
        if rank > 1 {
            assert!(
                list[rank - 2].1 - own >= RANK_MARGIN - tolerance,
                "{node} above"
            );
        }
        assert!(
            own - list[rank].1 >= RANK_MARGIN - tolerance,
            "{node} below"
        );
    }
    let papers = ordered(&scores, "SCI_PAPERS");
    assert!(papers[0].1 - papers[1].1 >= RANK_MARGIN - tolerance);
}

#[test]
fn the_generator_reports_a_complete_repair() {
    let generated = generate_with_audit();
    assert!(
        generated.unmet_targets.is_empty(),
        "{:?}",
        generated.unmet_targets
    );
    assert!(generated.repair_steps > 0);
    // Nudges touch synthetic cells only.
    for nudge in &generated.nudges {
        let c = CITIES.iter().position(|c| c.code == nudge.city).unwrap();
        let i = INDICATORS
            .iter()
            .position(|s| s.code == nudge.indicator)
            .unwrap();
        assert_eq!(generated.origins[c][i], CellOrigin::Synthetic);
        assert_ne!(nudge.anchor, nudge.value);
    }
}

#[test]
fn sourced_cells_are_written_unchanged() {
    let scores = committed_scores();
    let model = &scores.model;
    for sourced in SOURCED {
        let unit = model
            .unit_codes
            .iter()
            .position(|c| c == sourced.city)
            .unwrap();
        let i = model.node(sourced.indicator).unwrap();
        let value = model.raw[i * model.n_units() + unit];
        let expected = match sourced.kind {
            SourceKind::InverseSqrtRank(rank) => (1000.0 / f64::from(rank).sqrt()).round() / 10.0,
            SourceKind::Figure | SourceKind::ConsistentWithRank(_) => sourced.value,
        };
        assert_eq!(value, expected, "{} {}", sourced.indicator, sourced.city);
    }
    // Rank-consistent EIU scores keep the published order among themselves.
    let mut ranked: Vec<(u32, f64)> = SOURCED
        .iter()
        .filter_map(|s| match s.kind {
            SourceKind::ConsistentWithRank(rank) => Some((rank, s.resolved_value())),
            _ => None,
        })
        .collect();
    ranked.sort_by_key(|r| r.0);
    assert!(ranked.windows(2).all(|w| w[0].1 > w[1].1));
    // Every source key is explained in the data README.
    let readme = std::fs::read_to_string(data_dir().join("README.md")).unwrap();
    for sourced in SOURCED {
        assert!(
            readme.contains(sourced.source),
            "README lacks source {}",
            sourced.source
        );
    }
}

#[test]
fn files_have_the_contracted_shape() {
    let (meta, data) = committed();
    let meta_lines: Vec<&str> = meta.lines().collect();
    assert_eq!(
        meta_lines[0],
        "Level,iCode,iName,Direction,Weight,Parent,Type,Unit"
    );
    assert_eq!(meta_lines.len(), 1 + 25 + 11 + 3 + 1 + 1);
    assert!(meta_lines.contains(
        &"4,IECI,International Exchange Centers Index 2022 (reconstruction),1,1,,Aggregate,Score"
    ));
    assert_eq!(*meta_lines.last().unwrap(), ",Region,Region,,,,Group,");
    let data_lines: Vec<&str> = data.lines().collect();
    let mut header = String::from("uCode,uName,Region");
    for spec in &INDICATORS {
        header.push(',');
        header.push_str(spec.code);
    }
    assert_eq!(data_lines[0], header);
    assert_eq!(data_lines.len(), 1 + N_CITIES);
    for line in &data_lines[1..] {
        let fields: Vec<&str> = line.split(',').collect();
        assert_eq!(fields.len(), 3 + N_INDICATORS, "{line}");
        assert!(fields.iter().all(|f| !f.is_empty() && *f != "NA"), "{line}");
        assert!(
            ["Europe", "North America", "Asia-Pacific", "Middle East"].contains(&fields[2]),
            "{line}"
        );
        assert_eq!(fields[1], fields[1].trim());
    }
    let scores = committed_scores();
    let model = &scores.model;
    assert_eq!(model.n_indicators, 25);
    assert_eq!(
        model.n_nodes(),
        25 + SUB_DIMENSIONS.len() + DIMENSIONS.len() + 1
    );
    assert!(model.weights.iter().all(|&w| w == 1.0));
    assert_eq!(model.node_levels.iter().filter(|&&l| l == 1).count(), 25);
    assert_eq!(model.node_levels.iter().filter(|&&l| l == 2).count(), 11);
    assert_eq!(model.node_levels.iter().filter(|&&l| l == 3).count(), 3);
    assert_eq!(model.node_levels.last(), Some(&4));
    assert_eq!(model.unit_codes[6], "BEJ");
    assert_eq!(model.unit_names[6], "Beijing");
}

#[test]
fn cities_are_unique_and_membership_is_consistent() {
    let (_, data) = committed();
    let rows: Vec<&str> = data.lines().skip(1).collect();
    let codes: HashSet<&str> = CITIES.iter().map(|c| c.code).collect();
    let names: HashSet<&str> = CITIES.iter().map(|c| c.name).collect();
    assert_eq!(codes.len(), N_CITIES);
    assert_eq!(names.len(), N_CITIES);
    assert!(
        CITIES
            .iter()
            .all(|c| c.code.len() == 3 && c.code.chars().all(|ch| ch.is_ascii_uppercase()))
    );
    // No two cities share their indicator values.
    let value_rows: HashSet<String> = rows
        .iter()
        .map(|r| r.splitn(4, ',').nth(3).unwrap().to_string())
        .collect();
    assert_eq!(value_rows.len(), N_CITIES);
    // 20 ranked, 4 inferred members, 13 assumed; every fact unit is a city.
    let ranked: Vec<usize> = CITIES
        .iter()
        .filter_map(|c| match c.membership {
            Membership::Ranked(r) => Some(r),
            _ => None,
        })
        .collect();
    assert_eq!(ranked, (1..=20).collect::<Vec<_>>());
    assert_eq!(
        CITIES
            .iter()
            .filter(|c| c.membership == Membership::Inferred)
            .count(),
        4
    );
    assert_eq!(
        CITIES
            .iter()
            .filter(|c| c.membership == Membership::Assumed)
            .count(),
        13
    );
    for fact in parse_facts(PUBLISHED_FACTS).unwrap() {
        assert!(names.contains(fact.unit.as_str()), "{}", fact.unit);
    }
    let regions: HashSet<&str> = CITIES.iter().map(|c| c.region.label()).collect();
    assert_eq!(regions.len(), 4);
}

#[test]
fn values_are_plausible() {
    let scores = committed_scores();
    let model = &scores.model;
    let n = model.n_units();
    for (i, spec) in INDICATORS.iter().enumerate() {
        let column = &model.raw[i * n..(i + 1) * n];
        let scale = [1.0, 10.0, 100.0][spec.decimals];
        for (u, &value) in column.iter().enumerate() {
            let city = &model.unit_codes[u];
            assert!(
                value >= spec.plausible.0 && value <= spec.plausible.1,
                "{} {city} = {value} outside {:?}",
                spec.code,
                spec.plausible
            );
            assert_eq!(
                (value * scale).round(),
                value * scale,
                "{} {city}",
                spec.code
            );
            let sourced = SOURCED
                .iter()
                .any(|s| s.indicator == spec.code && s.city == *city);
            if !sourced {
                assert!(
                    value < spec.synthetic_ceiling,
                    "{} {city} = {value} would enter a published top list",
                    spec.code
                );
            }
        }
        // Every column discriminates (min–max needs a range).
        let distinct: HashSet<u64> = column.iter().map(|v| v.to_bits()).collect();
        assert!(distinct.len() > 5, "{}", spec.code);
    }
}

#[test]
fn no_city_leads_everything_and_regional_patterns_hold() {
    let scores = committed_scores();
    let model = &scores.model;
    let mut firsts = vec![0usize; model.n_units()];
    for i in 0..model.n_indicators {
        for (u, &rank) in scores.node_ranks(i).iter().enumerate() {
            if rank == 1 {
                firsts[u] += 1;
            }
        }
    }
    for (u, &count) in firsts.iter().enumerate() {
        assert!(
            count <= 5,
            "{} is first on {count} indicators",
            model.unit_codes[u]
        );
    }
    let region_of = |name: &str| CITIES.iter().find(|c| c.name == name).unwrap().region;
    let leader = |node: &str| ordered(&scores, node)[0].0.clone();
    // US cities lead business environment, startups and sci-tech.
    for node in ["BUS", "BUS_STARTUP", "SCI", "SCI_PAPERS"] {
        assert_eq!(region_of(&leader(node)), Region::NorthAmerica, "{node}");
    }
    // Asian cities lead economic influence.
    assert_eq!(region_of(&leader("ECO")), Region::AsiaPacific);
    // European cities dominate cultural heritage after Beijing.
    let heritage = ordered(&scores, "CUL_HERITAGE");
    let european = heritage[1..7]
        .iter()
        .filter(|(name, _)| region_of(name) == Region::Europe)
        .count();
    assert!(european >= 4, "{heritage:?}");
    // Dimension leaders differ: no city tops all three dimensions.
    let dimension_leaders: HashSet<String> =
        ["ATT", "INF", "CON"].iter().map(|d| leader(d)).collect();
    assert!(dimension_leaders.len() >= 2);
}

#[test]
fn scorer_matches_hand_computed_values() {
    // Three units, two indicators under one aggregate; B is lower-is-better.
    let meta = "Level,iCode,iName,Direction,Weight,Parent,Type,Unit\n\
                1,A,A,1,1,TOP,Indicator,x\n\
                1,B,B,-1,3,TOP,Indicator,x\n\
                2,TOP,Top,1,1,,Aggregate,Score\n\
                ,G,G,,,,Group,\n";
    let data = "uCode,uName,G,A,B\nU1,One,g,0,10\nU2,Two,g,5,30\nU3,Three,h,10,20\n";
    let scores = NominalScores::compute(meta, data).unwrap();
    let a = scores.node_scores(scores.model.node("A").unwrap()).to_vec();
    let b = scores.node_scores(scores.model.node("B").unwrap()).to_vec();
    let top = scores
        .node_scores(scores.model.node("TOP").unwrap())
        .to_vec();
    assert_eq!(a, vec![0.0, 50.0, 100.0]);
    assert_eq!(b, vec![100.0, 0.0, 50.0]);
    // Weights 1 and 3: (1·a + 3·b) / 4.
    assert_eq!(top, vec![75.0, 12.5, 62.5]);
    assert_eq!(
        scores.node_ranks(scores.model.node("TOP").unwrap()),
        vec![1, 3, 2]
    );
    // Ties share the best rank.
    assert_eq!(ranks_descending(&[2.0, 5.0, 5.0, 1.0]), vec![3, 1, 1, 4]);
}

#[test]
fn checker_detects_broken_facts() {
    let (meta, data) = committed();
    // Beijing with 53 headquarters: the value fact breaks (the rank still holds).
    let mut lines: Vec<String> = data.lines().map(String::from).collect();
    let beijing = lines.iter().position(|l| l.starts_with("BEJ,")).unwrap();
    let g500 = INDICATORS
        .iter()
        .position(|s| s.code == "ECO_G500")
        .unwrap()
        + 3;
    let mut fields: Vec<String> = lines[beijing].split(',').map(String::from).collect();
    fields[g500] = "53".into();
    lines[beijing] = fields.join(",");
    let broken = lines.join("\n") + "\n";
    let violations = check_published_facts(&meta, &broken, PUBLISHED_FACTS);
    assert!(
        violations.iter().any(|v| v.starts_with("ind-g500:")),
        "{violations:?}"
    );
    // Swapping London's and Paris's rows of values swaps their overall ranks.
    let mut lines: Vec<String> = data.lines().map(String::from).collect();
    let london = lines.iter().position(|l| l.starts_with("LON,")).unwrap();
    let paris = lines.iter().position(|l| l.starts_with("PAR,")).unwrap();
    let values = |line: &str| line.splitn(4, ',').nth(3).unwrap().to_string();
    let (london_values, paris_values) = (values(&lines[london]), values(&lines[paris]));
    lines[london] = format!("LON,London,Europe,{paris_values}");
    lines[paris] = format!("PAR,Paris,Europe,{london_values}");
    let swapped = lines.join("\n") + "\n";
    let violations = check_published_facts(&meta, &swapped, PUBLISHED_FACTS);
    assert!(violations.iter().any(|v| v.starts_with("overall-01:")));
    assert!(violations.iter().any(|v| v.starts_with("overall-03:")));
    // A missing unit is reported, not skipped.
    let without_dubai: String = data
        .lines()
        .filter(|l| !l.starts_with("DXB,"))
        .map(|l| format!("{l}\n"))
        .collect();
    let violations = check_published_facts(&meta, &without_dubai, PUBLISHED_FACTS);
    assert!(violations.iter().any(|v| v.starts_with("member-dubai:")));
    // The model parser rejects a parent that is not one level up.
    let bad_meta = meta.replace(
        "1,LIV_EIU,Liveability score,1,1,LIV,",
        "1,LIV_EIU,Liveability score,1,1,ATT,",
    );
    assert!(NominalModel::parse(&bad_meta, &data).is_err());
}

/// Rewrites meta.csv and data.csv from the generator:
/// `cargo test --release --test ieci_generator -- --ignored regenerate_files`.
#[test]
#[ignore]
fn regenerate_files() {
    let generated = generate_with_audit();
    std::fs::write(data_dir().join("meta.csv"), &generated.meta_csv).unwrap();
    std::fs::write(data_dir().join("data.csv"), &generated.data_csv).unwrap();
    println!(
        "wrote data/ieci2022/meta.csv and data.csv: {} repair steps, {} nudged cells, unmet {:?}",
        generated.repair_steps,
        generated.nudges.len(),
        generated.unmet_targets
    );
}

/// Prints the nominal scores and the repair's nudges, for the data README:
/// `cargo test --release --test ieci_generator -- --ignored print_summary --nocapture`.
#[test]
#[ignore]
fn print_summary() {
    let generated = generate_with_audit();
    let scores = NominalScores::compute(&generated.meta_csv, &generated.data_csv).unwrap();
    let model = &scores.model;
    let nodes = [
        INDEX_CODE, "ATT", "INF", "CON", "LIV", "BUS", "SAF", "TOU", "AFF", "ECO", "SCI", "CUL",
        "TRA", "DIG", "PEO",
    ];
    let overall = ordered(&scores, INDEX_CODE);
    print!("rank city         ");
    for node in nodes {
        print!(" {node:>10}");
    }
    println!();
    for (k, (name, _)) in overall.iter().enumerate() {
        let u = model.unit_by_name(name).unwrap();
        print!("{:>4} {:<13}", k + 1, name);
        for node in nodes {
            let i = model.node(node).unwrap();
            print!(
                " {:>6.2}({:>2})",
                scores.node_scores(i)[u],
                scores.node_ranks(i)[u]
            );
        }
        println!();
    }
    let mut per_column = vec![(0usize, 0.0f64); N_INDICATORS];
    for nudge in &generated.nudges {
        let i = INDICATORS
            .iter()
            .position(|s| s.code == nudge.indicator)
            .unwrap();
        per_column[i].0 += 1;
        let relative = (nudge.value - nudge.anchor).abs() / nudge.anchor.abs().max(1.0);
        per_column[i].1 = per_column[i].1.max(relative);
    }
    println!("\nnudged cells per column (count, largest relative change):");
    for (spec, (count, largest)) in INDICATORS.iter().zip(per_column) {
        println!("{:<13} {count:>3} {:>5.1}%", spec.code, 100.0 * largest);
    }
    for nudge in &generated.nudges {
        println!(
            "nudge {} {} {} -> {}",
            nudge.indicator, nudge.city, nudge.anchor, nudge.value
        );
    }
    println!(
        "\n{} repair steps, {} nudged cells, unmet {:?}",
        generated.repair_steps,
        generated.nudges.len(),
        generated.unmet_targets
    );
}
