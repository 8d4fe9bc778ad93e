//! The generated files' text: meta.csv, data.csv (values written exactly from their stored integers) and index.toml with the provenance line that regenerates them.

use std::fmt::Write as _;

use super::{
    Framework, REGION_COLUMN, REGION_NAMES, SynthSpec, digits, level_names, plural,
};

/// Appends `mantissa / 10^decimals` in plain decimal notation, without trailing zeros
/// (`12.3`, `0.0123`, `-4`): exact for the stored integers, and allocation-free.
fn push_decimal(out: &mut String, mantissa: i64, decimals: u32) {
    let mut magnitude = mantissa.unsigned_abs();
    let mut decimals = decimals;
    while decimals > 0 && magnitude.is_multiple_of(10) {
        magnitude /= 10;
        decimals -= 1;
    }
    let mut buffer = [0u8; 24];
    let mut position = buffer.len();
    let mut written = 0;
    loop {
        if written == decimals && decimals > 0 {
            position -= 1;
            buffer[position] = b'.';
        }
        position -= 1;
        buffer[position] = b'0' + (magnitude % 10) as u8;
        magnitude /= 10;
        written += 1;
        if magnitude == 0 && written > decimals {
            break;
        }
    }
    if mantissa < 0 {
        out.push('-');
    }
    out.push_str(std::str::from_utf8(&buffer[position..]).expect("ASCII digits"));
}

pub(super) fn meta_csv(framework: &Framework) -> String {
    let mut out = String::from("Level,iCode,iName,Direction,Weight,Parent,Type\n");
    for (k, node) in framework.nodes.iter().enumerate() {
        let parent = node.parent.map_or("", |p| framework.nodes[p].code.as_str());
        match framework.models.get(k) {
            Some(model) => {
                let mut name = node.name.clone();
                match (model.log_normal, model.direction < 0) {
                    (true, true) => name.push_str(" (log-normal; lower is better)"),
                    (true, false) => name.push_str(" (log-normal)"),
                    (false, true) => name.push_str(" (lower is better)"),
                    (false, false) => {}
                }
                let _ = writeln!(
                    out,
                    "1,{},{name},{},{},{parent},Indicator",
                    node.code, model.direction, node.weight
                );
            }
            None => {
                let _ = writeln!(
                    out,
                    "{},{},{},1,{},{parent},Aggregate",
                    node.level, node.code, node.name, node.weight
                );
            }
        }
    }
    let _ = writeln!(out, ",{REGION_COLUMN},{REGION_COLUMN},,,,Group");
    out
}

/// Width of the number in unit codes: `U00001` up to 99,999 units, wider beyond.
fn unit_code_width(units: usize) -> usize {
    digits(units).max(5)
}

pub(super) fn data_csv(
    spec: &SynthSpec,
    framework: &Framework,
    cells: &[i64],
    missing: &[bool],
    regions: &[u8],
) -> String {
    let n = spec.indicators;
    let width = unit_code_width(spec.units);
    // Code, name and region take under 60 bytes; a value under 12 with its comma.
    let mut out = String::with_capacity(spec.units * (60 + 12 * n));
    out.push_str("uCode,uName,");
    out.push_str(REGION_COLUMN);
    for node in &framework.nodes[..n] {
        out.push(',');
        out.push_str(&node.code);
    }
    out.push('\n');
    for (u, row) in cells.chunks_exact(n).enumerate() {
        let number = u + 1;
        let _ = write!(
            out,
            "U{number:0width$},Area {number:0width$},{}",
            REGION_NAMES[regions[u] as usize]
        );
        for (j, (&value, model)) in row.iter().zip(&framework.models).enumerate() {
            out.push(',');
            if !missing[u * n + j] {
                push_decimal(&mut out, value, model.decimals);
            }
        }
        out.push('\n');
    }
    out
}

/// Quotes `text` as a TOML basic string.
fn toml_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The command that regenerates these files byte for byte (flags of `ranksense synth`).
fn command_line(spec: &SynthSpec, level_counts: &[usize]) -> String {
    let mut command = format!(
        "ranksense synth --units {} --indicators {} --levels {}",
        spec.units, spec.indicators, spec.levels
    );
    let intermediate = &level_counts[1..level_counts.len() - 1];
    if !intermediate.is_empty() {
        let groups: Vec<String> = intermediate.iter().map(usize::to_string).collect();
        let _ = write!(command, " --groups {}", groups.join(","));
    }
    let _ = write!(
        command,
        " --missing-share {} --seed {}",
        spec.missing_share, spec.seed
    );
    command
}

pub(super) fn index_toml(spec: &SynthSpec, framework: &Framework, missing: &[bool], focus: usize) -> String {
    let counts = &framework.level_counts;
    let levels = counts.len();
    let names = level_names(levels);
    let structure: Vec<String> = (1..levels)
        .map(|level| format!("{} {}", counts[level - 1], plural(&names[level - 1])))
        .collect();
    let skewed = framework.models.iter().filter(|m| m.log_normal).count();
    let reversed = framework.models.iter().filter(|m| m.direction < 0).count();
    let blank = missing.iter().filter(|&&m| m).count();
    let description = format!(
        "Synthetic composite indicator: {} units in {} regions, {} in one index. Latent-factor \
         model: every unit has a general level (with a regional effect) and one latent per \
         aggregate below the index; each indicator loads on those of its ancestors plus noise. \
         {skewed} indicators are log-normal (skewed), {reversed} have direction -1 (lower is \
         better); {blank} of {} cells ({:.2}%) are empty.",
        spec.units,
        framework.region_effects.len(),
        structure.join(" in "),
        missing.len(),
        100.0 * blank as f64 / missing.len() as f64,
    );
    let provenance = format!("synthetic data generated by {}", command_line(spec, counts));
    let level_names: Vec<String> = names.iter().map(|n| toml_string(n)).collect();
    let width = unit_code_width(spec.units);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Synthetic data: no real unit is described. The provenance line regenerates these files byte for byte."
    );
    let _ = writeln!(
        out,
        "name = {}",
        toml_string(&format!(
            "Synthetic index ({} units × {} indicators)",
            spec.units, spec.indicators
        ))
    );
    let _ = writeln!(out, "description = {}", toml_string(&description));
    let _ = writeln!(out, "provenance = {}", toml_string(&provenance));
    let _ = writeln!(out, "reconstruction = false");
    let _ = writeln!(out, "focus = \"U{:0width$}\"", focus + 1);
    let _ = writeln!(out, "level_names = [{}]", level_names.join(", "));
    let _ = writeln!(out);
    let _ = writeln!(out, "[method]");
    let _ = writeln!(out, "imputation = \"mean\"");
    let _ = writeln!(out, "normalisation = \"minmax(0,100)\"");
    let _ = writeln!(out, "aggregation = \"arithmetic\"");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_written_exactly_without_trailing_zeros() {
        let cases = [
            (123, 4, "0.0123"),
            (0, 3, "0"),
            (-5, 1, "-0.5"),
            (1_234_500, 4, "123.45"),
            (7, 0, "7"),
            (-120, 0, "-120"),
            (100, 2, "1"),
            (i64::MAX, 6, "9223372036854.775807"),
        ];
        for (mantissa, decimals, expected) in cases {
            let mut out = String::new();
            push_decimal(&mut out, mantissa, decimals);
            assert_eq!(out, expected, "{mantissa} / 10^{decimals}");
        }
    }

    #[test]
    fn toml_strings_escape_quotes_and_backslashes() {
        assert_eq!(toml_string(r#"a "b" \c"#), r#""a \"b\" \\c""#);
    }
}
