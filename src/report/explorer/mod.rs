//! The weight explorer of report.html: sliders for the weights the scenario varies, scored in
//! the page (explorer.js) from the data of [`data::explorer_data`], with stability bands, exact
//! rank bounds, presets, sortable and searchable tables and a unit picker. Everything is inline:
//! the page stays one file that works from `file://` with no network.
//!
//! Size: the page embeds units × indicators normalised values (twice with geometric
//! aggregation) and units² rank probabilities, about 15 bytes each; above
//! [`data::MAX_EMBEDDED_NUMBERS`] the explorer is off with a note.

pub mod data;

use std::fmt::Write;

use super::table::escape_html;
pub use data::{ExplorerData, ExplorerOff, explorer_data};

/// The page script: scoring, ranking and the controls.
pub const SCRIPT: &str = include_str!("explorer.js");
/// The explorer's styles (screen, phone and print).
pub const STYLE: &str = include_str!("explorer.css");

/// What the explorer section says it does.
const INTRO: &str = "Move a weight and the ranking below is scored again in this page, from the index's normalised data and its nominal aggregation (the same numbers as `ranksense score` with these weights in meta.csv). Moving one weight rescales its siblings so that their shares still sum to one. The shaded band on a slider is the range in which the focus unit keeps its rank while every other weight stays nominal (from the stability analysis). Weights can also be set in the address: #w=CODE:0.5,CODE:0.25 (raw weights, renormalised within each parent).";

/// The explorer section's HTML: the data, the mount point the script fills, and a note for
/// readers without scripts. `Err` gives the note that replaces it.
pub fn explorer_html(data: &Result<ExplorerData, ExplorerOff>) -> String {
    let mut html = String::new();
    html.push_str("<section id=\"explorer\" class=\"explorer\" aria-labelledby=\"explorer-heading\">\n<h2 id=\"explorer-heading\">Weight explorer</h2>\n");
    match data {
        Err(off) => {
            let _ = writeln!(
                html,
                "<div class=\"note\" id=\"explorer-off\">{}</div>",
                escape_html(&off.to_string())
            );
        }
        Ok(data) => {
            let _ = writeln!(
                html,
                "<p class=\"ex-intro\">{}</p>\n<noscript><div class=\"note\">The weight explorer needs JavaScript; the tables and charts below do not.</div></noscript>\n<div id=\"ex-root\" class=\"ex-root\"></div>",
                escape_html(INTRO)
            );
            let _ = writeln!(
                html,
                "<script type=\"application/json\" id=\"ex-data\">{}</script>",
                script_safe_json(data)
            );
        }
    }
    html.push_str("</section>\n");
    html
}

/// JSON that can sit inside a `<script>` element: `<` is written as its escape `\u003c`, so no
/// `</script>` or `<!--` in a name can end the element (the text parses to the same value).
fn script_safe_json(data: &ExplorerData) -> String {
    serde_json::to_string(data)
        .expect("explorer data serialise")
        .replace('<', "\\u003c")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn off_is_a_note_and_names_never_end_the_script() {
        let html = explorer_html(&Err(ExplorerOff::NoWeights));
        assert!(html.contains("id=\"explorer-off\"") && !html.contains("ex-data"));
        let data = ExplorerData {
            index_name: "a</script><!--b".into(),
            level_names: vec![],
            units: vec![],
            nodes: vec![],
            n_indicators: 0,
            top: 0,
            aggregation: vec![],
            has_missing: false,
            values: vec![vec![1.0, f64::NAN]],
            logs: None,
            varied: vec![],
            focus: None,
            bands: vec![],
            exact_range: None,
            presets: vec![],
            histogram: None,
            samples: 0,
        };
        let html = explorer_html(&Ok(data));
        let json = &html[html.find("id=\"ex-data\">").unwrap()..];
        assert!(!json.contains("</script><") && json.contains("a\\u003c/script>\\u003c!--b"));
        // A missing value is JSON null, never NaN.
        assert!(json.contains("[1.0,null]"));
    }
}
