//! Denomination: divide each indicator by its denominator column (COINr `Denominate`).

use crate::model::{Columns, Index};

/// Returns the raw data with every indicator that names a `Denominator` divided by it:
/// `x_ui / d_u` (COINr `Denominate` with ScaleFactor 1). A missing denominator gives a
/// missing value; validation rejects zero denominators beforehand.
pub fn denominate(index: &Index) -> Columns {
    let mut out = index.raw.clone();
    for (j, info) in index.framework.indicators.iter().enumerate() {
        if let Some(d) = info.denominator {
            let denominator = &index.denominators[d].values;
            for (x, &den) in out.col_mut(j).iter_mut().zip(denominator) {
                *x /= den;
            }
        }
    }
    out
}
