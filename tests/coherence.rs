//! The statistical coherence audit (issue #16) against its definitions: correlations, α and
//! PCA on closed-form small cases and on COINr's ASEM example (values recomputed here from the
//! textbook definitions, not copied from the library), η² on synthetic indices with known
//! analytic values, and the bias correction of η² shown on variables with no effect.

use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use ranksense::analysis::coherence::correlation::{Estimate, Method, Relation, correlate};
use ranksense::analysis::coherence::cronbach::cronbach_alpha;
use ranksense::analysis::coherence::importance::correlation_ratio;
use ranksense::analysis::coherence::pca::principal_components;
use ranksense::analysis::coherence::{self, Flag, Settings};
use ranksense::model::embedded;
use ranksense::pipeline::prepare::nominal_variant;
use ranksense::pipeline::{Config, Evaluation, Prepared, evaluate, prepare};

const NAN: f64 = f64::NAN;

#[test]
fn pearson_and_spearman_match_hand_computed_values_with_pairwise_deletion() {
    // x̄ = 3, ȳ = 4: Σdxdy = 6, Σdx² = 10, Σdy² = 6, r = 6/√60.
    let x = [1.0, 2.0, 3.0, 4.0, 5.0, NAN, 9.0];
    let y = [2.0, 4.0, 5.0, 4.0, 5.0, 7.0, NAN];
    let pearson = correlate(Method::Pearson, &x, &y);
    assert_eq!(pearson.n, 5, "the two incomplete pairs are left out");
    assert!((pearson.r.unwrap() - 6.0 / 60f64.sqrt()).abs() < 1e-15);
    // Ranks of y on the complete pairs: 1, 2.5, 4.5, 2.5, 4.5 (ties averaged): r = 7/√90.
    let spearman = correlate(Method::Spearman, &x, &y);
    assert!((spearman.r.unwrap() - 7.0 / 90f64.sqrt()).abs() < 1e-15);
    // A constant column has no correlation (R: NA), never NaN.
    assert_eq!(correlate(Method::Pearson, &x, &[1.0; 7]).r, None);
}

#[test]
fn cronbach_alpha_matches_the_closed_form() {
    // var x = var y = 5/3, cov = 1: α = k/(k−1)(1 − Σvar/var(total)) = 2(1 − (10/3)/(16/3)) = 0.75.
    let x = [1.0, 2.0, 3.0, 4.0];
    let y = [2.0, 1.0, 4.0, 3.0];
    assert!((cronbach_alpha(&[&x, &y]).unwrap() - 0.75).abs() < 1e-15);
    assert_eq!(cronbach_alpha(&[&x]), None, "one column has no α");
}

#[test]
fn pca_of_two_columns_has_eigenvalues_one_plus_and_minus_r() {
    let x = [1.0, 2.0, 3.0, 4.0, 5.0];
    let y = [2.0, 4.0, 5.0, 4.0, 5.0];
    let r = 6.0 / 60f64.sqrt();
    let pca = principal_components(&[&x, &y]).unwrap();
    assert!((pca.eigenvalues[0] - (1.0 + r)).abs() < 1e-12);
    assert!((pca.eigenvalues[1] - (1.0 - r)).abs() < 1e-12);
    assert!((pca.shares[0] - (1.0 + r) / 2.0).abs() < 1e-12);
    // First loadings (1, 1)/√2, sign convention: they sum to ≥ 0.
    for l in &pca.loadings {
        assert!((l - 0.5f64.sqrt()).abs() < 1e-12, "{:?}", pca.loadings);
    }
    assert_eq!(pca.kaiser_count(), 1);
    // Listwise deletion: a unit missing one column is left out.
    let pca = principal_components(&[&[1.0, 2.0, 3.0, NAN], &[1.0, 3.0, 2.0, 4.0]]).unwrap();
    assert_eq!(pca.n, 3);
}

fn asem() -> (ranksense::model::Index, Prepared, Evaluation) {
    let index = embedded::load("asem").unwrap();
    let prepared = prepare(&index, &[nominal_variant(&index)]).unwrap();
    let config = Config {
        variant: 0,
        aggregation: index.nominal.aggregation.clone(),
        weights: prepared.framework.nominal_weights(),
    };
    let evaluation = evaluate(&prepared, &config).unwrap();
    (index, prepared, evaluation)
}

fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len() as f64
}

fn var(x: &[f64]) -> f64 {
    let m = mean(x);
    x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (x.len() - 1) as f64
}

fn textbook_pearson(x: &[f64], y: &[f64]) -> f64 {
    let (mx, my) = (mean(x), mean(y));
    let cov: f64 = x
        .iter()
        .zip(y)
        .map(|(a, b)| (a - mx) * (b - my))
        .sum::<f64>();
    cov / (x.len() - 1) as f64 / (var(x) * var(y)).sqrt()
}

/// COINr's ASEM example as `build_example_coin()` builds it (denominated, group-mean imputed,
/// screened at 90%, Winsorised, min-max 0–100, arithmetic means: the shipped data/asem). After
/// the group-mean imputation no value is missing, so COINr's pairwise-complete conventions
/// reduce to the textbook formulas recomputed here: get_corr = R `cor` (Pearson),
/// get_cronbach = k/(k − 1)(1 − Σ var_i / var(Σ x_i)), get_PCA's variance shares = eigenvalues of
/// the correlation matrix / k, the largest found here by power iteration.
#[test]
fn asem_correlations_alpha_and_pca_equal_their_definitions() {
    let (index, prepared, evaluation) = asem();
    let framework = &prepared.framework;
    let values = &evaluation.scores;
    assert!(
        values.iter().flatten().all(|v| !v.is_nan()),
        "the imputed ASEM data are complete"
    );
    let audit = coherence::audit(
        &index,
        &prepared,
        0,
        &evaluation,
        &framework.nominal_weights(),
        &Settings {
            resamples: 0,
            ..Settings::default()
        },
    );
    let pearson: Vec<_> = audit
        .correlations
        .iter()
        .filter(|c| c.method == Method::Pearson)
        .collect();
    // Every indicator with its parent, and every sibling pair, is there.
    let with_parent = pearson
        .iter()
        .filter(|c| c.relation == Relation::Parent)
        .count();
    assert_eq!(with_parent, framework.n_nodes() - 1);
    for c in &pearson {
        let expected = textbook_pearson(&values[c.x], &values[c.y]);
        assert!(
            (c.estimate.r.unwrap() - expected).abs() < 1e-9,
            "{} ~ {}",
            framework.nodes[c.x].code,
            framework.nodes[c.y].code
        );
    }
    for consistency in &audit.consistency {
        let children = &framework.nodes[consistency.aggregate].children;
        let k = children.len() as f64;
        let n = values[0].len();
        let totals: Vec<f64> = (0..n)
            .map(|u| children.iter().map(|&c| values[c][u]).sum())
            .collect();
        let sum_var: f64 = children.iter().map(|&c| var(&values[c])).sum();
        let alpha = k / (k - 1.0) * (1.0 - sum_var / var(&totals));
        assert!(
            (consistency.alpha.unwrap() - alpha).abs() < 1e-9,
            "α of {}",
            framework.nodes[consistency.aggregate].code
        );
        // Largest eigenvalue of the correlation matrix by power iteration.
        let kk = children.len();
        let corr: Vec<f64> = (0..kk * kk)
            .map(|e| textbook_pearson(&values[children[e / kk]], &values[children[e % kk]]))
            .collect();
        let mut v = vec![1.0; kk];
        let mut lambda = 0.0;
        for _ in 0..5000 {
            let w: Vec<f64> = (0..kk)
                .map(|i| (0..kk).map(|j| corr[i * kk + j] * v[j]).sum())
                .collect();
            lambda = w.iter().map(|x| x * x).sum::<f64>().sqrt();
            v = w.iter().map(|x| x / lambda).collect();
        }
        let pca = consistency.components.as_ref().unwrap();
        assert!(
            (pca.shares[0] - lambda / k).abs() < 1e-9,
            "PCA share of {}",
            framework.nodes[consistency.aggregate].code
        );
        assert!((pca.eigenvalues.iter().sum::<f64>() - k).abs() < 1e-9);
    }
}

#[test]
fn flags_follow_their_thresholds() {
    let (index, prepared, evaluation) = asem();
    let audit = coherence::audit(
        &index,
        &prepared,
        0,
        &evaluation,
        &prepared.framework.nominal_weights(),
        &Settings {
            resamples: 0,
            ..Settings::default()
        },
    );
    let t = audit.settings.thresholds;
    let mut negatives = 0;
    for c in &audit.correlations {
        let r = c.estimate.r.unwrap();
        let has = |f: Flag| c.flags.contains(&f);
        assert_eq!(
            has(Flag::Negative),
            c.relation == Relation::Parent && r < 0.0
        );
        assert_eq!(
            has(Flag::Weak),
            c.relation == Relation::Parent && (0.0..t.weak).contains(&r)
        );
        assert_eq!(
            has(Flag::Collinear),
            c.relation == Relation::Siblings && r > t.collinear
        );
        assert_eq!(
            has(Flag::NotSignificant),
            c.p_value.unwrap() > t.significance
        );
        if c.relation == Relation::OtherGroup {
            let own = audit
                .correlations
                .iter()
                .find(|o| o.method == c.method && o.relation == Relation::Parent && o.x == c.x)
                .unwrap();
            assert_eq!(has(Flag::CloserElsewhere), r > own.estimate.r.unwrap());
        }
        negatives += usize::from(has(Flag::Negative));
    }
    // ASEM has indicators that pull against their pillar (e.g. in the environmental pillar).
    assert!(negatives > 0);
}

fn uniform(rng: &mut ChaCha8Rng, n: usize) -> Vec<f64> {
    (0..n).map(|_| rng.random_range(-1.0..1.0)).collect()
}

/// y = Σ w_i x_i with independent x_i ~ U(−1, 1): η²(x_i) = r²(x_i) = w_i² Var(x_i) / Var(y).
#[test]
fn eta_squared_of_a_linear_index_is_r_squared() {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let n = 4000;
    let w = [0.5, 0.3, 0.2];
    let xs: Vec<Vec<f64>> = (0..3).map(|_| uniform(&mut rng, n)).collect();
    let y: Vec<f64> = (0..n)
        .map(|u| (0..3).map(|i| w[i] * xs[i][u]).sum())
        .collect();
    let total: f64 = w.iter().map(|wi| wi * wi).sum();
    for i in 0..3 {
        let analytic = w[i] * w[i] / total;
        let ratio = correlation_ratio(&xs[i], &y, 100, 0.95, 3).unwrap();
        assert!(
            (ratio.eta2 - analytic).abs() < 0.02,
            "{i}: {ratio:?} vs {analytic}"
        );
        assert!((ratio.r2 - ratio.eta2).abs() < 0.01, "{ratio:?}");
        let (lo, hi) = ratio.interval.unwrap();
        assert!(lo < ratio.eta2 && ratio.eta2 < hi);
    }
}

/// y = x₁ + x₂², x ~ U(−1, 1): r²(x₂) = 0 (x₂ symmetric), η²(x₂) = Var(x₂²)/Var(y) = (4/45)/(19/45).
#[test]
fn eta_squared_sees_a_non_linear_effect_that_r_squared_misses() {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let n = 4000;
    let x1 = uniform(&mut rng, n);
    let x2 = uniform(&mut rng, n);
    let y: Vec<f64> = (0..n).map(|u| x1[u] + x2[u] * x2[u]).collect();
    let ratio = correlation_ratio(&x2, &y, 0, 0.95, 3).unwrap();
    assert!(ratio.r2.abs() < 0.01, "{ratio:?}");
    assert!((ratio.eta2 - 4.0 / 19.0).abs() < 0.02, "{ratio:?}");
    let ratio1 = correlation_ratio(&x1, &y, 0, 0.95, 3).unwrap();
    assert!((ratio1.eta2 - 15.0 / 19.0).abs() < 0.02, "{ratio1:?}");
}

/// With 37 units (the IECI's size), a variable with no effect reads η² ≈ 0.06–0.17 uncorrected;
/// the corrected estimate averages 0.
#[test]
fn eta_squared_bias_is_corrected_for_a_variable_with_no_effect() {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let (mut raw, mut corrected) = (0.0, 0.0);
    let runs = 400;
    for _ in 0..runs {
        let x = uniform(&mut rng, 37);
        let y = uniform(&mut rng, 37);
        let ratio = correlation_ratio(&x, &y, 0, 0.95, 1).unwrap();
        raw += ratio.eta2_raw / runs as f64;
        corrected += ratio.eta2 / runs as f64;
    }
    assert!(raw > 0.06, "the uncorrected estimator is biased: {raw}");
    assert!(corrected.abs() < 0.02, "corrected mean {corrected}");
}

#[test]
fn importance_shares_sum_to_one_within_each_parent() {
    let (index, prepared, evaluation) = asem();
    let framework = &prepared.framework;
    let audit = coherence::audit(
        &index,
        &prepared,
        0,
        &evaluation,
        &framework.nominal_weights(),
        &Settings {
            resamples: 20,
            ..Settings::default()
        },
    );
    for parent in framework.aggregates() {
        let children = &framework.nodes[parent].children;
        let shares: f64 = audit
            .importance
            .iter()
            .filter(|i| children.contains(&i.node))
            .map(|i| i.share.unwrap())
            .sum();
        let weights: f64 = audit
            .importance
            .iter()
            .filter(|i| children.contains(&i.node))
            .map(|i| i.weight_share)
            .sum();
        assert!((shares - 1.0).abs() < 1e-12 && (weights - 1.0).abs() < 1e-12);
    }
}

/// An η² that cannot be estimated as a number prints `NA` in the Markdown and HTML tables,
/// never `NaN` (the table used to format it with `{:.3}`).
#[test]
fn importance_tables_print_na_never_nan() {
    use ranksense::report::coherence::{coherence_markdown, importance_table};
    let (index, prepared, evaluation) = asem();
    let framework = &prepared.framework;
    let mut audit = coherence::audit(
        &index,
        &prepared,
        0,
        &evaluation,
        &framework.nominal_weights(),
        &Settings {
            resamples: 10,
            ..Settings::default()
        },
    );
    let ratio = audit.importance[0].ratio.as_mut().unwrap();
    ratio.eta2 = NAN;
    ratio.r2 = f64::INFINITY;
    ratio.interval = Some((NAN, NAN));
    audit.importance[0].share = Some(NAN);
    let table = importance_table(&audit, framework, Some(3));
    let code = &framework.nodes[audit.importance[0].node].code;
    let markdown = table.to_markdown();
    let row = markdown
        .lines()
        .find(|l| l.contains(&format!("| {code} ")))
        .unwrap();
    assert!(row.contains("NA"), "{row}");
    for text in [
        markdown.clone(),
        table.to_html(),
        coherence_markdown(&audit, framework),
    ] {
        for never in ["NaN", " inf ", ">inf<", "| inf"] {
            assert!(!text.contains(never), "{never} in {text}");
        }
    }
}

#[test]
fn heat_map_follows_the_framework_and_charts_have_every_mark() {
    let (index, prepared, evaluation) = asem();
    let framework = &prepared.framework;
    let audit = coherence::audit(
        &index,
        &prepared,
        0,
        &evaluation,
        &framework.nominal_weights(),
        &Settings {
            resamples: 0,
            ..Settings::default()
        },
    );
    let heat = &audit.heat_map;
    assert_eq!(heat.rows.len(), framework.n_indicators());
    assert_eq!(
        heat.columns.len(),
        framework.n_nodes() - framework.n_indicators()
    );
    // Framework order: the indicators of one parent are contiguous.
    let parents: Vec<usize> = heat
        .rows
        .iter()
        .map(|&n| framework.nodes[n].parent.unwrap())
        .collect();
    for (i, p) in parents.iter().enumerate() {
        assert!(
            !parents[i + 1..]
                .iter()
                .skip_while(|q| *q == p)
                .any(|q| q == p)
        );
    }
    let svg = ranksense::report::coherence_charts::heat_map_svg(heat, framework);
    assert_eq!(
        svg.matches("class=\"cell\"").count(),
        heat.rows.len() * heat.columns.len()
    );
    let svg = ranksense::report::coherence_charts::importance_svg(&audit, framework, 2);
    assert_eq!(
        svg.matches("class=\"weight\"").count(),
        framework.level_nodes(2).len()
    );
    let files = ranksense::report::coherence::coherence_files(&index, &audit, framework);
    let header = |name: &str| {
        let bytes = files
            .files
            .iter()
            .find(|(n, _)| n == name)
            .unwrap()
            .1
            .clone();
        String::from_utf8(bytes)
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .to_string()
    };
    assert_eq!(header("coherence.csv"), "measure,x,y,value,interval,flag");
    assert!(
        header("importance.csv")
            .starts_with("code,level,parent,weight_share,importance_share,eta2")
    );
    assert!(header("pca.csv").starts_with("aggregate,n,component,eigenvalue,share"));
    let summary = String::from_utf8(
        files
            .files
            .iter()
            .find(|(n, _)| n == "summary.json")
            .unwrap()
            .1
            .clone(),
    )
    .unwrap();
    let json: serde_json::Value = serde_json::from_str(&summary).unwrap();
    assert!(json["coherence"]["importance"].as_array().unwrap().len() == framework.n_nodes() - 1);
    assert!(!summary.contains("NaN"));
}

#[test]
fn the_coherence_command_prints_and_writes_its_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report");
    let assert = assert_cmd::Command::cargo_bin("ranksense")
        .unwrap()
        .args([
            "coherence",
            "--data",
            "asem",
            "--bootstrap",
            "20",
            "--format",
            "csv",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let stdout = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    assert!(stdout.starts_with("measure,x,y,value,interval,flag\n"));
    assert_eq!(
        std::fs::read_to_string(out.join("coherence.csv")).unwrap(),
        stdout
    );
    for file in [
        "importance.csv",
        "pca.csv",
        "report.md",
        "report.html",
        "summary.json",
        "coherence-heatmap.svg",
    ] {
        assert!(out.join(file).exists(), "{file}");
    }
    // A bad data source is a located input error: exit 2.
    assert_cmd::Command::cargo_bin("ranksense")
        .unwrap()
        .args(["coherence", "--data", "no-such-folder"])
        .assert()
        .code(2);
}

// ---- Spearman p-values (R's cor.test: exact for n ≤ 9, AS 89 to 1290 without ties) ----

/// P(S ≥ s) for every even s by brute force over all permutations of 0..n (Heap's algorithm):
/// the definition of the null distribution of Spearman's S = Σ (i − π(i))².
fn brute_force_s_counts(n: usize) -> Vec<u64> {
    let mut counts = vec![0u64; n * (n * n - 1) / 6 + 1];
    let mut perm: Vec<usize> = (0..n).collect();
    let mut c = vec![0usize; n];
    let s = |p: &[usize]| {
        p.iter()
            .enumerate()
            .map(|(i, &v)| i.abs_diff(v).pow(2))
            .sum::<usize>()
    };
    counts[s(&perm) / 2] += 1;
    let mut i = 0;
    while i < n {
        if c[i] < i {
            if i % 2 == 0 {
                perm.swap(0, i);
            } else {
                perm.swap(c[i], i);
            }
            counts[s(&perm) / 2] += 1;
            c[i] += 1;
            i = 0;
        } else {
            c[i] = 0;
            i += 1;
        }
    }
    counts
}

#[test]
fn spearman_tails_for_small_n_are_the_exact_permutation_distribution() {
    use ranksense::analysis::coherence::correlation::spearman_s_tail;
    for n in [4, 7, 9] {
        let counts = brute_force_s_counts(n);
        let total: u64 = counts.iter().sum();
        for (k, _) in counts.iter().enumerate() {
            let s = (2 * k) as f64;
            let at_least: u64 = counts[k..].iter().sum();
            assert_eq!(
                spearman_s_tail(n, s, false),
                at_least as f64 / total as f64,
                "n = {n}, P(S ≥ {s})"
            );
            assert_eq!(
                spearman_s_tail(n, s, true),
                (total - at_least) as f64 / total as f64,
                "n = {n}, P(S < {s})"
            );
        }
    }
    // n = 5, one adjacent swap: ρ = 0.9, S = 2; P(S ≤ 2) = (1 identity + 4 adjacent swaps)/120,
    // two-sided p = 10/120 (R: cor.test(1:5, c(1, 2, 3, 5, 4), method = "spearman")).
    let e = correlate(
        Method::Spearman,
        &[1.0, 2.0, 3.0, 4.0, 5.0],
        &[1.0, 2.0, 3.0, 5.0, 4.0],
    );
    assert!((e.r.unwrap() - 0.9).abs() < 1e-15);
    assert!(!e.ties);
    assert!((e.p_value(Method::Spearman).unwrap() - 10.0 / 120.0).abs() < 1e-15);
    // The t-approximation would say 0.0374: the exact test is what changes the flag here.
    assert!(e.p_value(Method::Pearson).unwrap() < 0.05);
}

#[test]
fn spearman_tails_above_nine_units_follow_as89() {
    use ranksense::analysis::coherence::correlation::spearman_s_tail;
    // n = 10, S ≤ 36: the exact value 0.005265377 and AS 89's 0.005825634 (the pspearman
    // package's documented example, pspearman(36, 10, approximation = "exact" / "AS89")).
    let counts = brute_force_s_counts(10);
    let total: u64 = counts.iter().sum();
    let exact = counts[..=18].iter().sum::<u64>() as f64 / total as f64;
    assert!((exact - 0.005_265_377).abs() < 1e-9, "{exact}");
    // R asks prho for P(S < round(q) + 2) on the lower tail; S is even, so that is P(S ≤ 36).
    let as89 = spearman_s_tail(10, 38.0, true);
    assert!((as89 - 0.005_825_634).abs() < 1e-9, "{as89}");
    // Ties fall back to the t-approximation, as R's cor.test does.
    let x: Vec<f64> = (0..12).map(|i| (i / 2) as f64).collect();
    let y: Vec<f64> = (0..12).map(|i| ((i * 7) % 12) as f64).collect();
    let e = correlate(Method::Spearman, &x, &y);
    assert!(e.ties);
    let r = e.r.unwrap();
    let t_approx = Estimate {
        r: Some(r),
        n: 12,
        ties: false,
    }
    .p_value(Method::Pearson);
    assert_eq!(e.p_value(Method::Spearman), t_approx);
}

// ---- Weights that deliver the intended importance (Becker et al. 2017) ----

/// A two-pillar index (A1..A3 under PA, B1, B2 under PB) with equal nominal weights on `n`
/// units of independent normal indicators with different spreads; with `collinear`, A2 is A1
/// plus a little noise. Returns meta.csv, data.csv and index.toml.
fn two_pillar_texts(n: usize, collinear: bool) -> (String, String, String) {
    let meta = "Level,iCode,iName,Direction,Weight,Parent,Type\n\
                1,A1,A1,1,1,PA,Indicator\n1,A2,A2,1,1,PA,Indicator\n1,A3,A3,1,1,PA,Indicator\n\
                1,B1,B1,1,1,PB,Indicator\n1,B2,B2,1,1,PB,Indicator\n\
                2,PA,Pillar A,1,1,IDX,Aggregate\n2,PB,Pillar B,1,1,IDX,Aggregate\n\
                3,IDX,Index,1,1,,Aggregate\n"
        .to_string();
    let mut rng = ChaCha8Rng::seed_from_u64(16);
    let mut normal = || {
        // Box–Muller from two uniforms.
        let (u, v): (f64, f64) = (rng.random(), rng.random());
        (-2.0 * (1.0 - u).ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    };
    let mut data = String::from("uCode,uName,A1,A2,A3,B1,B2\n");
    for u in 0..n {
        let a1 = normal();
        let a2 = if collinear {
            a1 + 0.05 * normal()
        } else {
            2.0 * normal()
        };
        let row = [a1, a2, 0.5 * normal(), normal(), 3.0 * normal()];
        let cells: Vec<String> = row.iter().map(|v| format!("{v}")).collect();
        data.push_str(&format!("U{u},Unit {u},{}\n", cells.join(",")));
    }
    let toml = "name = \"Two pillars\"\nlevel_names = [\"Indicator\", \"Pillar\", \"Index\"]\n\n\
                [method]\nnormalisation = \"zscore(0,1)\"\naggregation = \"arithmetic\"\n"
        .to_string();
    (meta, data, toml)
}

fn two_pillar(n: usize, collinear: bool) -> ranksense::model::Index {
    let (meta, data, toml) = two_pillar_texts(n, collinear);
    ranksense::model::load_from_strings(
        ("meta.csv", &meta),
        ("data.csv", &data),
        Some(("index.toml", &toml)),
        "two-pillars",
    )
    .unwrap()
}

/// Importance shares (the audit's own, η² or r) of the index scored with `weights`.
fn shares_at(
    index: &ranksense::model::Index,
    prepared: &Prepared,
    weights: &[f64],
) -> Vec<Option<f64>> {
    let config = Config {
        variant: 0,
        aggregation: index.nominal.aggregation.clone(),
        weights: weights.to_vec(),
    };
    let evaluation = evaluate(prepared, &config).unwrap();
    let settings = Settings {
        resamples: 0,
        ..Settings::default()
    };
    let mut shares = vec![None; prepared.framework.n_nodes()];
    for i in coherence::importances(&prepared.framework, &evaluation.scores, weights, &settings) {
        shares[i.node] = i.share;
    }
    shares
}

#[test]
fn the_weight_search_recovers_the_weights_an_index_was_built_with() {
    use ranksense::analysis::coherence::optimise::{Request, Status, optimise_weights};
    let index = two_pillar(400, false);
    let prepared = prepare(&index, &[nominal_variant(&index)]).unwrap();
    let f = &prepared.framework;
    let node = |code: &str| f.find(code).unwrap();
    // The weights the index is built to have, and the importance they deliver: the target.
    let mut built = vec![1.0; f.n_nodes()];
    for (code, w) in [
        ("A1", 0.5),
        ("A2", 0.2),
        ("A3", 0.3),
        ("B1", 0.7),
        ("B2", 0.3),
        ("PA", 0.6),
        ("PB", 0.4),
    ] {
        built[node(code)] = w;
    }
    let delivered = shares_at(&index, &prepared, &built);
    let target: Vec<f64> = (0..f.n_nodes())
        .map(|i| delivered[i].unwrap_or(1.0))
        .collect();
    // The nominal weights (all equal) do not deliver it.
    let request = Request {
        target: Some(target.clone()),
        tolerance: 1e-4,
        ..Request::default()
    };
    let found = optimise_weights(&prepared, 0, &index.nominal.aggregation, &request).unwrap();
    assert_eq!(found.status, Status::Converged, "{found:?}");
    assert!(found.nominal_fit > 0.05, "{found:?}");
    assert!(found.fit <= 1e-4);
    for code in ["A1", "A2", "A3", "B1", "B2", "PA", "PB"] {
        let i = node(code);
        assert!(
            (found.weights[i] - built[i]).abs() < 2e-3,
            "{code}: found {}, built {}",
            found.weights[i],
            built[i]
        );
        // The achieved importance is the audit's own at the weights found.
        assert_eq!(
            found.achieved[i],
            shares_at(&index, &prepared, &found.weights)[i]
        );
    }
    // The correlation option recovers them too.
    let delivered_r: Vec<f64> = {
        let config = Config {
            variant: 0,
            aggregation: index.nominal.aggregation.clone(),
            weights: built.clone(),
        };
        let scores = evaluate(&prepared, &config).unwrap().scores;
        let r: Vec<f64> = (0..f.n_nodes())
            .map(|i| {
                correlate(Method::Pearson, &scores[i], &scores[f.top])
                    .r
                    .unwrap()
            })
            .collect();
        (0..f.n_nodes())
            .map(|i| match f.nodes[i].parent {
                Some(p) => r[i] / f.nodes[p].children.iter().map(|&c| r[c]).sum::<f64>(),
                None => 1.0,
            })
            .collect()
    };
    let request = Request {
        measure: coherence::Measure::Correlation,
        target: Some(delivered_r),
        tolerance: 1e-4,
        ..Request::default()
    };
    let found = optimise_weights(&prepared, 0, &index.nominal.aggregation, &request).unwrap();
    assert_eq!(found.status, Status::Converged, "{found:?}");
    for code in ["A1", "A2", "A3", "B1", "B2", "PA", "PB"] {
        assert!(
            (found.weights[node(code)] - built[node(code)]).abs() < 2e-3,
            "{code}"
        );
    }
}

#[test]
fn an_unreachable_target_is_reported_as_not_converged_with_non_negative_weights() {
    use ranksense::analysis::coherence::optimise::{
        Request, Status, optimise_weights, target_from,
    };
    // A1 and A2 are near copies: whatever their weights, they explain about the same share of
    // the index, so 80% for A1 against 10% for A2 cannot be delivered.
    let index = two_pillar(300, true);
    let prepared = prepare(&index, &[nominal_variant(&index)]).unwrap();
    let f = &prepared.framework;
    let given = vec![
        ("A1".to_string(), 0.8),
        ("A2".to_string(), 0.1),
        ("A3".to_string(), 0.1),
    ];
    let request = Request {
        target: Some(target_from(f, &given).unwrap()),
        ..Request::default()
    };
    let found = optimise_weights(&prepared, 0, &index.nominal.aggregation, &request).unwrap();
    assert_ne!(found.status, Status::Converged, "{found:?}");
    assert!(!found.converged());
    assert!(found.fit > request.tolerance);
    for parent in f.aggregates().filter(|&p| p != f.top) {
        let children = &f.nodes[parent].children;
        assert!(children.iter().all(|&c| found.weights[c] >= 0.0));
        let sum: f64 = children.iter().map(|&c| found.weights[c]).sum();
        assert!((sum - 1.0).abs() < 1e-12, "{sum}");
    }
    // A target naming no node is refused with a suggestion.
    let error = target_from(f, &[("A4".to_string(), 0.5)]).unwrap_err();
    assert!(error.to_string().contains("`A4`"), "{error}");
    assert!(target_from(f, &[("A1".to_string(), -1.0)]).is_err());
    assert!(target_from(f, &[("IDX".to_string(), 1.0)]).is_err());
}

#[test]
fn written_weights_load_back_and_reproduce_the_achieved_importance() {
    use ranksense::analysis::coherence::optimise::{
        Request, Status, optimise_weights, target_from,
    };
    use ranksense::report::coherence_weights::reweighted_meta_csv;
    let (meta, data, toml) = two_pillar_texts(300, false);
    let index = two_pillar(300, false);
    let prepared = prepare(&index, &[nominal_variant(&index)]).unwrap();
    let f = &prepared.framework;
    let request = Request {
        target: Some(target_from(f, &[("PA".to_string(), 2.0)]).unwrap()),
        ..Request::default()
    };
    let found = optimise_weights(&prepared, 0, &index.nominal.aggregation, &request).unwrap();
    assert_eq!(found.status, Status::Converged, "{found:?}");
    let written = reweighted_meta_csv(&meta, f, &found.weights).unwrap();
    let loaded = ranksense::model::load_from_strings(
        ("meta.csv", &written),
        ("data.csv", &data),
        Some(("index.toml", &toml)),
        "reweighted",
    )
    .unwrap();
    let weights = loaded.framework.nominal_weights();
    for (i, (&loaded_weight, &found_weight)) in weights.iter().zip(&found.weights).enumerate() {
        if i != f.top {
            assert_eq!(loaded_weight, found_weight, "{}", f.nodes[i].code);
        }
    }
    let prepared = prepare(&loaded, &[nominal_variant(&loaded)]).unwrap();
    let shares = shares_at(&loaded, &prepared, &weights);
    for (i, (share, achieved)) in shares.iter().zip(&found.achieved).enumerate() {
        if achieved.is_some() {
            assert_eq!(share, achieved, "{}", f.nodes[i].code);
        }
    }
}

#[test]
fn the_coherence_command_writes_weights_that_load_back() {
    let dir = tempfile::tempdir().unwrap();
    let (meta, data, toml) = two_pillar_texts(300, false);
    let source = dir.path().join("index");
    std::fs::create_dir(&source).unwrap();
    std::fs::write(source.join("meta.csv"), meta).unwrap();
    std::fs::write(source.join("data.csv"), data).unwrap();
    std::fs::write(source.join("index.toml"), toml).unwrap();
    let written = dir.path().join("reweighted");
    let run = |args: &[&str]| {
        let out = assert_cmd::Command::cargo_bin("ranksense")
            .unwrap()
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    let source_arg = source.to_str().unwrap();
    let (code, first, stderr) = run(&[
        "coherence",
        "--data",
        source_arg,
        "--bootstrap",
        "0",
        "--target-importance",
        "PA=2",
        "--format",
        "json",
        "--write-weights",
        written.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(0), "{stderr}");
    let first: serde_json::Value = serde_json::from_str(&first).unwrap();
    let optimised = &first["coherence"]["optimised_weights"];
    assert_eq!(optimised["status"], "converged");
    assert_eq!(optimised["converged"], true);
    let (code, second, _) = run(&[
        "coherence",
        "--data",
        written.to_str().unwrap(),
        "--bootstrap",
        "0",
        "--no-optimise",
        "--format",
        "json",
    ]);
    assert_eq!(code, Some(0));
    let second: serde_json::Value = serde_json::from_str(&second).unwrap();
    assert!(second["coherence"]["optimised_weights"].is_null());
    for row in optimised["nodes"].as_array().unwrap() {
        let node = row["node"].as_str().unwrap();
        let reread = second["coherence"]["importance"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["node"] == node)
            .unwrap();
        let (a, b) = (
            reread["weight_share"].as_f64(),
            row["optimised_weight"].as_f64(),
        );
        assert!((a.unwrap() - b.unwrap()).abs() < 1e-12, "{node}");
        assert_eq!(
            reread["importance_share"], row["achieved_importance"],
            "{node}"
        );
    }
    // A .csv path is one meta.csv.
    let meta_file = dir.path().join("meta-optimised.csv");
    let (code, ..) = run(&[
        "coherence",
        "--data",
        source_arg,
        "--bootstrap",
        "0",
        "--write-weights",
        meta_file.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(0));
    assert!(
        std::fs::read_to_string(&meta_file)
            .unwrap()
            .starts_with("Level,iCode")
    );
    // An unknown node in the target is an input error naming it.
    let (code, _, stderr) = run(&[
        "coherence",
        "--data",
        source_arg,
        "--target-importance",
        "PX=1",
    ]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("`PX`") && stderr.contains("PA"), "{stderr}");
}
