//! Labels a reader cannot misread (issue #14.6): every label of the reports is checked against
//! the numbers it names, on the embedded IECI data and on a hand-written index whose leader
//! can never lose first place.

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

fn ranksense() -> Command {
    Command::cargo_bin("ranksense").unwrap()
}

fn json(path: &Path) -> Value {
    serde_json::from_slice(&fs::read(path).unwrap()).unwrap()
}

/// A quick robust run (small designs) into `out`.
fn robust(out: &Path, extra: &[&str]) {
    ranksense()
        .args(["robust", "--samples", "400", "--base-samples", "32"])
        .args(["--bootstrap", "20", "--threads", "2", "--out"])
        .arg(out)
        .args(extra)
        .assert()
        .success();
}

/// The rows of the first Markdown table after `marker`, cells trimmed and un-bolded.
fn table_after(markdown: &str, marker: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let start = markdown
        .find(marker)
        .unwrap_or_else(|| panic!("no {marker:?}"));
    let mut lines = markdown[start..]
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'));
    let cells = |line: &str| -> Vec<String> {
        line.trim_matches('|')
            .split(" | ")
            .map(|c| c.trim().trim_matches('*').to_string())
            .collect()
    };
    let headers = cells(lines.next().unwrap());
    let rows = lines.skip(1).map(cells).collect();
    (headers, rows)
}

#[test]
fn the_top_k_sobol_target_names_its_k_wherever_it_appears() {
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("robust");
    robust(&out, &[]);
    let summary = json(&out.join("summary.json"));
    let k = summary["sensitivity"]["top_k"].as_u64().unwrap();
    let name = format!("top{k}:BEJ");
    let targets: Vec<&str> = summary["sensitivity"]["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["target"].as_str().unwrap())
        .collect();
    assert!(targets.contains(&name.as_str()), "{targets:?}");
    let sobol = fs::read_to_string(out.join("sobol.csv")).unwrap();
    assert!(sobol.contains(&format!("\n{name},")));
    let report = fs::read_to_string(out.join("report.md")).unwrap();
    assert!(report.contains(&format!("| {name} |")));
    // The definition spells k out, so "top-k" can be checked against P(top k) of the table.
    assert!(report.contains(&format!(
        "1 when BEJ ranks {} or better (top {k})",
        ranksense::report::format::ordinal(k as u32)
    )));
    let chart = fs::read_to_string(out.join(format!("sobol_top{k}_BEJ.svg"))).unwrap();
    assert!(chart.contains(&format!("Target: {name}")));
    assert!(chart.contains(&format!("stays in the top {k}")));
    // The unnumbered name never appears in any file of the folder.
    for entry in fs::read_dir(&out).unwrap() {
        let path = entry.unwrap().path();
        let text = fs::read_to_string(&path).unwrap();
        assert!(!text.contains("topk:"), "{} names `topk:`", path.display());
    }

    // `sensitivity` has its own k: still printed with the target.
    let out = work.path().join("sensitivity");
    ranksense()
        .args(["sensitivity", "--base-samples", "32", "--bootstrap", "20"])
        .args(["--threads", "2", "--out"])
        .arg(&out)
        .assert()
        .success();
    let summary = json(&out.join("summary.json"));
    let k = summary["sensitivity"]["top_k"].as_u64().unwrap();
    let sobol = fs::read_to_string(out.join("sobol.csv")).unwrap();
    assert!(sobol.contains(&format!("\ntop{k}:BEJ,")), "{sobol}");
    assert!(!sobol.contains("topk:"));
    let report = fs::read_to_string(out.join("report.md")).unwrap();
    assert!(report.contains(&format!("`top{k}:BEJ` target: 1 when BEJ ranks")));
    // R_S is defined where it is reported.
    assert!(report.contains("R_S is the mean absolute rank shift"));
}

#[test]
fn report_labels_say_what_each_number_covers() {
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("robust");
    robust(&out, &[]);
    let summary = json(&out.join("summary.json"));
    let report = fs::read_to_string(out.join("report.md")).unwrap();
    let html = fs::read_to_string(out.join("report.html")).unwrap();

    // R_S is defined in the report that quotes it.
    for text in [&report, &html] {
        assert!(
            text.contains("R_S is the mean absolute rank shift, (1/n) Σ |rank − nominal rank|")
        );
    }

    // Stability: the top-k column is about the order, with the k of the stability run.
    let k = summary["stability"]["top_k"].as_u64().unwrap();
    let (headers, rows) = table_after(&report, "### Stability intervals");
    assert_eq!(headers[3], "focus keeps rank");
    assert_eq!(headers[4], format!("top-{k} order unchanged"));
    assert!(!rows.is_empty());
    assert!(report.contains("no two units inside the top k swap places"));

    // Certain range (weights only, exact) and sampled range (every factor), each said once
    // beside the other.
    let intro = report
        .lines()
        .find(|l| l.starts_with("Certain range:"))
        .expect("bounds intro");
    assert!(intro.contains("every other choice") && intro.contains("at its nominal value"));
    assert!(intro.contains("sampled range of the uncertainty table, which varies every factor"));

    // "range" is an interval, "width" a number of places: check both against the numbers.
    let (headers, rows) = table_after(&report, "## Uncertainty table");
    let range = headers.iter().position(|h| h == "sampled range").unwrap();
    let bounds = summary["uncertainty"]["statistics"]["units"]
        .as_array()
        .unwrap();
    for row in &rows {
        let unit = bounds
            .iter()
            .find(|u| u["code"] == row[1].as_str())
            .unwrap();
        let (best, worst) = (
            unit["best_rank"].as_u64().unwrap(),
            unit["worst_rank"].as_u64().unwrap(),
        );
        let expected = if best == worst {
            format!("always {best}")
        } else {
            format!("{best}–{worst}")
        };
        assert_eq!(row[range], expected, "{row:?}");
    }
    let (headers, rows) = table_after(&report, "## Exact rank bounds (certain range)");
    assert_eq!(&headers[3..], ["best", "worst", "width"]);
    for row in &rows {
        let rank = |cell: &str| cell.trim_end_matches('*').parse::<i64>().unwrap();
        assert_eq!(rank(&row[5]), rank(&row[4]) - rank(&row[3]), "{row:?}");
    }
    assert!(!headers.contains(&"range".to_string()));

    // Chart titles by names, not codes.
    let simplex = &summary["simplex"];
    let children = simplex["children_names"].as_array().unwrap();
    let name = |i: usize| children[i].as_str().unwrap();
    let title = format!(
        "<title>Rank of {} over the weights of {}, {} and {}</title>",
        simplex["focus_name"].as_str().unwrap(),
        name(0),
        name(1),
        name(2)
    );
    assert!(
        fs::read_to_string(out.join("simplex.svg"))
            .unwrap()
            .contains(&title),
        "{title}"
    );
    let sweep = &summary["sweep"];
    let title = format!(
        "<title>Ranks as the weight of {} varies</title>",
        sweep["weight_name"].as_str().unwrap()
    );
    assert_ne!(sweep["weight_name"], sweep["weight"]);
    assert!(
        fs::read_to_string(out.join("sweep.svg"))
            .unwrap()
            .contains(&title),
        "{title}"
    );
}

/// Four towns and three indicators; `Top` is best on every indicator, so it is first under any
/// weights, normalisation or aggregation.
fn leader_index(dir: &Path) {
    fs::create_dir_all(dir).unwrap();
    fs::write(
        dir.join("meta.csv"),
        "Level,iCode,iName,Direction,Weight,Parent,Type\n\
         1,A,Alpha,1,1,P,Indicator\n\
         1,B,Beta,1,1,P,Indicator\n\
         1,C,Gamma,1,1,Q,Indicator\n\
         1,D,Delta,1,1,Q,Indicator\n\
         2,P,Pillar P,1,1,Idx,Aggregate\n\
         2,Q,Pillar Q,1,1,Idx,Aggregate\n\
         3,Idx,Index,1,1,,Aggregate\n",
    )
    .unwrap();
    fs::write(
        dir.join("data.csv"),
        "uCode,uName,A,B,C,D\n\
         TOP,Top town,100,100,100,100\n\
         U1,One,50,10,30,70\n\
         U2,Two,10,60,60,20\n\
         U3,Three,40,40,10,50\n\
         U4,Four,20,30,50,40\n",
    )
    .unwrap();
}

#[test]
fn a_unit_that_never_moves_is_always_first_never_between_1st_and_1st() {
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("towns");
    leader_index(&data);
    let out = work.path().join("out");
    ranksense()
        .args(["robust", "--data"])
        .arg(&data)
        .args(["--focus", "TOP", "--samples", "400", "--base-samples", "32"])
        .args(["--bootstrap", "20", "--threads", "2", "--out"])
        .arg(&out)
        .assert()
        .success();
    let report = fs::read_to_string(out.join("report.md")).unwrap();
    let (headers, rows) = table_after(&report, "## Uncertainty table");
    let top = rows.iter().find(|r| r[1] == "TOP").unwrap();
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    assert_eq!(top[column("90% interval")], "always 1");
    assert_eq!(top[column("sampled range")], "always 1");
    // Outside the verdict (worded elsewhere), no label repeats a rank as both ends.
    let body = &report[report.find("## Uncertainty table").unwrap()..];
    let repeated = regex_free_repeats(body);
    assert!(repeated.is_empty(), "{repeated:?}");
}

/// Phrases like "1st and 1st", "1st to 1st" or "1–1" (a degenerate interval printed as two ends).
fn regex_free_repeats(text: &str) -> Vec<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut found = Vec::new();
    for w in words.windows(3) {
        let a = w[0].trim_matches(|c: char| !c.is_alphanumeric());
        let c = w[2].trim_matches(|c: char| !c.is_alphanumeric());
        if (w[1] == "and" || w[1] == "to")
            && a == c
            && a.chars().next().is_some_and(|ch| ch.is_ascii_digit())
        {
            found.push(w.join(" "));
        }
    }
    for word in text.split(|c: char| c.is_whitespace() || c == '|' || c == '(' || c == ')') {
        if let Some((a, b)) = word.trim_end_matches([',', '.', ';']).split_once('–')
            && !a.is_empty()
            && a == b
            && a.parse::<f64>().is_ok()
        {
            found.push(word.to_string());
        }
    }
    found
}

/// The method disclosed in full (#14.7): ASEM runs every step (COINr's build_example_coin), and
/// each one is listed, in order, with what it did to these data.
#[test]
fn every_pipeline_step_that_ran_is_disclosed() {
    let output = ranksense()
        .args(["score", "--data", "asem", "--format", "json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let summary: Value = serde_json::from_slice(&output).unwrap();
    let steps = summary["method"]["steps"].as_array().unwrap();
    let names: Vec<&str> = steps.iter().map(|s| s["step"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "denominate",
            "imputation",
            "screening",
            "treatment",
            "normalisation",
            "aggregation",
            "aggregation",
            "aggregation"
        ]
    );
    assert!(steps.iter().all(|s| s["ran"] == true), "{steps:?}");
    let detail = |i: usize| steps[i]["detail"].as_str().unwrap().to_string();
    assert_eq!(steps[1]["setting"], "group_mean(EurAsia_group)");
    assert!(
        detail(1).contains(
            "missing values each filled with the mean of the unit's `EurAsia_group` group"
        )
    );
    // Screening: its threshold and exactly the units it removed.
    assert_eq!(steps[2]["setting"], "screen = 0.9");
    // (ASEM imputes before it screens, as COINr does, so no unit falls below 90%.)
    let removed = summary["data"]["screened_out"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if removed.is_empty() {
        assert!(detail(2).contains("all 51 units pass"), "{}", detail(2));
    } else {
        assert!(detail(2).contains(&format!("{} of 51 left out", removed.len())));
    }
    for unit in &removed {
        assert!(detail(2).contains(unit["code"].as_str().unwrap()));
    }
    // Denominate: one `x ÷ d` per indicator that meta.csv gives a denominator.
    assert!(detail(0).contains("17 indicators divided by their denominator: Flights ÷ Population"));
    assert!(detail(3).contains("Winsorised:"), "{}", detail(3));
    assert_eq!(steps[5]["level"], 2);
    assert_eq!(steps[7]["level"], 4);
    // The score table's header prints the same list.
    let table = ranksense()
        .args(["score", "--data", "asem"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let table = String::from_utf8(table).unwrap();
    for step in steps {
        let setting = step["setting"].as_str().unwrap();
        assert!(table.contains(&format!("({setting}): ")), "{setting}");
    }
}

/// Two towns that tie nominally (mirror images under equal weights) separate as soon as the
/// weights move: the verdict must say so rather than "never changes places".
#[test]
fn a_nominal_tie_that_separates_is_named_in_the_verdict() {
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("mirror");
    fs::create_dir_all(&data).unwrap();
    fs::write(
        data.join("meta.csv"),
        "Level,iCode,iName,Direction,Weight,Parent,Type\n\
         1,A,Alpha,1,1,Idx,Indicator\n\
         1,B,Beta,1,1,Idx,Indicator\n\
         2,Idx,Index,1,1,,Aggregate\n",
    )
    .unwrap();
    fs::write(
        data.join("data.csv"),
        "uCode,uName,A,B\nHI,High,100,100\nX,Ex,80,20\nY,Why,20,80\nLO,Low,0,0\n",
    )
    .unwrap();
    let out = work.path().join("out");
    ranksense()
        .args(["robust", "--data"])
        .arg(&data)
        .args(["--focus", "X", "--samples", "2000", "--base-samples", "32"])
        .args(["--bootstrap", "20", "--threads", "2", "--out"])
        .arg(&out)
        .assert()
        .success();
    let report = fs::read_to_string(out.join("report.md")).unwrap();
    assert!(!report.contains("never changes places"), "{report}");
    assert!(
        report.contains("Why (also 2nd nominally; separated in"),
        "{report}"
    );
}
