//! Mutators for the fuzzer: structure-aware edits of CSV, TOML and JSON state files, and
//! byte-level damage. Each returns the new bytes and a one-line description that quotes the
//! old and new content, so a failure report shows exactly what was changed.

use rand::RngExt;
use rand::rngs::ChaCha8Rng;

/// What the mutators know about the unmutated index, so that edits hit meaningful places
/// (an indicator column, an aggregate code, a unit code) instead of only random bytes.
#[derive(Debug, Clone, Default)]
pub struct Knowledge {
    /// Unit codes (data.csv `uCode`).
    pub units: Vec<String>,
    /// Indicator codes (meta.csv rows of Type Indicator).
    pub indicators: Vec<String>,
    /// Aggregate codes (meta.csv rows of Type Aggregate), the index last.
    pub aggregates: Vec<String>,
    /// Group columns of data.csv.
    pub groups: Vec<String>,
    /// Denominator columns of data.csv.
    pub denominators: Vec<String>,
}

impl Knowledge {
    /// Every code of the index (units, indicators, aggregates, groups, denominators).
    pub fn codes(&self) -> std::collections::BTreeSet<String> {
        self.units
            .iter()
            .chain(&self.indicators)
            .chain(&self.aggregates)
            .chain(&self.groups)
            .chain(&self.denominators)
            .cloned()
            .collect()
    }

    /// Columns of data.csv that hold numbers the pipeline reads.
    pub fn numeric_data_column(&self, name: &str) -> bool {
        self.indicators.iter().any(|c| c == name) || self.denominators.iter().any(|c| c == name)
    }
}

/// Tokens that must never load as a number: a finite value cannot come out of them, and only an
/// empty cell or `NA` means missing. If one of these sits in a numeric cell, the run must fail.
pub const NOT_A_FINITE_NUMBER: &[&str] = &[
    "NaN",
    "nan",
    "-nan",
    "inf",
    "-inf",
    "Infinity",
    "-Infinity",
    "1e400",
    "-1e400",
    "text",
];

/// Replacement values for numeric cells.
const NUMERIC_NASTY: &[&str] = &[
    "",
    "NA",
    "NaN",
    "nan",
    "-nan",
    "inf",
    "-inf",
    "Infinity",
    "-Infinity",
    "1e308",
    "-1e308",
    "1.7976931348623157e308",
    "5e-324",
    "1e-300",
    "0",
    "-0",
    "1e400",
    "-1e400",
    "1e-400",
    "text",
    "123456789012345678901234567890123456789012345678901234567890",
    "\"",
    "\u{feff}1",
    "1\t2",
    " 3 ",
    "0x10",
    "1_000",
    "+5",
    ".5",
    "5.",
    "１",
    "NA ",
    "n/a",
    "-",
];

/// Replacement values for text cells (codes, names, units). No spelling of NaN or infinity:
/// text is echoed into outputs, and the finiteness check must not mistake an echoed name for
/// a non-finite number.
const TEXT_NASTY: &[&str] = &[
    "",
    "NA",
    "\"",
    "\u{feff}X",
    "a\tb",
    "日本語",
    " ",
    "<b>x</b>",
    "=1+1",
    "x y",
    "\\",
];

const NORMALISATIONS: &[&str] = &[
    "minmax(0,100)",
    "minmax(1,100)",
    "minmax(5,5)",
    "minmax(100,0)",
    "minmax(-1e308,1e308)",
    "minmax(0,1e308)",
    "minmax(1e308,1e308)",
    "minmax(0,nan)",
    "minmax(0,inf)",
    "minmax",
    "minmax(1)",
    "minmax(1,2,3)",
    "minmax(a,b)",
    "minmax(0,100",
    "MINMAX(0,100)",
    " rank ",
    "zscore(10,2)",
    "zscore(0,0)",
    "zscore(10,-1)",
    "zscore(1e308,1e308)",
    "zscore(nan,1)",
    "zscore(inf,1)",
    "zscore(1e-300,1e-300)",
    "rank",
    "borda",
    "percentile",
    "dist2max",
    "fracmax",
    "dist2targ",
    "dist2ref({UNIT})",
    "dist2ref(NO_SUCH_UNIT)",
    "dist2ref()",
    "goalposts(100)",
    "goalposts(0)",
    "goalposts(-1)",
    "goalposts(1e308)",
    "scaled(0,1)",
    "scaled(0,0)",
    "scaled(1,1e308)",
    "",
    "unknown",
];

const AGGREGATIONS: &[&str] = &[
    "arithmetic",
    "geometric",
    "harmonic",
    "copeland",
    "generalised(2)",
    "generalised(1e6)",
    "generalised(-1e6)",
    "generalised(0)",
    "generalised(1)",
    "generalised(1e308)",
    "generalised(nan)",
    "generalised(inf)",
    "generalised(5e-324)",
    "generalised()",
    "generalised",
    "Geometric",
    "mean",
    "",
];

const IMPUTATIONS: &[&str] = &[
    "none",
    "mean",
    "median",
    "group_mean({GROUP})",
    "group_median({GROUP})",
    "group_mean(NoSuchColumn)",
    "group_mean(uName)",
    "group_mean(uCode)",
    "group_mean({INDICATOR})",
    "group_mean()",
    "mean(1)",
    "",
];

/// Sections a scenario may gain. Placeholders are filled from [`Knowledge`].
const SCENARIO_SNIPPETS: &[&str] = &[
    "[imputation]\nalternatives = [\"none\", \"mean\", \"median\", \"group_mean({GROUP})\"]\n",
    "[imputation]\nalternatives = [\"group_median({GROUP})\"]\nnominal = \"none\"\n",
    "[treatment]\nwinmax = [0, 5]\nskew_limit = 2.0\nkurtosis_limit = 3.5\n",
    "[treatment]\nwinmax = [0, 1000]\n",
    "[exclusion]\nindicators = \"all\"\ninclude_none = false\n",
    "[exclusion]\nindicators = [\"{INDICATOR}\"]\ninclude_none = false\n",
    "[[weights]]\nlevel = 2\nmode = \"dirichlet\"\nconcentration = 50\n",
    "[[weights]]\nlevel = 2\nmode = \"dirichlet\"\nconcentration = 1e-300\n",
    "[[weights]]\nlevel = 1\nmode = \"simplex\"\ngrouping = \"per-parent\"\n",
    "[[weights]]\nlevel = 1\nmode = \"uniform\"\nspread = 0.99\ngrouping = \"all\"\n",
    "[[weights]]\nparent = \"{AGGREGATE}\"\nmode = \"uniform\"\nspread = 1.0\n",
    "[[weights]]\nlevel = 2\nmode = \"fixed\"\n",
    "[[aggregation]]\nlevels = [2]\nalternatives = [\"harmonic\", \"generalised(2)\", \"copeland\"]\n",
    "[[aggregation]]\nalternatives = [\"generalised(-3)\", \"geometric\"]\nprobabilities = [0.5, 0.5]\n",
    "[normalisation]\nalternatives = [\"dist2targ\", \"goalposts(100)\", \"percentile\", \"borda\", \"fracmax\", \"dist2max\", \"dist2ref({UNIT})\", \"scaled(0,1)\"]\n",
    "[normalisation]\nalternatives = [\"minmax(0,100)\", \"rank\"]\nprobabilities = [0, 0]\n",
];

/// Keys an index.toml `[method]` may gain or have replaced, as whole lines.
const METHOD_LINES: &[&str] = &[
    "screen = 0.99",
    "screen = 1.5",
    "screen = 0",
    "treatment = { winmax = 0 }",
    "treatment = { winmax = 1000, skew_limit = 0.0, kurtosis_limit = 0.0 }",
    "treatment = \"winsor\"",
    "denominate = true",
    "aggregation = [\"arithmetic\", \"geometric\"]",
    "aggregation = [\"geometric\", \"geometric\", \"geometric\"]",
    "aggregation = [\"copeland\", \"harmonic\", \"generalised(-2)\"]",
    "aggregation = []",
];

pub fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

fn fill(template: &str, rng: &mut ChaCha8Rng, k: &Knowledge) -> String {
    let mut one = |v: &Vec<String>, default: &str| {
        if v.is_empty() {
            default.to_string()
        } else {
            pick(rng, v).clone()
        }
    };
    let unit = one(&k.units, "X");
    let group = one(&k.groups, "Group");
    let indicator = one(&k.indicators, "X");
    let aggregate = one(&k.aggregates, "X");
    template
        .replace("{UNIT}", &unit)
        .replace("{GROUP}", &group)
        .replace("{INDICATOR}", &indicator)
        .replace("{AGGREGATE}", &aggregate)
}

/// Shortens a value for a description line.
pub fn quote(text: &str) -> String {
    let mut short: String = text.chars().take(60).collect();
    if text.chars().count() > 60 {
        short.push_str(&format!("…({} chars)", text.chars().count()));
    }
    format!("{short:?}")
}

// ---------------------------------------------------------------------------------------------
// Byte-level damage, for any file.

pub fn mutate_bytes(rng: &mut ChaCha8Rng, bytes: &[u8]) -> (Vec<u8>, String) {
    let mut out = bytes.to_vec();
    let len = out.len();
    let op = rng.random_range(0..9);
    let desc = match op {
        0 if len > 0 => {
            let at = rng.random_range(0..len);
            out.truncate(at);
            format!("truncated at byte {at} of {len}")
        }
        1 => {
            out.clear();
            "emptied the file".to_string()
        }
        2 if len > 0 => {
            let n = rng.random_range(1..=4);
            let mut flips = Vec::new();
            for _ in 0..n {
                let at = rng.random_range(0..len);
                let bit = 1u8 << rng.random_range(0..8);
                out[at] ^= bit;
                flips.push(format!("byte {at} ^= {bit:#04x}"));
            }
            format!("flipped bits: {}", flips.join(", "))
        }
        3 => {
            let at = rng.random_range(0..=len);
            let junk: &[u8] = pick::<&[u8]>(
                rng,
                &[&b"\xff\xfe"[..], &b"\xc3\x28"[..], &b"\x80"[..], &b"\0"[..]],
            );
            out.splice(at..at, junk.iter().copied());
            format!("inserted non-UTF-8/NUL bytes {junk:?} at byte {at}")
        }
        4 => {
            out.splice(0..0, "\u{feff}".bytes());
            "prepended a UTF-8 byte-order mark".to_string()
        }
        5 => {
            let text = String::from_utf8_lossy(bytes).replace("\r\n", "\n");
            out = text.replace('\n', "\r\n").into_bytes();
            "converted line ends to CRLF".to_string()
        }
        6 => {
            out.extend_from_slice(b"\n\n\n");
            "appended blank lines".to_string()
        }
        7 if len > 0 => {
            // A whole random line repeated many times: a long file built from real content.
            let text = String::from_utf8_lossy(bytes).to_string();
            let lines: Vec<&str> = text.lines().collect();
            let i = rng.random_range(0..lines.len().max(1));
            let line = lines.get(i).copied().unwrap_or("");
            for _ in 0..200 {
                out.extend_from_slice(line.as_bytes());
                out.push(b'\n');
            }
            format!("appended line {} 200 times: {}", i + 1, quote(line))
        }
        _ => {
            let at = rng.random_range(0..=len);
            out.splice(at..at, b"\t".iter().copied());
            format!("inserted a tab at byte {at}")
        }
    };
    (out, desc)
}

// ---------------------------------------------------------------------------------------------
// CSV: raw cells split on commas outside quotes, so an unedited line renders byte for byte.

#[derive(Debug, Clone)]
pub struct Csv {
    pub rows: Vec<Vec<String>>,
    crlf: bool,
    trailing_newline: bool,
}

impl Csv {
    pub fn parse(text: &str) -> Csv {
        let crlf = text.contains("\r\n");
        let trailing_newline = text.ends_with('\n');
        let body = text.strip_suffix('\n').unwrap_or(text);
        let rows = if body.is_empty() {
            Vec::new()
        } else {
            body.split('\n')
                .map(|line| split_cells(line.strip_suffix('\r').unwrap_or(line)))
                .collect()
        };
        Csv {
            rows,
            crlf,
            trailing_newline,
        }
    }

    pub fn render(&self) -> String {
        let end = if self.crlf { "\r\n" } else { "\n" };
        let mut text = self
            .rows
            .iter()
            .map(|r| r.join(","))
            .collect::<Vec<_>>()
            .join(end);
        if self.trailing_newline && !self.rows.is_empty() {
            text.push_str(end);
        }
        text
    }

    /// Index of the column whose header, unquoted, is `name`.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.rows.first()?.iter().position(|h| unquote(h) == name)
    }

    pub fn header(&self, column: usize) -> String {
        self.rows
            .first()
            .and_then(|r| r.get(column))
            .map(|h| unquote(h).to_string())
            .unwrap_or_default()
    }

    fn width(&self) -> usize {
        self.rows.first().map(Vec::len).unwrap_or(0)
    }
}

fn split_cells(line: &str) -> Vec<String> {
    let mut cells = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                current.push(c);
            }
            ',' if !quoted => cells.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    cells.push(current);
    cells
}

pub fn unquote(cell: &str) -> &str {
    cell.strip_prefix('"')
        .and_then(|c| c.strip_suffix('"'))
        .unwrap_or(cell)
}

/// Which CSV file, for file-specific edits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvKind {
    Meta,
    Data,
}

fn meta_numeric(header: &str) -> bool {
    matches!(
        header,
        "Level" | "Direction" | "Weight" | "Target" | "Goalpost_lower" | "Goalpost_upper"
    )
}

/// One structure-aware or byte-level edit of meta.csv or data.csv.
pub fn mutate_csv(
    rng: &mut ChaCha8Rng,
    kind: CsvKind,
    bytes: &[u8],
    k: &Knowledge,
) -> (Vec<u8>, String) {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return mutate_bytes(rng, bytes);
    };
    let mut csv = Csv::parse(text);
    if csv.rows.len() < 2 || rng.random_bool(0.15) {
        return mutate_bytes(rng, bytes);
    }
    let desc = match rng.random_range(0..10) {
        0..=3 => replace_cell(rng, kind, &mut csv, k),
        4..=5 => match kind {
            CsvKind::Meta => meta_edit(rng, &mut csv, k),
            CsvKind::Data => data_edit(rng, &mut csv, k),
        },
        6..=7 => row_edit(rng, &mut csv),
        _ => column_edit(rng, &mut csv, k),
    };
    (csv.render().into_bytes(), desc)
}

fn random_body_row(rng: &mut ChaCha8Rng, csv: &Csv) -> usize {
    rng.random_range(1..csv.rows.len())
}

fn set_cell(csv: &mut Csv, row: usize, column: usize, value: &str) -> String {
    let header = csv.header(column);
    let Some(cell) = csv.rows[row].get_mut(column) else {
        return format!("line {} has no column {header}", row + 1);
    };
    let old = std::mem::replace(cell, value.to_string());
    format!(
        "line {}, column {header}: {} -> {}",
        row + 1,
        quote(&old),
        quote(value)
    )
}

fn replace_cell(rng: &mut ChaCha8Rng, kind: CsvKind, csv: &mut Csv, k: &Knowledge) -> String {
    let row = random_body_row(rng, csv);
    let width = csv.rows[row].len();
    if width == 0 {
        return "nothing to replace".to_string();
    }
    let column = rng.random_range(0..width);
    let header = csv.header(column);
    let numeric = match kind {
        CsvKind::Meta => meta_numeric(&header),
        CsvKind::Data => k.numeric_data_column(&header),
    };
    let value = if numeric {
        pick(rng, NUMERIC_NASTY).to_string()
    } else {
        let code_like = matches!(
            header.as_str(),
            "uCode" | "iCode" | "Parent" | "Denominator"
        );
        if code_like && rng.random_bool(0.5) {
            // A code that exists elsewhere (a duplicate or a wrong reference) or none at all.
            let pool: Vec<String> = k
                .units
                .iter()
                .chain(&k.indicators)
                .chain(&k.aggregates)
                .cloned()
                .chain(["NO_SUCH_CODE".to_string()])
                .collect();
            pick(rng, &pool).clone()
        } else {
            pick(rng, TEXT_NASTY).to_string()
        }
    };
    format!("replace cell, {}", set_cell(csv, row, column, &value))
}

fn meta_edit(rng: &mut ChaCha8Rng, csv: &mut Csv, k: &Knowledge) -> String {
    let row = random_body_row(rng, csv);
    let code = csv.rows[row]
        .get(csv.column("iCode").unwrap_or(1))
        .map(|c| unquote(c).to_string())
        .unwrap_or_default();
    let (column_name, values): (&str, Vec<String>) = match rng.random_range(0..8) {
        0 => (
            "Direction",
            ["-1", "0", "2", "1.5", "-2", "NaN", "inf", ""]
                .map(String::from)
                .to_vec(),
        ),
        1 => (
            "Weight",
            [
                "0", "-1", "1e308", "1e-300", "5e-324", "1e30", "NaN", "inf", "-0", "",
            ]
            .map(String::from)
            .to_vec(),
        ),
        2 => (
            "Level",
            ["0", "5", "99", "-1", "1.5", "3", "", "18446744073709551616"]
                .map(String::from)
                .to_vec(),
        ),
        3 => (
            "Type",
            [
                "Indicator",
                "Aggregate",
                "Group",
                "Denominator",
                "Other",
                "",
            ]
            .map(String::from)
            .to_vec(),
        ),
        4 => {
            let mut v: Vec<String> = k.aggregates.clone();
            v.extend(k.indicators.iter().take(2).cloned());
            v.extend([code.clone(), "NO_SUCH_PARENT".into(), String::new()]);
            ("Parent", v)
        }
        5 => {
            let mut v: Vec<String> = k.indicators.iter().take(3).cloned().collect();
            v.extend(k.aggregates.iter().take(2).cloned());
            v.extend(["NEW_CODE".into(), String::new()]);
            ("iCode", v)
        }
        6 => {
            // Drop every target: dist2targ then has nothing to measure against.
            if let Some(column) = csv.column("Target") {
                for r in 1..csv.rows.len() {
                    if let Some(cell) = csv.rows[r].get_mut(column) {
                        cell.clear();
                    }
                }
                return "emptied the whole Target column".to_string();
            }
            ("Target", ["", "NaN", "1e308"].map(String::from).to_vec())
        }
        _ => (
            "Denominator",
            [code.clone(), "NO_SUCH_DENOMINATOR".into(), String::new()]
                .into_iter()
                .chain(k.denominators.iter().cloned())
                .collect(),
        ),
    };
    let Some(column) = csv.column(column_name) else {
        return format!("meta.csv has no {column_name} column (edit skipped)");
    };
    let value = pick(rng, &values).clone();
    format!("meta edit `{code}`, {}", set_cell(csv, row, column, &value))
}

fn data_edit(rng: &mut ChaCha8Rng, csv: &mut Csv, k: &Knowledge) -> String {
    let numeric: Vec<usize> = (0..csv.width())
        .filter(|&c| k.numeric_data_column(&csv.header(c)))
        .collect();
    let op = rng.random_range(0..9);
    if op == 0 || numeric.is_empty() {
        let column = csv.column("uCode").unwrap_or(0);
        let row = random_body_row(rng, csv);
        let mut pool = k.units.clone();
        pool.extend(["".to_string(), "NA".to_string()]);
        let value = pick(rng, &pool).clone();
        return format!("uCode edit, {}", set_cell(csv, row, column, &value));
    }
    let column = *pick(rng, &numeric);
    let header = csv.header(column);
    let rows = 1..csv.rows.len();
    let mut each = |f: &mut dyn FnMut(usize, &str) -> String| {
        for r in rows.clone() {
            if let Some(cell) = csv.rows[r].get(column).cloned() {
                csv.rows[r][column] = f(r, &cell);
            }
        }
    };
    let scale = |factor: f64| {
        move |_: usize, cell: &str| match unquote(cell).trim().parse::<f64>() {
            Ok(v) => format!("{:e}", v * factor),
            Err(_) => cell.to_string(),
        }
    };
    let desc = match op {
        1 => {
            each(&mut |_, _| "42".to_string());
            "made constant (every cell 42)"
        }
        2 => {
            each(&mut |_, _| String::new());
            "emptied (every cell missing)"
        }
        3 => {
            each(&mut scale(1e300));
            "scaled by 1e300"
        }
        4 => {
            each(&mut scale(1e-300));
            "scaled by 1e-300"
        }
        5 => {
            each(&mut scale(-1.0));
            "negated"
        }
        6 => {
            each(&mut |_, _| "0".to_string());
            "set to zero everywhere"
        }
        7 => {
            each(&mut |r, _| if r % 2 == 0 { "1e308" } else { "-1e308" }.to_string());
            "set to alternating ±1e308"
        }
        _ => {
            // A single unit missing everywhere.
            let row = random_body_row(rng, csv);
            for &c in &numeric {
                if let Some(cell) = csv.rows[row].get_mut(c) {
                    cell.clear();
                }
            }
            return format!("line {}: every numeric cell emptied", row + 1);
        }
    };
    format!("data column {header} {desc}")
}

fn row_edit(rng: &mut ChaCha8Rng, csv: &mut Csv) -> String {
    let n = csv.rows.len();
    // The header is line 1 and may be hit too, but less often.
    let any = |rng: &mut ChaCha8Rng| {
        if rng.random_bool(0.1) {
            0
        } else {
            rng.random_range(1..n)
        }
    };
    match rng.random_range(0..6) {
        0 => {
            let r = any(rng);
            let old = csv.rows.remove(r);
            format!("deleted line {}: {}", r + 1, quote(&old.join(",")))
        }
        1 => {
            let r = any(rng);
            let copy = csv.rows[r].clone();
            csv.rows.insert(r + 1, copy);
            format!("duplicated line {}", r + 1)
        }
        2 => {
            let (a, b) = (any(rng), any(rng));
            csv.rows.swap(a, b);
            format!("swapped lines {} and {}", a + 1, b + 1)
        }
        3 => {
            let r = any(rng);
            csv.rows[r].push(String::new());
            format!("appended an extra empty cell to line {}", r + 1)
        }
        4 => {
            let r = any(rng);
            let old = csv.rows[r].pop().unwrap_or_default();
            format!("removed the last cell {} of line {}", quote(&old), r + 1)
        }
        _ => {
            let r = rng.random_range(1..=n);
            csv.rows.insert(r, Vec::new());
            format!("inserted a blank line as line {}", r + 1)
        }
    }
}

fn column_edit(rng: &mut ChaCha8Rng, csv: &mut Csv, k: &Knowledge) -> String {
    let width = csv.width();
    if width == 0 {
        return "no columns".to_string();
    }
    let c = rng.random_range(0..width);
    let name = csv.header(c);
    let for_rows = |csv: &mut Csv, f: &mut dyn FnMut(&mut Vec<String>)| {
        for row in csv.rows.iter_mut() {
            f(row)
        }
    };
    match rng.random_range(0..5) {
        0 => {
            for_rows(csv, &mut |row| {
                if c < row.len() {
                    row.remove(c);
                }
            });
            format!("deleted column {name}")
        }
        1 => {
            for_rows(csv, &mut |row| {
                if let Some(v) = row.get(c).cloned() {
                    row.insert(c + 1, v);
                }
            });
            format!("duplicated column {name}")
        }
        2 => {
            let d = rng.random_range(0..width);
            let other = csv.header(d);
            for_rows(csv, &mut |row| {
                if c < row.len() && d < row.len() {
                    row.swap(c, d);
                }
            });
            format!("swapped columns {name} and {other} (headers included)")
        }
        3 => {
            let d = rng.random_range(0..width);
            let other = csv.header(d);
            for row in csv.rows.iter_mut().skip(1) {
                if c < row.len() && d < row.len() {
                    row.swap(c, d);
                }
            }
            format!("swapped the values of columns {name} and {other} (headers kept)")
        }
        _ => {
            let mut pool: Vec<String> = k.indicators.iter().take(3).cloned().collect();
            pool.extend(
                ["", "uCode", "NO_SUCH_COLUMN", " Weight", "weight", "iCode"].map(String::from),
            );
            let value = pick(rng, &pool).clone();
            format!("renamed header, {}", set_cell(csv, 0, c, &value))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// TOML (index.toml and scenarios): edits of the parsed tree, then written back.

#[derive(Debug, Clone)]
enum Seg {
    Key(String),
    Index(usize),
}

fn path_text(path: &[Seg]) -> String {
    let mut text = String::new();
    for seg in path {
        match seg {
            Seg::Key(k) => {
                if !text.is_empty() {
                    text.push('.');
                }
                text.push_str(k);
            }
            Seg::Index(i) => text.push_str(&format!("[{i}]")),
        }
    }
    text
}

fn collect_paths(value: &toml::Value, path: &mut Vec<Seg>, out: &mut Vec<Vec<Seg>>) {
    match value {
        toml::Value::Table(t) => {
            for (key, v) in t {
                path.push(Seg::Key(key.clone()));
                out.push(path.clone());
                collect_paths(v, path, out);
                path.pop();
            }
        }
        toml::Value::Array(a) => {
            for (i, v) in a.iter().enumerate() {
                path.push(Seg::Index(i));
                out.push(path.clone());
                collect_paths(v, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

fn get_mut<'a>(root: &'a mut toml::Value, path: &[Seg]) -> Option<&'a mut toml::Value> {
    let mut node = root;
    for seg in path {
        node = match (seg, node) {
            (Seg::Key(k), toml::Value::Table(t)) => t.get_mut(k)?,
            (Seg::Index(i), toml::Value::Array(a)) => a.get_mut(*i)?,
            _ => return None,
        };
    }
    Some(node)
}

fn remove(root: &mut toml::Value, path: &[Seg]) -> Option<toml::Value> {
    let (last, parent) = path.split_last()?;
    match (last, get_mut(root, parent)?) {
        (Seg::Key(k), toml::Value::Table(t)) => t.remove(k),
        (Seg::Index(i), toml::Value::Array(a)) if *i < a.len() => Some(a.remove(*i)),
        _ => None,
    }
}

/// The key that names a value: its own key, or for an array element, the array's key.
fn naming_key(path: &[Seg]) -> String {
    path.iter()
        .rev()
        .find_map(|s| match s {
            Seg::Key(k) => Some(k.clone()),
            Seg::Index(_) => None,
        })
        .unwrap_or_default()
}

fn mentions(path: &[Seg], key: &str) -> bool {
    path.iter().any(|s| matches!(s, Seg::Key(k) if k == key))
}

fn nasty_number(rng: &mut ChaCha8Rng) -> toml::Value {
    use toml::Value::{Boolean, Float, Integer, String as Text};
    pick(
        rng,
        &[
            Integer(0),
            Integer(-1),
            Integer(1),
            Integer(2),
            Integer(i64::MAX),
            Integer(i64::MIN),
            Float(0.5),
            Float(1e308),
            Float(-1e308),
            Float(5e-324),
            Float(f64::NAN),
            Float(f64::INFINITY),
            Float(f64::NEG_INFINITY),
            Float(-0.0),
            Float(1.5),
            Text("text".into()),
            Boolean(true),
        ],
    )
    .clone()
}

/// A replacement for the value at `path`, chosen by what the key means.
fn replacement(
    rng: &mut ChaCha8Rng,
    path: &[Seg],
    old: &toml::Value,
    k: &Knowledge,
) -> toml::Value {
    use toml::Value;
    let key = naming_key(path);
    let method =
        |rng: &mut ChaCha8Rng, list: &[&str]| Value::String(fill(pick::<&str>(rng, list), rng, k));
    let choice_key = matches!(key.as_str(), "alternatives" | "nominal");
    if rng.random_bool(0.1) {
        return nasty_number(rng);
    }
    if key == "normalisation" || (choice_key && mentions(path, "normalisation")) {
        return method(rng, NORMALISATIONS);
    }
    if key == "aggregation" || (choice_key && mentions(path, "aggregation")) {
        return method(rng, AGGREGATIONS);
    }
    if key == "imputation" || (choice_key && mentions(path, "imputation")) {
        return method(rng, IMPUTATIONS);
    }
    let texts = |rng: &mut ChaCha8Rng, list: &[&str]| Value::String(pick(rng, list).to_string());
    match key.as_str() {
        "mode" => {
            return texts(
                rng,
                &["uniform", "dirichlet", "simplex", "fixed", "Uniform", ""],
            );
        }
        "grouping" => return texts(rng, &["per-parent", "per-level", "all", "per-unit", ""]),
        "focus" => {
            let mut pool = k.units.clone();
            pool.extend(["NO_SUCH_UNIT".into(), "".into()]);
            pool.extend(k.indicators.iter().take(1).cloned());
            return Value::String(pick(rng, &pool).clone());
        }
        "parent" => {
            let mut pool = k.aggregates.clone();
            pool.extend(k.indicators.iter().take(1).cloned());
            pool.push("NO_SUCH_PARENT".into());
            return Value::String(pick(rng, &pool).clone());
        }
        "indicators" => {
            return match rng.random_range(0..5) {
                0 => Value::String("none".into()),
                1 => Value::Array(Vec::new()),
                2 => Value::Array(vec![Value::String("NO_SUCH_INDICATOR".into())]),
                3 => Value::Array(
                    k.indicators
                        .iter()
                        .map(|c| Value::String(c.clone()))
                        .collect(),
                ),
                _ => Value::Array(
                    k.indicators
                        .iter()
                        .take(2)
                        .chain(k.indicators.iter().take(1))
                        .map(|c| Value::String(c.clone()))
                        .collect(),
                ),
            };
        }
        "probabilities" => {
            let n = rng.random_range(0..5);
            let v = *pick(rng, &[0.0, -1.0, 1.0, 1e308, f64::NAN, 0.5, 2.0]);
            return Value::Array((0..n).map(|_| Value::Float(v)).collect());
        }
        "level" | "levels" => {
            let v = *pick(rng, &[0i64, 1, 2, 3, 4, 5, 99, -1, i64::MAX]);
            return if key == "levels" {
                Value::Array(vec![Value::Integer(v)])
            } else {
                Value::Integer(v)
            };
        }
        "winmax" => {
            return match rng.random_range(0..3) {
                0 => Value::Integer(*pick(rng, &[0, -1, 1000, i64::MAX])),
                1 => Value::Array(vec![Value::Integer(5), Value::Integer(1)]),
                _ => Value::Array(vec![Value::Integer(0), Value::Integer(1_000_000)]),
            };
        }
        "treatment" if !old.is_table() => {
            return texts(rng, &["none", "winsor", ""]);
        }
        "level_names" => {
            return Value::Array(vec![Value::String("Only".into())]);
        }
        _ => {}
    }
    match old {
        Value::String(_) => Value::String(pick(rng, TEXT_NASTY).to_string()),
        Value::Boolean(b) => {
            if rng.random_bool(0.5) {
                Value::Boolean(!b)
            } else {
                Value::String("yes".into())
            }
        }
        Value::Array(items) => match rng.random_range(0..3) {
            0 => Value::Array(Vec::new()),
            1 => {
                let mut items = items.clone();
                if let Some(first) = items.first().cloned() {
                    items.push(first);
                }
                Value::Array(items)
            }
            _ => Value::Array(vec![nasty_number(rng)]),
        },
        Value::Table(_) => Value::Table(Default::default()),
        _ => nasty_number(rng),
    }
}

/// Which TOML file, for its snippets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TomlKind {
    Index,
    Scenario,
}

/// One edit of index.toml or a scenario: a value replaced (by meaning), a key or section
/// deleted, an unknown key or a section added, or line- and byte-level damage.
pub fn mutate_toml(
    rng: &mut ChaCha8Rng,
    kind: TomlKind,
    bytes: &[u8],
    k: &Knowledge,
) -> (Vec<u8>, String) {
    let text = std::str::from_utf8(bytes).ok();
    let parsed = text.and_then(|t| toml::from_str::<toml::Table>(t).ok());
    let op = rng.random_range(0..20);
    let (Some(text), Some(table)) = (text, parsed) else {
        return mutate_bytes(rng, bytes);
    };
    if op >= 16 {
        return toml_text_edit(rng, text);
    }
    if op >= 13 {
        // Append a section or a method line as text, so that duplicates (a second
        // [normalisation]) reach the parser as a user would write them.
        let added = match kind {
            TomlKind::Scenario => fill(pick::<&str>(rng, SCENARIO_SNIPPETS), rng, k),
            TomlKind::Index => {
                let line = pick(rng, METHOD_LINES);
                if text.contains("[method]") {
                    let key = line.split(" =").next().unwrap_or("");
                    // Replace the key inside [method] if present, else add it there.
                    let mut out = Vec::new();
                    let mut in_method = false;
                    let mut done = false;
                    for l in text.lines() {
                        if l.starts_with('[') {
                            if in_method && !done {
                                out.push(line.to_string());
                                done = true;
                            }
                            in_method = l.trim() == "[method]";
                        }
                        if in_method && !done && l.split(" =").next() == Some(key) {
                            out.push(line.to_string());
                            done = true;
                            continue;
                        }
                        out.push(l.to_string());
                    }
                    if !done {
                        out.push(line.to_string());
                    }
                    return (
                        (out.join("\n") + "\n").into_bytes(),
                        format!("set in [method]: {line}"),
                    );
                }
                format!("[method]\n{line}\n")
            }
        };
        let mut out = text.to_string();
        if !out.ends_with('\n') {
            out.push('\n');
        }
        out.push('\n');
        out.push_str(&added);
        return (out.into_bytes(), format!("appended {}", quote(&added)));
    }
    let mut root = toml::Value::Table(table);
    let mut paths = Vec::new();
    collect_paths(&root, &mut Vec::new(), &mut paths);
    if paths.is_empty() {
        return toml_text_edit(rng, text);
    }
    let path = pick(rng, &paths).clone();
    let where_ = path_text(&path);
    let desc = match op {
        0..=8 => {
            let old = get_mut(&mut root, &path).cloned().expect("path exists");
            let new = replacement(rng, &path, &old, k);
            let desc = format!(
                "set {where_} = {} (was {})",
                quote(&new.to_string()),
                quote(&old.to_string())
            );
            *get_mut(&mut root, &path).expect("path exists") = new;
            desc
        }
        9..=11 => {
            remove(&mut root, &path);
            format!("deleted {where_}")
        }
        _ => {
            // An unknown key next to a real one (a misspelling a user would make).
            let (parent, key) = match path.split_last() {
                Some((Seg::Key(key), parent)) => (parent.to_vec(), key.clone()),
                _ => (Vec::new(), "name".to_string()),
            };
            let misspelt = format!("{key}s");
            if let Some(toml::Value::Table(t)) = get_mut(&mut root, &parent)
                && let Some(v) = t.remove(&key)
            {
                t.insert(misspelt.clone(), v);
            }
            format!("renamed key {where_} to `{misspelt}`")
        }
    };
    let out = toml::to_string(&root).unwrap_or_default();
    (out.into_bytes(), desc)
}

fn toml_text_edit(rng: &mut ChaCha8Rng, text: &str) -> (Vec<u8>, String) {
    let lines: Vec<&str> = text.lines().collect();
    if lines.is_empty() || rng.random_bool(0.4) {
        return mutate_bytes(rng, text.as_bytes());
    }
    let i = rng.random_range(0..lines.len());
    let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    let desc = match rng.random_range(0..4) {
        0 => {
            out.remove(i);
            format!("deleted line {}: {}", i + 1, quote(lines[i]))
        }
        1 => {
            out.insert(i, lines[i].to_string());
            format!("duplicated line {}: {}", i + 1, quote(lines[i]))
        }
        2 => {
            // Misspell: drop one character of the line.
            let chars: Vec<char> = lines[i].chars().collect();
            if chars.is_empty() {
                return (text.as_bytes().to_vec(), "no-op (empty line)".to_string());
            }
            let at = rng.random_range(0..chars.len());
            out[i] = chars
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != at)
                .map(|(_, c)| *c)
                .collect();
            format!(
                "dropped character {} of line {}: {}",
                at + 1,
                i + 1,
                quote(&out[i])
            )
        }
        _ => {
            out[i] = out[i].replace('"', "'");
            format!("quotes changed on line {}: {}", i + 1, quote(&out[i]))
        }
    };
    ((out.join("\n") + "\n").into_bytes(), desc)
}

// ---------------------------------------------------------------------------------------------
// Shard state files (JSON).

fn json_paths(value: &serde_json::Value, path: &mut Vec<Seg>, out: &mut Vec<Vec<Seg>>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, v) in map {
                path.push(Seg::Key(key.clone()));
                out.push(path.clone());
                json_paths(v, path, out);
                path.pop();
            }
        }
        serde_json::Value::Array(items) => {
            // Long count arrays: a few elements stand for all.
            let n = items.len();
            let picks: Vec<usize> = if n <= 4 {
                (0..n).collect()
            } else {
                vec![0, 1, n / 2, n - 1]
            };
            for i in picks {
                path.push(Seg::Index(i));
                out.push(path.clone());
                json_paths(&items[i], path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

fn json_get_mut<'a>(
    root: &'a mut serde_json::Value,
    path: &[Seg],
) -> Option<&'a mut serde_json::Value> {
    let mut node = root;
    for seg in path {
        node = match seg {
            Seg::Key(k) => node.get_mut(k.as_str())?,
            Seg::Index(i) => node.get_mut(*i)?,
        };
    }
    Some(node)
}

/// One edit of a partial state: a number changed (by one, to zero, to a huge or negative
/// value), an array shortened or lengthened, a key deleted, a string altered; or byte damage.
pub fn mutate_state(rng: &mut ChaCha8Rng, bytes: &[u8]) -> (Vec<u8>, String) {
    use serde_json::{Value, json};
    let parsed = serde_json::from_slice::<Value>(bytes).ok();
    let Some(mut root) = parsed.filter(|_| rng.random_bool(0.8)) else {
        return mutate_bytes(rng, bytes);
    };
    // Half the time aim at the fields that decide how a merge is laid out.
    let targeted = [
        "shard.index",
        "shard.count",
        "fingerprint.total_samples",
        "fingerprint.seed",
        "fingerprint.top_k",
        "accumulator.n_units",
        "accumulator.samples",
        "accumulator.bins.width",
        "accumulator.bins.count",
        "accumulator.n_bands",
        "format",
    ];
    let path: Vec<Seg> = if rng.random_bool(0.5) {
        pick(rng, &targeted)
            .split('.')
            .map(|k| Seg::Key(k.to_string()))
            .collect()
    } else {
        let mut paths = Vec::new();
        json_paths(&root, &mut Vec::new(), &mut paths);
        pick(rng, &paths).clone()
    };
    let where_ = path_text(&path);
    let Some(node) = json_get_mut(&mut root, &path) else {
        return mutate_bytes(rng, bytes);
    };
    let old = node.clone();
    let new = match &old {
        Value::Number(n) => {
            let x = n.as_u64().unwrap_or(0);
            match rng.random_range(0..9) {
                0 => json!(x + 1),
                1 => json!(x.saturating_sub(1)),
                2 => json!(0),
                3 => json!(u64::MAX),
                4 => json!(-1),
                5 => json!(1.5),
                6 => json!(x.saturating_mul(1000)),
                7 => json!(1e300),
                _ => json!("1"),
            }
        }
        Value::String(s) => match rng.random_range(0..3) {
            0 => json!(""),
            1 => json!(format!("{s}x")),
            _ => json!(s.chars().rev().collect::<String>()),
        },
        Value::Array(items) => match rng.random_range(0..4) {
            0 => json!([]),
            1 => {
                let mut items = items.clone();
                items.pop();
                Value::Array(items)
            }
            2 => {
                let mut items = items.clone();
                if let Some(first) = items.first().cloned() {
                    items.push(first);
                }
                Value::Array(items)
            }
            _ => json!(null),
        },
        Value::Object(_) => {
            if rng.random_bool(0.5) {
                json!({})
            } else {
                json!(null)
            }
        }
        Value::Null | Value::Bool(_) => json!(7),
    };
    let delete = rng.random_bool(0.1);
    let desc = if delete {
        if let Some((last, parent)) = path.split_last() {
            match (last, json_get_mut(&mut root, parent)) {
                (Seg::Key(key), Some(Value::Object(map))) => {
                    map.remove(key);
                }
                (Seg::Index(i), Some(Value::Array(items))) if *i < items.len() => {
                    items.remove(*i);
                }
                _ => {}
            }
        }
        format!("deleted {where_}")
    } else {
        *node = new.clone();
        format!(
            "set {where_} = {} (was {})",
            quote(&new.to_string()),
            quote(&old.to_string())
        )
    };
    (serde_json::to_vec(&root).unwrap_or_default(), desc)
}
