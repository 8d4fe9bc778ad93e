//! Which charts each report draws, in reading order, with their file names and captions: the
//! one place a chart is registered. Each chart's view model, builder and renderer live in its
//! own file under `report::charts`.

use super::charts::{
    acceptability_heatmap, chart_scope, heatmap_chart, histogram_chart, rank_histogram,
    rank_interval_chart, rank_intervals, simplex_chart, sobol_bars, sobol_chart, sweep_chart,
    sweep_trajectories, ternary_map,
};
use super::exact::{simplex_sentence, sweep_sentence};
use crate::analysis::robust::RobustRun;

/// One chart of the report: file name, caption and SVG.
pub struct Chart {
    pub file: String,
    pub caption: String,
    pub svg: String,
}

/// Every chart of the report, in reading order.
pub fn robust_charts(run: &RobustRun) -> Vec<Chart> {
    let stats = &run.uncertainty.stats;
    let distribution = run.uncertainty.rank_distribution();
    let focus = run.uncertainty.setup.focus;
    let name = &run.verdict.focus.name;
    // A large index's per-unit charts show a band of units: the title says which.
    let scope = chart_scope(stats, focus)
        .map(|scope| format!(": {scope}"))
        .unwrap_or_default();
    let mut charts = vec![
        Chart {
            file: "rank_intervals.svg".into(),
            caption: "Median rank (dot) and 90% interval (bar) of every unit over the Monte Carlo samples; the diamond marks the nominal rank.".into(),
            svg: rank_intervals(&rank_interval_chart(stats, focus, &format!("Rank intervals under the scenario{scope}"))),
        },
        Chart {
            file: "rank_acceptability.svg".into(),
            caption: "Rank acceptability: the probability that each unit takes each rank; outlined cells are the nominal ranks.".into(),
            svg: acceptability_heatmap(&heatmap_chart(stats, &distribution, focus, &format!("Rank acceptability{scope}"))),
        },
    ];
    if let Some(f) = focus {
        charts.push(Chart {
            file: "rank_histogram.svg".into(),
            caption: format!("{name}'s rank over the samples; the nominal rank is highlighted."),
            svg: rank_histogram(&histogram_chart(
                stats,
                &distribution,
                f,
                &format!("{name}: rank distribution"),
            )),
        });
    }
    for target in run.sensitivity.headline_targets() {
        if target.sobol.constant {
            continue;
        }
        let file = format!("sobol_{}.svg", target.target.replace(':', "_"));
        let title = match target.family {
            crate::analysis::sensitivity::TargetFamily::Rs => {
                "What moves the ranking as a whole (R_S)".to_string()
            }
            crate::analysis::sensitivity::TargetFamily::Rank => format!("What moves {name}'s rank"),
            crate::analysis::sensitivity::TargetFamily::Topk => {
                let k = run
                    .sensitivity
                    .top_k
                    .unwrap_or(run.verdict.focus.nominal_rank);
                format!("What decides whether {name} stays in the top {k}")
            }
            crate::analysis::sensitivity::TargetFamily::Score => {
                format!("What moves {name}'s score")
            }
        };
        charts.push(Chart {
            file,
            caption: format!("First-order (S) and total (ST) Sobol indices for {}, with 90% bootstrap intervals.", target.target),
            svg: sobol_bars(&sobol_chart(target, &title)),
        });
    }
    if let Some(simplex) = &run.simplex {
        charts.push(Chart {
            file: "simplex.svg".into(),
            caption: simplex_sentence(simplex),
            svg: ternary_map(&simplex_chart(simplex)),
        });
    }
    if let Some(sweep) = &run.sweep {
        charts.push(Chart {
            file: "sweep.svg".into(),
            caption: sweep_sentence(sweep),
            svg: sweep_trajectories(&sweep_chart(sweep)),
        });
    }
    charts
}
