//! Data sets compiled into the binary, so `ranksense` works from any directory.

use super::{Index, load_from_strings};

/// One embedded data set: its files' contents.
struct Embedded {
    name: &'static str,
    meta: &'static str,
    data: &'static str,
    index_toml: &'static str,
}

const DATASETS: &[Embedded] = &[
    Embedded {
        name: "ieci2022",
        meta: include_str!("../../data/ieci2022/meta.csv"),
        data: include_str!("../../data/ieci2022/data.csv"),
        index_toml: include_str!("../../data/ieci2022/index.toml"),
    },
    Embedded {
        name: "asem",
        meta: include_str!("../../data/asem/meta.csv"),
        data: include_str!("../../data/asem/data.csv"),
        index_toml: include_str!("../../data/asem/index.toml"),
    },
];

/// Names of the embedded data sets.
pub fn names() -> Vec<&'static str> {
    DATASETS.iter().map(|d| d.name).collect()
}

/// The files of an embedded data set by name: meta.csv, data.csv and index.toml (for writing
/// a modified copy of it, as `coherence --write-weights` does).
pub fn files(name: &str) -> Option<(&'static str, &'static str, &'static str)> {
    let set = DATASETS
        .iter()
        .find(|d| d.name.eq_ignore_ascii_case(name))?;
    Some((set.meta, set.data, set.index_toml))
}

/// Loads an embedded data set by name (`None` if there is no such name).
pub fn load(name: &str) -> Option<Index> {
    let set = DATASETS
        .iter()
        .find(|d| d.name.eq_ignore_ascii_case(name))?;
    let index = load_from_strings(
        ("meta.csv", set.meta),
        ("data.csv", set.data),
        Some(("index.toml", set.index_toml)),
        &format!("embedded:{}", set.name),
    )
    .expect("embedded data sets are validated by the test suite");
    Some(index)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_embedded_data_set_loads() {
        for name in super::names() {
            assert!(super::load(name).is_some(), "{name}");
        }
    }
}
