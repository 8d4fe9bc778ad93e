//! The coherence audit presented: plain-language findings, tables, the CSV files
//! (`coherence.csv`, `importance.csv`, `pca.csv`), the Markdown section and summary.json's
//! `coherence` section.

use serde::Serialize;

use super::format::num;
use super::output::Files;
use super::summary::Summary;
use super::table::Table;
use crate::analysis::coherence::{Coherence, Flag, Method, NoComponents, Relation};
use crate::model::{Framework, Index};

/// Cronbach's α below this reads as weak internal consistency (Nunnally 1978, *Psychometric
/// Theory*, 2nd ed.: 0.7 for instruments in early use; the OECD/JRC Handbook 2008 §5.1 quotes it).
pub const ALPHA_ACCEPTABLE: f64 = 0.7;

pub use crate::analysis::coherence::SHARE_GAP;
/// A weight share and an importance share further apart than this are a finding below the
/// index's own components (a wider gap, so the findings stay a short list).
pub const SHARE_GAP_LOWER: f64 = 0.30;

fn code(framework: &Framework, node: usize) -> &str {
    &framework.nodes[node].code
}

fn name(framework: &Framework, node: usize) -> &str {
    &framework.nodes[node].name
}

fn flags_text(flags: &[Flag]) -> String {
    flags.iter().map(|f| f.name()).collect::<Vec<_>>().join(";")
}

fn opt(x: Option<f64>) -> String {
    x.map_or_else(|| "NA".to_string(), num)
}

fn pct(x: f64) -> String {
    format!("{:.0}%", 100.0 * x)
}

/// The plain-language findings, most important first: negative and weak correlations with the
/// parent, indicators closer to another group, collinear pairs, weak consistency or several
/// latent dimensions, and weights whose importance falls far from them.
pub fn findings(coherence: &Coherence, framework: &Framework) -> Vec<String> {
    let mut out = Vec::new();
    let pearson = || {
        coherence
            .correlations
            .iter()
            .filter(|c| c.method == Method::Pearson)
    };
    for c in pearson().filter(|c| c.flags.contains(&Flag::Negative)) {
        out.push(format!(
            "{} correlates negatively with {} (r = {:.2}).",
            code(framework, c.x),
            name(framework, c.y),
            c.estimate.r.unwrap_or(f64::NAN)
        ));
    }
    for c in pearson().filter(|c| c.flags.contains(&Flag::Weak)) {
        out.push(format!(
            "{} correlates only weakly with {} (r = {:.2}, below {}).",
            code(framework, c.x),
            name(framework, c.y),
            c.estimate.r.unwrap_or(f64::NAN),
            coherence.settings.thresholds.weak
        ));
    }
    for c in pearson().filter(|c| c.flags.contains(&Flag::CloserElsewhere)) {
        let own = pearson()
            .find(|o| o.relation == Relation::Parent && o.x == c.x)
            .and_then(|o| o.estimate.r);
        out.push(format!(
            "{} correlates more with {} (r = {:.3}) than with its own {} (r = {:.3}).",
            code(framework, c.x),
            name(framework, c.y),
            c.estimate.r.unwrap_or(f64::NAN),
            framework.nodes[c.x]
                .parent
                .map_or("", |p| name(framework, p)),
            own.unwrap_or(f64::NAN)
        ));
    }
    for c in pearson().filter(|c| c.flags.contains(&Flag::Collinear)) {
        out.push(format!(
            "{} and {} are collinear (r = {:.2} > {}): possible double counting.",
            code(framework, c.x),
            code(framework, c.y),
            c.estimate.r.unwrap_or(f64::NAN),
            coherence.settings.thresholds.collinear
        ));
    }
    for k in &coherence.consistency {
        if let Some(alpha) = k.alpha
            && alpha < ALPHA_ACCEPTABLE
        {
            out.push(format!(
                "{}: Cronbach's α = {alpha:.2}, below {ALPHA_ACCEPTABLE}: its components are not consistent.",
                name(framework, k.aggregate)
            ));
        }
        if let Ok(pca) = &k.components
            && pca.kaiser_count() > 1
        {
            out.push(format!(
                "{}: {} principal components have an eigenvalue above 1 (the first explains {}): more than one latent dimension.",
                name(framework, k.aggregate),
                pca.kaiser_count(),
                pct(pca.shares[0])
            ));
        }
    }
    for i in &coherence.importance {
        let (Some(ratio), Some(share)) = (&i.ratio, i.share) else {
            continue;
        };
        let gap = if framework.nodes[i.node].parent == Some(framework.top) {
            SHARE_GAP
        } else {
            SHARE_GAP_LOWER
        };
        if (share - i.weight_share).abs() > gap {
            out.push(format!(
                "{} carries {} of its parent's weight but {} of the importance (η² = {:.2}: alone it explains {} of the index's variance).",
                name(framework, i.node),
                pct(i.weight_share),
                pct(share),
                ratio.eta2,
                pct(ratio.eta2.max(0.0))
            ));
        }
    }
    out
}

/// `coherence.csv`, long form: `measure, x, y, value, interval, flag`. Measures: `availability`
/// (x an indicator), `skew_before`, `kurtosis_before`, `skew_after`, `kurtosis_after` (flag
/// `outlier`), `same_share` (flag `constant` or `near_constant`), `<method>_<relation>`
/// correlations (pearson or spearman; parent, ancestor, index, other_group, siblings), `p_value`
/// is not a row but decides `not_significant`; `cronbach_alpha` and `pca_first_share` per
/// aggregate; `eta2` and `r2` of the index (y) on each node, `eta2` with its bootstrap interval.
pub fn coherence_csv(coherence: &Coherence, framework: &Framework) -> String {
    let mut table = Table::new(&["measure", "x", "y", "value", "interval", "flag"], &[]);
    let mut row =
        |measure: &str, x: &str, y: &str, value: String, interval: String, flag: String| {
            table.push(vec![
                measure.into(),
                x.into(),
                y.into(),
                value,
                interval,
                flag,
            ]);
        };
    for q in &coherence.quality.indicators {
        let x = code(framework, q.indicator);
        row(
            "availability",
            x,
            "",
            num(q.availability),
            String::new(),
            String::new(),
        );
        let outlier = |o: Option<bool>| if o == Some(true) { "outlier" } else { "" }.to_string();
        row(
            "skew_before",
            x,
            "",
            num(q.skew_before),
            String::new(),
            outlier(q.outlier_before()),
        );
        row(
            "kurtosis_before",
            x,
            "",
            num(q.kurtosis_before),
            String::new(),
            outlier(q.outlier_before()),
        );
        row(
            "skew_after",
            x,
            "",
            num(q.skew_after),
            String::new(),
            outlier(q.outlier_after()),
        );
        row(
            "kurtosis_after",
            x,
            "",
            num(q.kurtosis_after),
            String::new(),
            outlier(q.outlier_after()),
        );
        let same = if q.constant() {
            "constant"
        } else if q.near_constant() {
            "near_constant"
        } else {
            ""
        };
        row(
            "same_share",
            x,
            "",
            num(q.same_share),
            String::new(),
            same.into(),
        );
    }
    for c in &coherence.correlations {
        row(
            &format!("{}_{}", c.method.name(), c.relation.name()),
            code(framework, c.x),
            code(framework, c.y),
            opt(c.estimate.r),
            String::new(),
            flags_text(&c.flags),
        );
    }
    for k in &coherence.consistency {
        let x = code(framework, k.aggregate);
        let weak = if k.alpha.is_some_and(|a| a < ALPHA_ACCEPTABLE) {
            "weak"
        } else {
            ""
        };
        row(
            "cronbach_alpha",
            x,
            "",
            opt(k.alpha),
            String::new(),
            weak.into(),
        );
        if let Ok(pca) = &k.components {
            let several = if pca.kaiser_count() > 1 {
                "several_dimensions"
            } else {
                ""
            };
            row(
                "pca_first_share",
                x,
                "",
                num(pca.shares[0]),
                String::new(),
                several.into(),
            );
        }
    }
    let top = code(framework, framework.top).to_string();
    for i in &coherence.importance {
        let x = code(framework, i.node);
        let (eta, interval, r2) = match &i.ratio {
            Some(r) => (
                num(r.eta2),
                r.interval.map_or(String::new(), |(lo, hi)| {
                    format!("[{}, {}]", num(lo), num(hi))
                }),
                num(r.r2),
            ),
            None => ("NA".into(), String::new(), "NA".into()),
        };
        row("eta2", x, &top, eta, interval, String::new());
        row("r2", x, &top, r2, String::new(), String::new());
    }
    table.to_csv()
}

/// `importance.csv`: one row per node: `code, level, parent, weight_share, importance_share,
/// eta2, eta2_low, eta2_high, r2, eta2_uncorrected, knots, n`.
///
/// `digits`: decimals shown (`None`: every digit, for the CSV).
pub fn importance_table(
    coherence: &Coherence,
    framework: &Framework,
    digits: Option<usize>,
) -> Table {
    let opt = |x: Option<f64>| match (x, digits) {
        (Some(v), Some(d)) => format!("{v:.d$}"),
        (x, _) => opt(x),
    };
    let mut table = Table::new(
        &[
            "code",
            "level",
            "parent",
            "weight_share",
            "importance_share",
            "eta2",
            "eta2_low",
            "eta2_high",
            "r2",
            "eta2_uncorrected",
            "knots",
            "n",
        ],
        &["code", "parent"],
    );
    for i in &coherence.importance {
        let node = &framework.nodes[i.node];
        let parent = node.parent.map_or("", |p| code(framework, p)).to_string();
        let r = i.ratio.as_ref();
        let (lo, hi) = r.and_then(|r| r.interval).unzip();
        table.push(vec![
            node.code.clone(),
            node.level.to_string(),
            parent,
            opt(Some(i.weight_share)),
            opt(i.share),
            opt(r.map(|r| r.eta2)),
            opt(lo),
            opt(hi),
            opt(r.map(|r| r.r2)),
            opt(r.map(|r| r.eta2_raw)),
            r.map_or("NA".into(), |r| r.knots.to_string()),
            r.map_or("NA".into(), |r| r.n.to_string()),
        ]);
    }
    table
}

/// `pca.csv`: per aggregate, one row per component (`component, eigenvalue, share`) and one
/// per child with its first-component loading (`variable, loading`), or the reason none.
pub fn pca_csv(coherence: &Coherence, framework: &Framework) -> String {
    let mut table = Table::new(
        &[
            "aggregate",
            "n",
            "component",
            "eigenvalue",
            "share",
            "variable",
            "loading",
            "note",
        ],
        &[],
    );
    for k in &coherence.consistency {
        let agg = code(framework, k.aggregate).to_string();
        match &k.components {
            Ok(pca) => {
                for (c, (l, s)) in pca.eigenvalues.iter().zip(&pca.shares).enumerate() {
                    table.push(vec![
                        agg.clone(),
                        pca.n.to_string(),
                        (c + 1).to_string(),
                        num(*l),
                        num(*s),
                        String::new(),
                        String::new(),
                        String::new(),
                    ]);
                }
                for (&child, l) in framework.nodes[k.aggregate]
                    .children
                    .iter()
                    .zip(&pca.loadings)
                {
                    table.push(vec![
                        agg.clone(),
                        pca.n.to_string(),
                        "1".into(),
                        String::new(),
                        String::new(),
                        code(framework, child).into(),
                        num(*l),
                        String::new(),
                    ]);
                }
            }
            Err(reason) => {
                let note = match reason {
                    NoComponents::TooFewColumns => "fewer than two children".to_string(),
                    NoComponents::TooFewUnits { complete } => {
                        format!("only {complete} units have every child present")
                    }
                    NoComponents::Constant { column } => format!(
                        "{} is constant on the complete units",
                        code(framework, framework.nodes[k.aggregate].children[*column])
                    ),
                };
                table.push(vec![
                    agg,
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    note,
                ]);
            }
        }
    }
    table.to_csv()
}

/// Each node's correlation with its parent, both methods, with the flags.
pub fn parent_table(coherence: &Coherence, framework: &Framework) -> Table {
    let mut table = Table::new(
        &["node", "parent", "pearson", "spearman", "n", "flags"],
        &["node", "parent", "flags"],
    );
    let parent_of = |method: Method, x: usize| {
        coherence
            .correlations
            .iter()
            .find(|c| c.method == method && c.relation == Relation::Parent && c.x == x)
    };
    for x in 0..framework.n_nodes() {
        let (Some(p), Some(s)) = (
            parent_of(Method::Pearson, x),
            parent_of(Method::Spearman, x),
        ) else {
            continue;
        };
        let mut flags: Vec<Flag> = p.flags.clone();
        flags.extend(s.flags.iter().filter(|f| !p.flags.contains(f)));
        // The "closer elsewhere" flag sits on the other-group entry: bring it to the node.
        if coherence.correlations.iter().any(|c| {
            c.method == Method::Pearson && c.x == x && c.flags.contains(&Flag::CloserElsewhere)
        }) {
            flags.push(Flag::CloserElsewhere);
        }
        table.push(vec![
            code(framework, x).into(),
            code(framework, p.y).into(),
            opt(p.estimate.r.map(|r| (r * 1000.0).round() / 1000.0)),
            opt(s.estimate.r.map(|r| (r * 1000.0).round() / 1000.0)),
            p.estimate.n.to_string(),
            flags_text(&flags),
        ]);
    }
    table
}

/// Cronbach's α and the PCA reading per aggregate.
pub fn consistency_table(coherence: &Coherence, framework: &Framework) -> Table {
    let mut table = Table::new(
        &[
            "aggregate",
            "children",
            "alpha",
            "PC1 share",
            "eigenvalues > 1",
            "reading",
        ],
        &["aggregate", "reading"],
    );
    for k in &coherence.consistency {
        let children = framework.nodes[k.aggregate].children.len();
        let (share, count, reading) = match &k.components {
            Ok(pca) => (
                pct(pca.shares[0]),
                pca.kaiser_count().to_string(),
                if pca.kaiser_count() <= 1 {
                    "one latent dimension"
                } else {
                    "several latent dimensions"
                },
            ),
            Err(_) => ("NA".into(), "NA".into(), "no PCA (see pca.csv)"),
        };
        table.push(vec![
            code(framework, k.aggregate).into(),
            children.to_string(),
            k.alpha.map_or("NA".into(), |a| format!("{a:.3}")),
            share,
            count,
            reading.into(),
        ]);
    }
    table
}

/// The Markdown section (for report.md and the `robust` report).
pub fn coherence_markdown(coherence: &Coherence, framework: &Framework) -> String {
    let mut md = String::from("## Statistical coherence\n\n");
    let findings = findings(coherence, framework);
    if findings.is_empty() {
        md.push_str("No coherence finding: every indicator correlates positively with its parent, no pair is collinear, every aggregate is consistent and weights match importance.\n\n");
    }
    for f in &findings {
        md.push_str(&format!("- {f}\n"));
    }
    let t = &coherence.settings.thresholds;
    md.push_str(&format!(
        "\nCorrelations on the normalised indicators and the aggregated scores, each pair on the units where both are present (pairwise-complete). Flags: negative or weak (< {}) with the parent, collinear siblings (> {}, COINr `get_corr_flags`), closer to another group than to its own, not significant at {} (two-sided t-test).\n\n",
        t.weak, t.collinear, t.significance
    ));
    md.push_str("### Correlation with the parent\n\n");
    md.push_str(&parent_table(coherence, framework).to_markdown());
    md.push_str("\n### Internal consistency\n\nCronbach's α (pairwise-complete covariances, as COINr `get_cronbach`) and PCA of the standardised children on complete units (COINr `get_PCA`); one eigenvalue above 1 (Kaiser) reads as one latent dimension.\n\n");
    md.push_str(&consistency_table(coherence, framework).to_markdown());
    md.push_str(&format!(
        "\n### Importance against weight\n\nη² (first-order effect of each node on the index; Paruolo, Saisana & Saltelli 2013): cubic regression spline, knots by GCV, bias-corrected (adjusted R²), {}% bootstrap interval from {} resamples. Shares are within each parent.\n\n",
        (coherence.settings.level * 100.0).round(),
        coherence.settings.resamples
    ));
    md.push_str(&importance_table(coherence, framework, Some(3)).to_markdown());
    md
}

/// The Markdown section with its charts linked (the files [`coherence_files`] writes).
pub fn coherence_markdown_with_charts(coherence: &Coherence, framework: &Framework) -> String {
    let mut md = coherence_markdown(coherence, framework);
    md.push_str(&format!(
        "\n![Correlations of the indicators with every aggregate]({})\n",
        super::coherence_charts::HEAT_MAP_FILE
    ));
    for level in 1..framework.n_levels {
        md.push_str(&format!(
            "\n![Weight against importance, {}]({})\n",
            framework.level_name(level),
            super::coherence_charts::importance_file(level)
        ));
    }
    md
}

/// summary.json's `coherence` section.
#[derive(Debug, Clone, Serialize)]
pub struct CoherenceSummary {
    pub findings: Vec<String>,
    pub thresholds: crate::analysis::coherence::Thresholds,
    pub missing_values: &'static str,
    pub parent_correlations: Vec<ParentRow>,
    pub consistency: Vec<ConsistencyRow>,
    pub importance: Vec<ImportanceRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ParentRow {
    pub node: String,
    pub parent: String,
    pub pearson: Option<f64>,
    pub spearman: Option<f64>,
    pub flags: Vec<Flag>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ConsistencyRow {
    pub aggregate: String,
    pub alpha: Option<f64>,
    pub eigenvalues: Vec<f64>,
    pub shares: Vec<f64>,
    pub first_loadings: Vec<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ImportanceRow {
    pub node: String,
    pub weight_share: f64,
    pub importance_share: Option<f64>,
    pub eta2: Option<f64>,
    pub eta2_interval: Option<(f64, f64)>,
    pub r2: Option<f64>,
}

impl CoherenceSummary {
    pub fn of(coherence: &Coherence, framework: &Framework) -> Self {
        let finite = |x: Option<f64>| x.filter(|v| v.is_finite());
        let parent_correlations = (0..framework.n_nodes())
            .filter_map(|x| {
                let find = |m: Method| {
                    coherence
                        .correlations
                        .iter()
                        .find(|c| c.method == m && c.relation == Relation::Parent && c.x == x)
                };
                let (p, s) = (find(Method::Pearson)?, find(Method::Spearman)?);
                Some(ParentRow {
                    node: code(framework, x).into(),
                    parent: code(framework, p.y).into(),
                    pearson: finite(p.estimate.r),
                    spearman: finite(s.estimate.r),
                    flags: p.flags.clone(),
                })
            })
            .collect();
        let consistency = coherence
            .consistency
            .iter()
            .map(|k| {
                let pca = k.components.as_ref().ok();
                ConsistencyRow {
                    aggregate: code(framework, k.aggregate).into(),
                    alpha: finite(k.alpha),
                    eigenvalues: pca.map_or(Vec::new(), |p| p.eigenvalues.clone()),
                    shares: pca.map_or(Vec::new(), |p| p.shares.clone()),
                    first_loadings: pca.map_or(Vec::new(), |p| p.loadings.clone()),
                }
            })
            .collect();
        let importance = coherence
            .importance
            .iter()
            .map(|i| ImportanceRow {
                node: code(framework, i.node).into(),
                weight_share: i.weight_share,
                importance_share: finite(i.share),
                eta2: finite(i.ratio.as_ref().map(|r| r.eta2)),
                eta2_interval: i
                    .ratio
                    .as_ref()
                    .and_then(|r| r.interval)
                    .filter(|(a, b)| a.is_finite() && b.is_finite()),
                r2: finite(i.ratio.as_ref().map(|r| r.r2)),
            })
            .collect();
        CoherenceSummary {
            findings: findings(coherence, framework),
            thresholds: coherence.settings.thresholds,
            missing_values: "pairwise-complete for correlations, covariances and η²; complete units of the group for PCA",
            parent_correlations,
            consistency,
            importance,
        }
    }
}

/// summary.json with the `coherence` section added to the common summary.
pub fn summary_json(summary: &Summary, section: &CoherenceSummary) -> String {
    let mut value = serde_json::to_value(summary).expect("summary is serialisable");
    value["coherence"] = serde_json::to_value(section).expect("section is serialisable");
    serde_json::to_string_pretty(&value).expect("JSON value") + "\n"
}

/// The files of a `coherence` report folder.
pub fn coherence_files(index: &Index, coherence: &Coherence, framework: &Framework) -> Files {
    let mut files = Files::default();
    files.add("coherence.csv", coherence_csv(coherence, framework));
    files.add(
        "importance.csv",
        importance_table(coherence, framework, None).to_csv(),
    );
    files.add("pca.csv", pca_csv(coherence, framework));
    files.add(
        super::coherence_charts::HEAT_MAP_FILE,
        super::coherence_charts::heat_map_svg(&coherence.heat_map, framework),
    );
    for level in 1..framework.n_levels {
        files.add(
            super::coherence_charts::importance_file(level),
            super::coherence_charts::importance_svg(coherence, framework, level),
        );
    }
    let mut md = format!("# {}: statistical coherence\n\n", index.info.name);
    if index.info.reconstruction {
        md.push_str("> These data are a reconstruction, not the publisher's data.\n\n");
    }
    md.push_str(&coherence_markdown_with_charts(coherence, framework));
    files.add("report.md", md);
    let summary = Summary::new("coherence", index);
    files.add(
        "summary.json",
        summary_json(&summary, &CoherenceSummary::of(coherence, framework)),
    );
    files
}
