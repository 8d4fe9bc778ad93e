//! Moved to [`crate::model::input::csv`]; this alias keeps the index validator's imports working
//! until it is split into `model/validate/` (issue #12).

pub(crate) use crate::model::input::csv::{CsvRow, CsvTable, abbreviate};
