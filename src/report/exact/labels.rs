//! Unit labels and ranks in words, shared by the exact analyses' sentences.

use crate::report::format::ordinal;

pub(super) fn ordinal_usize(rank: usize) -> String {
    ordinal(rank as u32)
}

/// `Switzerland (CHE)`, or the code alone when the name is the code.
pub(super) fn unit_label(code: &str, name: &str) -> String {
    if name.is_empty() || name == code {
        code.to_string()
    } else {
        format!("{name} ({code})")
    }
}
