//! The coherence audit presented: tables, the CSV files (`coherence.csv`, `importance.csv`,
//! `pca.csv`), the charts, the Markdown and HTML sections and the `coherence` report folder.
//! The findings and summary.json's section live in `report::coherence_findings`.

use super::coherence_charts::{HEAT_MAP_FILE, heat_map_svg, importance_file, importance_svg};
pub use super::coherence_findings::{ALPHA_ACCEPTABLE, CoherenceSummary, findings};
#[cfg(any(test, feature = "internals"))]
pub use super::coherence_findings::{
    ConsistencyRow, ImportanceRow, ParentRow, SHARE_GAP, SHARE_GAP_LOWER,
};
use super::coherence_findings::{code, pct};
use super::format::{fmt_decimals, num};
use super::html::HtmlReport;
use super::output::Files;
use super::summary::Summary;
use super::table::Table;
use crate::analysis::coherence::{Coherence, Flag, Method, NoComponents, Relation};
use crate::model::{Framework, Index};

fn flags_text(flags: &[Flag]) -> String {
    flags.iter().map(|f| f.name()).collect::<Vec<_>>().join(";")
}

fn opt(x: Option<f64>) -> String {
    x.map_or_else(|| "NA".to_string(), num)
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
    let opt = |x: Option<f64>| match digits {
        Some(d) => fmt_decimals(x, d),
        None => opt(x),
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

/// Said when the audit finds nothing to report.
const NO_FINDING: &str = "No coherence finding: every indicator correlates positively with its parent, no pair is collinear, every aggregate is consistent and weights match importance.";

/// What the correlations are computed on, and the flags with their thresholds.
fn correlation_intro(coherence: &Coherence) -> String {
    let t = &coherence.settings.thresholds;
    format!(
        "Correlations on the normalised indicators and the aggregated scores, each pair on the units where both are present (pairwise-complete). Flags: negative or weak (< {}) with the parent, collinear siblings (> {}, COINr `get_corr_flags`), closer to another group than to its own, not significant at {} (two-sided t-test).",
        t.weak, t.collinear, t.significance
    )
}

const CONSISTENCY_INTRO: &str = "Cronbach's α (pairwise-complete covariances, as COINr `get_cronbach`) and PCA of the standardised children on complete units (COINr `get_PCA`); one eigenvalue above 1 (Kaiser) reads as one latent dimension.";

/// The η² estimator, its interval and what the shares are relative to.
fn importance_intro(coherence: &Coherence) -> String {
    format!(
        "η² (first-order effect of each node on the index; Paruolo, Saisana & Saltelli 2013): cubic regression spline, knots by GCV, bias-corrected (adjusted R²), {}% bootstrap interval from {} resamples. Shares are within each parent.",
        (coherence.settings.level * 100.0).round(),
        coherence.settings.resamples
    )
}

const HEAT_MAP_CAPTION: &str = "Correlations of the indicators with every aggregate";

fn importance_caption(framework: &Framework, level: usize) -> String {
    format!("Weight against importance, {}", framework.level_name(level))
}

/// The Markdown section (for report.md and the `robust` report).
pub fn coherence_markdown(coherence: &Coherence, framework: &Framework) -> String {
    let mut md = String::from("## Statistical coherence\n\n");
    let findings = findings(coherence, framework);
    if findings.is_empty() {
        md.push_str(&format!("{NO_FINDING}\n\n"));
    }
    for f in &findings {
        md.push_str(&format!("- {f}\n"));
    }
    md.push_str(&format!("\n{}\n\n", correlation_intro(coherence)));
    md.push_str("### Correlation with the parent\n\n");
    md.push_str(&parent_table(coherence, framework).to_markdown());
    md.push_str(&format!(
        "\n### Internal consistency\n\n{CONSISTENCY_INTRO}\n\n"
    ));
    md.push_str(&consistency_table(coherence, framework).to_markdown());
    md.push_str(&format!(
        "\n### Importance against weight\n\n{}\n\n",
        importance_intro(coherence)
    ));
    md.push_str(&importance_table(coherence, framework, Some(3)).to_markdown());
    md
}

/// The Markdown section with its charts linked (the files [`coherence_tables`] writes).
pub fn coherence_markdown_with_charts(coherence: &Coherence, framework: &Framework) -> String {
    let mut md = coherence_markdown(coherence, framework);
    md.push_str(&format!("\n![{HEAT_MAP_CAPTION}]({HEAT_MAP_FILE})\n"));
    for level in 1..framework.n_levels {
        md.push_str(&format!(
            "\n![{}]({})\n",
            importance_caption(framework, level),
            importance_file(level)
        ));
    }
    md
}

/// summary.json with the `coherence` section added to the common summary.
pub fn summary_json(summary: &Summary, section: &CoherenceSummary) -> String {
    let mut summary = summary.clone();
    summary.coherence = Some(section.clone());
    summary.to_json()
}

/// The audit's own tables and charts: `coherence.csv`, `importance.csv`, `pca.csv`, the heat
/// map and one weight-against-importance chart per level (the `coherence` command's folder
/// and the `robust` report's share this list).
pub fn coherence_tables(coherence: &Coherence, framework: &Framework) -> Files {
    let mut files = Files::default();
    files.add("coherence.csv", coherence_csv(coherence, framework));
    files.add(
        "importance.csv",
        importance_table(coherence, framework, None).to_csv(),
    );
    files.add("pca.csv", pca_csv(coherence, framework));
    files.add(HEAT_MAP_FILE, heat_map_svg(&coherence.heat_map, framework));
    for level in 1..framework.n_levels {
        files.add(
            importance_file(level),
            importance_svg(coherence, framework, level),
        );
    }
    files
}

/// The HTML section (for report.html and the `robust` report): the findings, the tables and
/// the charts inline.
pub fn coherence_html(page: &mut HtmlReport, coherence: &Coherence, framework: &Framework) {
    page.heading("Statistical coherence");
    let findings = findings(coherence, framework);
    if findings.is_empty() {
        page.paragraph(NO_FINDING);
    }
    page.list(&findings);
    page.paragraph(&correlation_intro(coherence).replace('`', ""));
    page.paragraph("Correlation with the parent:");
    page.table(&parent_table(coherence, framework));
    page.paragraph(&format!("Internal consistency: {CONSISTENCY_INTRO}").replace('`', ""));
    page.table(&consistency_table(coherence, framework));
    page.paragraph(&format!(
        "Importance against weight: {}",
        importance_intro(coherence)
    ));
    page.table(&importance_table(coherence, framework, Some(3)));
    page.figure(
        &heat_map_svg(&coherence.heat_map, framework),
        HEAT_MAP_CAPTION,
    );
    for level in 1..framework.n_levels {
        page.figure(
            &importance_svg(coherence, framework, level),
            &importance_caption(framework, level),
        );
    }
}

/// The files of a `coherence` report folder.
pub fn coherence_files(index: &Index, coherence: &Coherence, framework: &Framework) -> Files {
    let mut files = Files::default();
    let mut md = format!("# {}: statistical coherence\n\n", index.info.name);
    if index.info.reconstruction {
        md.push_str(&format!("> {RECONSTRUCTION_NOTE}\n\n"));
    }
    md.push_str(&coherence_markdown_with_charts(coherence, framework));
    files.add("report.md", md);
    let mut page = HtmlReport::new(
        &format!("{}: statistical coherence", index.info.name),
        &format!("ranksense {} coherence report", env!("CARGO_PKG_VERSION")),
    );
    if index.info.reconstruction {
        page.note(RECONSTRUCTION_NOTE);
    }
    coherence_html(&mut page, coherence, framework);
    files.add("report.html", page.finish());
    let summary = Summary::new("coherence", index);
    files.add(
        "summary.json",
        summary_json(&summary, &CoherenceSummary::of(coherence, framework)),
    );
    files.extend(coherence_tables(coherence, framework));
    files
}

const RECONSTRUCTION_NOTE: &str = "These data are a reconstruction, not the publisher's data.";
