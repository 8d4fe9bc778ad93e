//! One cell of meta.csv or data.csv read as a number or a located problem, and the shared
//! wording of those problems (number fixes, capped name lists, a missing column).

use super::*;

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Cell {
    Missing,
    Number(f64),
    Infinite,
    /// `NaN`, `n/a`, `-` and the like: a missing value written in a way ranksense does not read
    /// as missing. Guessing would be silent data loss (a `NaN` cell once moved a city from 15th
    /// to 1st), so it is reported with the two spellings that do mean missing.
    MissingMarker,
    NotNumber,
}

/// Only an empty cell and `NA` (R's missing value, any case) mean missing; see [`Cell`].
pub(super) fn is_missing(text: &str) -> bool {
    text.is_empty() || text.eq_ignore_ascii_case("NA")
}

/// Spellings that other tools (pandas, Excel, SPSS, statistical offices) use for a missing
/// value, compared ignoring ASCII case.
pub(super) const MISSING_MARKERS: [&str; 21] = [
    "n/a", "#n/a", "n.a.", "n.a", "na.", "nan", "-nan", "+nan", "null", "none", "nil", "missing",
    "-", "--", "---", "\u{2013}", "\u{2014}", ".", "..", "...", "?",
];

pub(super) fn parse_cell(text: &str) -> Cell {
    if is_missing(text) {
        return Cell::Missing;
    }
    if MISSING_MARKERS.iter().any(|m| m.eq_ignore_ascii_case(text)) {
        return Cell::MissingMarker;
    }
    match text.parse::<f64>() {
        Ok(x) if x.is_finite() => Cell::Number(x),
        // Rust reads `NaN` in any case and sign; every such spelling is a marker.
        Ok(x) if x.is_nan() => Cell::MissingMarker,
        Ok(_) => Cell::Infinite,
        Err(_) => Cell::NotNumber,
    }
}

/// The fix for a cell that is neither a number nor one of the two ways of writing missing.
pub(super) const MISSING_FIX: &str = "leave the cell empty or write NA for a missing value";

/// Problem and fix for a cell that should hold a finite number; `what` names it
/// (e.g. "Weight of `LPI`").
pub(super) fn number_problem(what: &str, text: &str, cell: Cell) -> (String, String) {
    let shown = abbreviate(text, 40);
    let missing_hint = "or leave the cell empty (or NA) if the value is missing";
    if cell == Cell::MissingMarker {
        return (
            format!(
                "{what} is `{shown}`, which is not a number; only an empty cell or NA means \
                 missing"
            ),
            format!("{MISSING_FIX}; otherwise write the number"),
        );
    }
    if cell == Cell::Infinite {
        let why = if text.to_ascii_lowercase().contains("inf") {
            "is infinite"
        } else {
            "is too large for a number and overflows to infinity"
        };
        return (
            format!("{what} is `{shown}`, which {why}"),
            format!("write a finite number, {missing_hint}"),
        );
    }
    let fix = if text.eq_ignore_ascii_case("TRUE") || text.eq_ignore_ascii_case("FALSE") {
        format!("a logical value cannot be scored: write 1 or 0, {missing_hint}")
    } else if text.contains(',') && text.replace(',', ".").parse::<f64>().is_ok() {
        format!(
            "write the decimal separator as a dot (`{}`), {missing_hint}",
            text.replace(',', ".")
        )
    } else if let Some(stripped) = text.strip_suffix('%')
        && stripped.trim().parse::<f64>().is_ok()
    {
        format!("drop the % sign (`{}`), {missing_hint}", stripped.trim())
    } else {
        format!("write a number such as 12.5, {missing_hint}")
    };
    (format!("{what} is `{shown}`, which is not a number"), fix)
}

/// `` `a`, `b`, `c` `` with at most `max` names shown.
pub(super) fn list_names<'a>(names: impl IntoIterator<Item = &'a str>, max: usize) -> String {
    let names: Vec<&str> = names.into_iter().collect();
    let mut out = names
        .iter()
        .take(max)
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > max {
        out.push_str(&format!(", … ({} in all)", names.len()));
    }
    if out.is_empty() {
        out.push_str("(nothing)");
    }
    out
}

pub(super) fn missing_column(table: &CsvTable, name: &str, extra_fix: Option<&str>) -> Diagnostic {
    let found: Vec<&str> = table
        .header
        .iter()
        .map(String::as_str)
        .filter(|h| !h.is_empty())
        .collect();
    let mut fix = match suggest::nearest(name, found.iter().copied()) {
        Some(near) => format!("rename column `{near}` to `{name}`"),
        None => format!("add a column `{name}` to the header on line 1"),
    };
    if let Some(extra) = extra_fix {
        fix.push_str("; ");
        fix.push_str(extra);
    }
    Diagnostic::new(
        Location::file(&table.file).line(1).column(name),
        format!(
            "required column `{name}` is missing; the header has {}",
            list_names(found, 15)
        ),
        fix,
    )
}
