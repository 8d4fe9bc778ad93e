//! One mistake, one message: the same typo, unknown key or damaged CSV row fed to every kind of
//! input (index.toml, a scenario, a Sobol factor file, Sobol design and outputs files, a method
//! flag) is reported with the same wording and the same fix, through the command line a user
//! runs (exit code 2 each time).

use std::path::Path;

use assert_cmd::Command;

fn ranksense() -> Command {
    Command::cargo_bin("ranksense").unwrap()
}

/// Runs the command, which must refuse its input, and returns its standard error.
fn refused(args: &[&str]) -> String {
    let output = ranksense().args(args).output().unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(2), "{args:?}:\n{stderr}");
    stderr
}

/// The `fix:` line of the problem whose line contains `problem`.
fn fix_of(stderr: &str, problem: &str) -> String {
    let lines: Vec<&str> = stderr.lines().collect();
    let at = lines
        .iter()
        .position(|line| line.contains(problem))
        .unwrap_or_else(|| panic!("no `{problem}` in:\n{stderr}"));
    let fix = lines
        .get(at + 1)
        .and_then(|line| line.trim_start().strip_prefix("fix: "))
        .unwrap_or_else(|| panic!("no fix after `{problem}` in:\n{stderr}"));
    fix.to_string()
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A copy of the ASEM example index in `dir`, with `edit` applied to its index.toml and
/// `data_edit` to its data.csv.
fn asem_copy(dir: &Path, edit: impl Fn(&str) -> String, data_edit: impl Fn(&str) -> String) {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/asem");
    let read = |name: &str| std::fs::read_to_string(source.join(name)).unwrap();
    std::fs::write(dir.join("meta.csv"), read("meta.csv")).unwrap();
    std::fs::write(dir.join("data.csv"), data_edit(&read("data.csv"))).unwrap();
    std::fs::write(dir.join("index.toml"), edit(&read("index.toml"))).unwrap();
}

const FACTORS: &str = "[[factor]]\nname = \"x1\"\nkind = \"uniform\"\nlow = 0\nhigh = 1\n\n\
                       [[factor]]\nname = \"x2\"\nkind = \"uniform\"\nlow = 0\nhigh = 1\n";

const NORMALISATION_FIX: &str = "did you mean `minmax`? Use one of: `minmax(low,high)`, \
                                 `zscore(mean,sd)`, `rank`, `borda`, `percentile`, `dist2max`, \
                                 `fracmax`, `dist2ref(UNIT)`, `dist2targ`, `goalposts(scale)`, \
                                 `scaled(low,high)`";

#[test]
fn a_misspelt_method_gets_the_same_suggestion_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let index_dir = dir.path().join("index");
    std::fs::create_dir(&index_dir).unwrap();
    asem_copy(
        &index_dir,
        |toml| {
            toml.replace(
                "normalisation = \"minmax(0,100)\"",
                "normalisation = \"minmx(0,100)\"",
            )
        },
        str::to_string,
    );
    let from_index = refused(&["validate", "--data", path(&index_dir)]);
    assert!(
        from_index.contains("index.toml:18, column `method.normalisation`"),
        "{from_index}"
    );

    let scenario = dir.path().join("scenario.toml");
    std::fs::write(
        &scenario,
        "[normalisation]\nalternatives = [\"minmx(0,100)\", \"rank\"]\n",
    )
    .unwrap();
    let from_scenario = refused(&["validate", "--data", "asem", "--scenario", path(&scenario)]);

    let from_flag = refused(&["score", "--data", "asem", "--normalisation", "minmx(0,100)"]);

    for stderr in [&from_index, &from_scenario, &from_flag] {
        assert_eq!(
            fix_of(stderr, "unknown normalisation `minmx(0,100)`"),
            NORMALISATION_FIX,
            "{stderr}"
        );
    }

    // A Sobol factor file has its own vocabulary (factor kinds), in the same words.
    let factors = dir.path().join("factors.toml");
    std::fs::write(&factors, FACTORS.replacen("\"uniform\"", "\"unifrom\"", 1)).unwrap();
    let from_factors = refused(&["sobol", "sample", "--factors", path(&factors), "--n", "8"]);
    assert!(
        from_factors.contains("factors.toml:3, column `factor[1].kind`"),
        "{from_factors}"
    );
    assert_eq!(
        fix_of(&from_factors, "unknown kind `unifrom`"),
        "did you mean `uniform`? Use one of: `uniform`, `integer`, `categorical`"
    );
}

#[test]
fn an_unknown_key_gets_the_same_suggestion_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let index_dir = dir.path().join("index");
    std::fs::create_dir(&index_dir).unwrap();
    asem_copy(
        &index_dir,
        |toml| toml.replace("focus = \"CHE\"", "focsu = \"CHE\""),
        str::to_string,
    );
    let from_index = refused(&["validate", "--data", path(&index_dir)]);

    let scenario = dir.path().join("scenario.toml");
    std::fs::write(
        &scenario,
        "focsu = \"CHE\"\n[normalisation]\nalternatives = [\"rank\"]\n",
    )
    .unwrap();
    let from_scenario = refused(&["validate", "--data", "asem", "--scenario", path(&scenario)]);

    let factors = dir.path().join("factors.toml");
    std::fs::write(
        &factors,
        FACTORS.replacen("name = \"x1\"", "nmae = \"x1\"", 1),
    )
    .unwrap();
    let from_factors = refused(&["sobol", "sample", "--factors", path(&factors), "--n", "8"]);

    for stderr in [&from_index, &from_scenario] {
        let fix = fix_of(stderr, "unknown key `focsu`");
        assert!(
            fix.starts_with("did you mean `focus`? Use one of: `name`, "),
            "{fix}"
        );
    }
    assert_eq!(
        fix_of(&from_factors, "unknown key `factor[1].nmae`"),
        "did you mean `name`? Use one of: `name`, `kind`, `low`, `high`, `values`"
    );
}

#[test]
fn a_ragged_csv_row_gets_the_same_message_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let index_dir = dir.path().join("index");
    std::fs::create_dir(&index_dir).unwrap();
    asem_copy(&index_dir, str::to_string, |data| {
        // One field too many on the first unit's row (line 2).
        data.replacen("\"Austria\",", "\"Austria\",\"extra\",", 1)
    });
    let from_index = refused(&["validate", "--data", path(&index_dir)]);
    let index_problem = format!("{}:2: this row has", index_dir.join("data.csv").display());
    assert!(from_index.contains(&index_problem), "{from_index}");

    let factors = dir.path().join("factors.toml");
    std::fs::write(&factors, FACTORS).unwrap();
    let design = dir.path().join("design.csv");
    let output = ranksense()
        .args([
            "sobol",
            "sample",
            "--factors",
            path(&factors),
            "--n",
            "4",
            "--out",
        ])
        .arg(&design)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = std::fs::read_to_string(&design).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines[3].push_str(",0.5");
    std::fs::write(&design, lines.join("\n") + "\n").unwrap();
    let outputs = dir.path().join("outputs.csv");
    std::fs::write(&outputs, "run,y\n1,0.5\n2,0.5,7\n").unwrap();
    let from_design = refused(&[
        "sobol",
        "analyze",
        "--design",
        path(&design),
        "--outputs",
        path(&outputs),
    ]);
    let design_problem = format!(
        "{}:4: this row has 5 fields but the header has 4 columns",
        design.display()
    );
    assert!(from_design.contains(&design_problem), "{from_design}");

    let good_design = dir.path().join("good.csv");
    std::fs::write(&good_design, text).unwrap();
    let from_outputs = refused(&[
        "sobol",
        "analyze",
        "--design",
        path(&good_design),
        "--outputs",
        path(&outputs),
    ]);
    let outputs_problem = format!(
        "{}:3: this row has 3 fields but the header has 2 columns",
        outputs.display()
    );
    assert!(from_outputs.contains(&outputs_problem), "{from_outputs}");

    // A weight region file (`bounds --region`) is read by the same table reader.
    let region = dir.path().join("region.csv");
    std::fs::write(&region, "code,lo,hi\nATT,0.2,0.4,1\n").unwrap();
    let from_region = refused(&["bounds", "--focus", "BEJ", "--region", path(&region)]);
    let region_problem = format!(
        "{}:2: this row has 4 fields but the header has 3 columns",
        region.display()
    );
    assert!(from_region.contains(&region_problem), "{from_region}");

    let fixes = [
        fix_of(&from_index, "this row has"),
        fix_of(&from_design, "this row has"),
        fix_of(&from_outputs, "this row has"),
        fix_of(&from_region, "this row has"),
    ];
    assert!(fixes.iter().all(|fix| *fix == fixes[0]), "{fixes:#?}");
}

/// A misspelt code gets the index's "did you mean" in a region file too.
#[test]
fn a_misspelt_weight_code_in_a_region_file_gets_the_suggestion() {
    let dir = tempfile::tempdir().unwrap();
    let region = dir.path().join("region.csv");
    std::fs::write(&region, "code,lo,hi\nATT,0.2,0.4\nINFF,0.2,0.4\n").unwrap();
    let stderr = refused(&["bounds", "--focus", "BEJ", "--region", path(&region)]);
    assert!(
        stderr.contains(&format!("{}:3, column `code`", region.display())),
        "{stderr}"
    );
    assert_eq!(
        fix_of(&stderr, "unknown weight code `INFF`"),
        "did you mean `INF`?"
    );
}
