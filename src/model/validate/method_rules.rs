//! The rules that depend on the nominal method from index.toml: constant indicators under a
//! spread-dividing normalisation, denominators, group columns, the focus and reference units.

use super::*;

#[allow(clippy::too_many_arguments)]
pub(super) fn check_method(
    rows: &[MetaRow],
    data: &CsvTable,
    units: &UnitRows,
    columns: &DataColumns,
    framework: Option<&Framework>,
    toml: Option<&IndexToml>,
    method: &MethodSettings,
    diagnostics: &mut Vec<Diagnostic>,
) {
    // Without index.toml the method is the default, which only the data rules below can break.
    let locate = |key: &str| {
        toml.map(|t| t.location(key))
            .unwrap_or_else(|| Location::file("index.toml").column(key))
    };

    if let (Some(toml), Some(framework)) = (toml, framework) {
        if let Err(problem) = method
            .aggregation
            .for_levels(framework.n_aggregate_levels())
        {
            let levels: Vec<String> = (2..=framework.n_levels)
                .map(|level| {
                    let first = framework.level_nodes(level)[0];
                    format!("level {level} (e.g. `{}`)", framework.nodes[first].code)
                })
                .collect();
            diagnostics.push(Diagnostic::new(
                toml.location("method.aggregation"),
                problem,
                format!(
                    "give one method per aggregate level, bottom-up: {}; or a single method \
                     for all levels",
                    levels.join(", ")
                ),
            ));
        }
        if let Some(names) = &toml.level_names
            && names.len() != framework.n_levels
        {
            diagnostics.push(Diagnostic::new(
                toml.location("level_names"),
                format!(
                    "`level_names` has {} names but the framework has {} levels",
                    names.len(),
                    framework.n_levels
                ),
                format!(
                    "give {} names, bottom-up from the indicators to the index, e.g. \
                     [\"Indicator\", …, \"Index\"]",
                    framework.n_levels
                ),
            ));
        }
    }

    // The group column of group imputation.
    if let Some(column) = method.imputation.group_column()
        && !columns.groups.iter().any(|g| g.code == column)
    {
        let is_indicator = columns
            .indicator_rows
            .iter()
            .any(|&r| rows[r].code == column);
        let group_codes: Vec<&str> = columns.groups.iter().map(|g| g.code.as_str()).collect();
        let problem = if is_indicator {
            format!(
                "`{}` names `{column}`, which is an indicator, not a group column",
                method.imputation
            )
        } else {
            format!(
                "`{}` names `{column}`, which is not a group column of data.csv",
                method.imputation
            )
        };
        let fix = match suggest::nearest(column, group_codes.iter().copied()) {
            Some(near) => format!(
                "{} Group columns: {}",
                suggest::did_you_mean(near),
                list_names(group_codes, 10)
            ),
            None if group_codes.is_empty() => "add the grouping column to data.csv (and a row \
                                               with Type Group to meta.csv), or use imputation \
                                               = \"mean\""
                .to_string(),
            None => format!(
                "use one of the group columns: {}",
                list_names(group_codes, 10)
            ),
        };
        diagnostics.push(Diagnostic::new(locate("method.imputation"), problem, fix));
    }

    // The focus unit and a dist2ref reference unit.
    if let Some(focus) = toml.and_then(|t| t.focus.as_deref())
        && find_unit(&units.units, focus).is_none()
    {
        diagnostics.push(Diagnostic::new(
            locate("focus"),
            format!("focus unit `{focus}` is not a uCode or uName in data.csv"),
            unknown_unit_fix(&units.units, focus),
        ));
    }
    if let Normalisation::Dist2Ref { unit } = &method.normalisation
        && find_unit(&units.units, unit).is_none()
    {
        diagnostics.push(Diagnostic::new(
            locate("method.normalisation"),
            format!(
                "reference unit `{unit}` of `{}` is not a uCode or uName in data.csv",
                method.normalisation
            ),
            unknown_unit_fix(&units.units, unit),
        ));
    }

    // Normalisations that need per-indicator metadata.
    let lacking = |has: &dyn Fn(&MetaRow) -> bool| -> Vec<&str> {
        columns
            .indicator_rows
            .iter()
            .map(|&r| &rows[r])
            .filter(|r| !has(r))
            .map(|r| r.code.as_str())
            .collect()
    };
    let needs = method.normalisation.needed_metadata().map(|needed| {
        let lacking = match needed {
            IndicatorMetadata::Goalposts => lacking(&|r| r.goalposts.is_some()),
            IndicatorMetadata::Target => lacking(&|r| r.target.is_some()),
        };
        (needed.columns(), lacking)
    });
    if let Some((what, lacking)) = needs
        && !lacking.is_empty()
    {
        diagnostics.push(Diagnostic::new(
            locate("method.normalisation"),
            format!(
                "normalisation `{}` needs {what} in meta.csv for every indicator, but {} \
                 lack it: {}",
                method.normalisation,
                lacking.len(),
                list_names(lacking, 10)
            ),
            format!("fill in {what} for those indicators, or choose another normalisation"),
        ));
    }

    // Whether the aggregations can run on the normalised values is decided on the data, by
    // `pipeline::validity::check_aggregations`, when the index is prepared.

    let divided = divided_indicators(rows, columns);
    check_constant_indicators(
        rows,
        data,
        columns,
        &divided,
        toml.is_some(),
        method,
        diagnostics,
    );
    check_denominators(rows, data, units, columns, &divided, method, diagnostics);
}

/// (indicator position, denominator position) of every indicator with a Denominator.
pub(super) fn divided_indicators(rows: &[MetaRow], columns: &DataColumns) -> Vec<(usize, usize)> {
    columns
        .indicator_rows
        .iter()
        .enumerate()
        .filter_map(|(k, &r)| {
            let code = rows[r].denominator.as_deref()?;
            let d = columns.denominators.iter().position(|d| d.code == code)?;
            Some((k, d))
        })
        .collect()
}

/// Constant indicators break normalisations that divide by the spread. Checked after
/// denomination, since that is what gets normalised.
pub(super) fn check_constant_indicators(
    rows: &[MetaRow],
    data: &CsvTable,
    columns: &DataColumns,
    divided: &[(usize, usize)],
    has_toml: bool,
    method: &MethodSettings,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let Some(explanation) = method.normalisation.spread_divisor() else {
        return;
    };
    for (k, &r) in columns.indicator_rows.iter().enumerate() {
        if !columns.indicator_clean[k] {
            continue;
        }
        let raw = &columns.indicator_values[k];
        let denominator = divided
            .iter()
            .find(|&&(kk, _)| kk == k)
            .filter(|_| method.denominate)
            .map(|&(_, d)| &columns.denominators[d]);
        let values: Vec<f64> = match denominator {
            Some(d) => raw
                .iter()
                .zip(&d.values)
                .map(|(&x, &y)| if y != 0.0 { x / y } else { f64::NAN })
                .filter(|x| !x.is_nan())
                .collect(),
            None => raw.iter().copied().filter(|x| !x.is_nan()).collect(),
        };
        let Some(&first) = values.first() else {
            continue;
        };
        if values.iter().all(|&x| x == first) {
            let code = &rows[r].code;
            let after = denominator
                .map(|d| format!(" after division by `{}`", d.code))
                .unwrap_or_default();
            let who = if values.len() == 1 {
                "the only unit with data has".to_string()
            } else {
                format!("all {} units with data have", values.len())
            };
            diagnostics.push(Diagnostic::new(
                data.at(1, code),
                format!(
                    "indicator `{code}` is constant: {who} the value {first}{after}, so \
                     max − min = 0 and the standard deviation is 0; {explanation}, so \
                     `{}` would divide by zero for every unit",
                    method.normalisation
                ),
                format!(
                    "drop the indicator (its row in meta.csv and its column in data.csv), or \
                     use a normalisation that does not divide by the spread, e.g. \
                     normalisation = \"rank\"{}",
                    if !has_toml {
                        " in an index.toml [method] table"
                    } else {
                        ""
                    }
                ),
            ));
        }
    }
}

/// A zero denominator divides by zero; a missing one silently drops an observed value unless
/// imputation fills it again (as COINr's Denominate-then-Impute does).
pub(super) fn check_denominators(
    rows: &[MetaRow],
    data: &CsvTable,
    units: &UnitRows,
    columns: &DataColumns,
    divided: &[(usize, usize)],
    method: &MethodSettings,
    diagnostics: &mut Vec<Diagnostic>,
) {
    if !method.denominate {
        return;
    }
    for (u, unit) in units.units.iter().enumerate() {
        let line = data.rows[units.rows[u]].line;
        for (d, denominator) in columns.denominators.iter().enumerate() {
            let value = denominator.values[u];
            let zero = value == 0.0;
            let missing = value.is_nan()
                && !columns.denominator_bad[d][u]
                && method.imputation == Imputation::None;
            if !zero && !missing {
                continue;
            }
            let affected: Vec<&str> = divided
                .iter()
                .filter(|&&(k, dd)| dd == d && !columns.indicator_values[k][u].is_nan())
                .map(|&(k, _)| rows[columns.indicator_rows[k]].code.as_str())
                .collect();
            if affected.is_empty() {
                continue;
            }
            let (problem, fix) = if zero {
                (
                    format!(
                        "denominator `{}` is 0 for unit `{}`, but denominate = true divides \
                         its {} by it",
                        denominator.code,
                        unit.code,
                        list_names(affected, 10)
                    ),
                    format!(
                        "enter the correct {} of {}, leave the cell empty if unknown, or set \
                         denominate = false in index.toml",
                        denominator.code, unit.code
                    ),
                )
            } else {
                (
                    format!(
                        "denominator `{}` is missing for unit `{}`, so denominate = true \
                         turns its {} into missing values, and imputation = \"none\" \
                         leaves them missing",
                        denominator.code,
                        unit.code,
                        list_names(affected, 10)
                    ),
                    format!(
                        "supply the {} of {}, or set an imputation in the index.toml \
                         [method] table (e.g. imputation = \"mean\") so that the lost values \
                         are imputed",
                        denominator.code, unit.code
                    ),
                )
            };
            diagnostics.push(Diagnostic::new(
                data.at(line, &denominator.code),
                problem,
                fix,
            ));
        }
    }
}
