//! Scenario files compiled into the binary (the files in `scenarios/`), usable by name from any directory.

/// (name, file name, text) of every shipped scenario.
const SCENARIOS: &[(&str, &str, &str)] = &[
    (
        "ieci-full",
        "scenarios/ieci-full.toml",
        include_str!("../../scenarios/ieci-full.toml"),
    ),
    (
        "ieci-weights",
        "scenarios/ieci-weights.toml",
        include_str!("../../scenarios/ieci-weights.toml"),
    ),
    (
        "ieci-methods",
        "scenarios/ieci-methods.toml",
        include_str!("../../scenarios/ieci-methods.toml"),
    ),
    (
        "ieci-simplex",
        "scenarios/ieci-simplex.toml",
        include_str!("../../scenarios/ieci-simplex.toml"),
    ),
    (
        "ieci-noise",
        "scenarios/ieci-noise.toml",
        include_str!("../../scenarios/ieci-noise.toml"),
    ),
    (
        "asem",
        "scenarios/asem.toml",
        include_str!("../../scenarios/asem.toml"),
    ),
    (
        "asem-coinr",
        "scenarios/asem-coinr.toml",
        include_str!("../../scenarios/asem-coinr.toml"),
    ),
    (
        "asem-noise",
        "scenarios/asem-noise.toml",
        include_str!("../../scenarios/asem-noise.toml"),
    ),
];

/// The default scenario of the embedded IECI data.
pub const DEFAULT: &str = "ieci-full";

/// The shipped scenario an embedded data set runs under by default, by the index's source
/// (`ieci-full` for the embedded IECI data, `asem` for the embedded ASEM data); `None` for any
/// other index, whose default scenario is derived from it.
pub fn default_for(source: &str) -> Option<&'static str> {
    match source {
        "embedded:asem" => Some("asem"),
        "embedded:ieci2022" => Some(DEFAULT),
        _ => None,
    }
}

/// Names of the embedded scenarios.
pub fn names() -> Vec<&'static str> {
    SCENARIOS.iter().map(|s| s.0).collect()
}

/// An embedded scenario's file name and text, by name (with or without `.toml`).
pub fn find(name: &str) -> Option<(&'static str, &'static str)> {
    let name = name.strip_suffix(".toml").unwrap_or(name);
    let name = name.strip_prefix("scenarios/").unwrap_or(name);
    SCENARIOS.iter().find(|s| s.0 == name).map(|s| (s.1, s.2))
}
