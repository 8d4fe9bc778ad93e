//! The Saltelli design: base matrices A and B over grouped factors and the AB_i hybrids, generated run by run.

use std::ops::Range;

use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use serde::Serialize;

use super::sequence::{MAX_POINTS, ScrambledSobol};
use super::{SobolError, derived_seed};

/// Stream-family tag of the pseudo-random design points (see [`derived_seed`]).
const DESIGN_STREAM_TAG: u64 = 0x5341_4c54_454c_4c49; // "SALTELLI"

/// How the base matrices A and B are filled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PointKind {
    /// Scrambled Sobol' points (Joe–Kuo directions, Matoušek's linear scramble and digital shift;
    /// see [`ScrambledSobol`]). Row `j` of A is dimensions `0..D` and row `j` of B is dimensions
    /// `D..2D` of the same 2D-dimensional Sobol' point `j`, as Saltelli (2002, 2010) prescribe.
    /// Use a power of two for `n`: the balance properties of the sequence hold for prefixes of
    /// length 2^m.
    Sobol,
    /// Pseudo-random uniform points from ChaCha8; row `j` of A and B uses its own stream, so any
    /// row can be generated alone and results do not depend on evaluation order.
    Random,
}

/// Which block of the design a run belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Block {
    /// Base matrix A (runs `0..n`).
    A,
    /// Base matrix B (runs `n..2n`).
    B,
    /// A with factor `i`'s columns taken from B (runs `(2 + i) n .. (3 + i) n`).
    AB(usize),
}

impl Block {
    /// The block's name in design files: `A`, `B` or `AB_<factor name>` (COINr's convention).
    pub fn label<S: AsRef<str>>(&self, factor_names: &[S]) -> String {
        match self {
            Block::A => "A".to_string(),
            Block::B => "B".to_string(),
            Block::AB(i) => format!("AB_{}", factor_names[*i].as_ref()),
        }
    }
}

/// A Saltelli (2010) sampling design over `k` factors, each a group of `factor_dims[i]` columns of
/// the unit hypercube, `D = Σ factor_dims` columns in all.
///
/// Runs are numbered `0 .. n (k + 2)` in the order A (rows `0..n`), B, AB_1, …, AB_k, where AB_i is
/// A with factor i's whole group of columns replaced by B's. The point of any run is available
/// on its own through [`point`](Self::point) and is a pure function of `(seed, run)`, so runs can be
/// evaluated in any order, on any number of threads or machines.
///
/// Sobol points: up to 2^32 base rows; the Joe–Kuo directions cover 256 dimensions, so A and B
/// come from one Sobol' point for up to 128 columns, and wider designs continue with
/// independently scrambled copies of the sequence (see [`ScrambledSobol`]), which keeps the
/// estimators unbiased.
///
/// A *dummy* factor (one column that the model ignores) can be appended with
/// [`with_dummy_factor`](Self::with_dummy_factor); it is always the last factor and the last column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SaltelliDesign {
    n: usize,
    factor_dims: Vec<usize>,
    /// `column_starts[i]..column_starts[i + 1]` are factor `i`'s columns; length `k + 1`.
    column_starts: Vec<usize>,
    points: PointKind,
    seed: u64,
    has_dummy: bool,
    /// The scrambled 2D-dimensional sequence of Sobol designs (a function of seed and D).
    #[serde(skip)]
    sobol: Option<ScrambledSobol>,
}

impl SaltelliDesign {
    /// A design with `n` base rows over factors of `factor_dims` columns each.
    ///
    /// Errors if `n < 2` (the variance needs two rows), if there is no factor, or if a factor has
    /// no columns.
    pub fn new(
        n: usize,
        factor_dims: Vec<usize>,
        points: PointKind,
        seed: u64,
    ) -> Result<Self, SobolError> {
        if n < 2 {
            return Err(SobolError::Design {
                problem: format!("N = {n} base rows"),
                fix: "use at least 2 base rows (in practice hundreds to thousands, a power of \
                      two for Sobol points)"
                    .into(),
            });
        }
        if factor_dims.is_empty() {
            return Err(SobolError::Design {
                problem: "no factors".into(),
                fix: "give at least one uncertain factor".into(),
            });
        }
        if let Some(i) = factor_dims.iter().position(|&d| d == 0) {
            return Err(SobolError::Design {
                problem: format!("factor {i} has 0 dimensions"),
                fix: "every factor needs at least one input dimension; drop factors that are fixed"
                    .into(),
            });
        }
        if points == PointKind::Sobol && n as u64 > MAX_POINTS {
            return Err(SobolError::Design {
                problem: format!("N = {n} base rows exceeds the 2^32 Sobol points"),
                fix: "use at most 2^32 base rows, or random points instead of Sobol points".into(),
            });
        }
        if n.checked_mul(factor_dims.len() + 2).is_none() {
            return Err(SobolError::Design {
                problem: format!("N = {n} overflows the run count"),
                fix: "use fewer base rows".into(),
            });
        }
        let mut column_starts = Vec::with_capacity(factor_dims.len() + 1);
        let mut start = 0;
        column_starts.push(start);
        for &dims in &factor_dims {
            start += dims;
            column_starts.push(start);
        }
        Ok(SaltelliDesign {
            n,
            factor_dims,
            column_starts,
            points,
            seed,
            has_dummy: false,
            sobol: None,
        }
        .with_sequence())
    }

    /// Appends a dummy factor (one column, to be ignored by the model) as the last factor. Its
    /// indices estimate what an inert input scores; see [`noise_floor`](super::noise_floor).
    /// Name it [`DUMMY_FACTOR`](super::DUMMY_FACTOR) when estimating. Calling it twice adds one dummy.
    pub fn with_dummy_factor(mut self) -> Self {
        if !self.has_dummy {
            self.factor_dims.push(1);
            let end = self.dimension() + 1;
            self.column_starts.push(end);
            self.has_dummy = true;
            return self.with_sequence();
        }
        self
    }

    /// Builds the scrambled sequence of a Sobol design for its current dimension.
    fn with_sequence(mut self) -> Self {
        if self.points == PointKind::Sobol {
            self.sobol = Some(ScrambledSobol::new(2 * self.dimension(), self.seed));
        }
        self
    }

    /// Base rows N.
    pub fn n(&self) -> usize {
        self.n
    }

    /// Number of factors k, dummy included.
    pub fn factor_count(&self) -> usize {
        self.factor_dims.len()
    }

    /// Total columns D = Σ factor_dims (dummy included): the length of a point.
    pub fn dimension(&self) -> usize {
        *self.column_starts.last().expect("at least one factor")
    }

    /// Total runs N (k + 2).
    pub fn run_count(&self) -> usize {
        self.n * (self.factor_count() + 2)
    }

    /// How points are generated.
    pub fn points(&self) -> PointKind {
        self.points
    }

    /// The design's seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Index of the dummy factor (always the last), if one was appended.
    pub fn dummy_factor(&self) -> Option<usize> {
        self.has_dummy.then(|| self.factor_count() - 1)
    }

    /// Factor `i`'s columns within a point.
    pub fn factor_columns(&self, factor: usize) -> Range<usize> {
        self.column_starts[factor]..self.column_starts[factor + 1]
    }

    /// The block of `run`.
    ///
    /// # Panics
    /// If `run >= run_count()`.
    pub fn block(&self, run: usize) -> Block {
        assert!(run < self.run_count(), "run {run} outside the design");
        match run / self.n {
            0 => Block::A,
            1 => Block::B,
            b => Block::AB(b - 2),
        }
    }

    /// The base row (0..n) of `run` within its block.
    pub fn row(&self, run: usize) -> usize {
        run % self.n
    }

    /// The run number of `row` in `block` (inverse of [`block`](Self::block) and [`row`](Self::row)).
    #[cfg(any(test, feature = "internals"))]
    pub fn run(&self, block: Block, row: usize) -> usize {
        assert!(row < self.n, "row {row} outside the design");
        let offset = match block {
            Block::A => 0,
            Block::B => 1,
            Block::AB(i) => {
                assert!(i < self.factor_count(), "factor {i} outside the design");
                2 + i
            }
        };
        offset * self.n + row
    }

    /// Writes run `run`'s point (D values in `[0, 1)`) into `out`, without allocating.
    ///
    /// # Panics
    /// If `out.len() != dimension()` or `run >= run_count()`.
    pub fn point(&self, run: usize, out: &mut [f64]) {
        let dimension = self.dimension();
        assert_eq!(
            out.len(),
            dimension,
            "point buffer must have D = {dimension} entries"
        );
        let block = self.block(run);
        let row = self.row(run);
        match self.points {
            PointKind::Sobol => {
                let swapped = match block {
                    Block::AB(i) => self.factor_columns(i),
                    _ => 0..0,
                };
                for (column, value) in out.iter_mut().enumerate() {
                    let from_b = block == Block::B || swapped.contains(&column);
                    let sobol_dimension = if from_b { dimension + column } else { column };
                    *value = self.sobol_value(row, sobol_dimension);
                }
            }
            PointKind::Random => {
                let mut rng = self.row_rng(row);
                // A's numbers come first in the row's stream, B's next.
                for value in out.iter_mut() {
                    *value = rng.random::<f64>();
                }
                match block {
                    Block::A => {}
                    Block::B => {
                        for value in out.iter_mut() {
                            *value = rng.random::<f64>();
                        }
                    }
                    Block::AB(i) => {
                        let swapped = self.factor_columns(i);
                        for (column, value) in out.iter_mut().enumerate() {
                            let b_value = rng.random::<f64>();
                            if swapped.contains(&column) {
                                *value = b_value;
                            }
                        }
                    }
                }
            }
        }
    }

    /// Dimension `sobol_dimension` (0..2D) of Sobol point `row`.
    fn sobol_value(&self, row: usize, sobol_dimension: usize) -> f64 {
        let sequence = self
            .sobol
            .as_ref()
            .expect("Sobol designs hold their sequence");
        sequence.coordinate(row as u64, sobol_dimension)
    }

    /// The ChaCha8 stream of base row `row`: a pure function of `(seed, row)`.
    fn row_rng(&self, row: usize) -> ChaCha8Rng {
        let mut rng = ChaCha8Rng::seed_from_u64(derived_seed(self.seed, DESIGN_STREAM_TAG));
        rng.set_stream(row as u64);
        rng
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn design(points: PointKind) -> SaltelliDesign {
        SaltelliDesign::new(16, vec![2, 1, 3], points, 42).unwrap()
    }

    #[test]
    fn block_layout_follows_a_b_then_ab_per_factor() {
        let d = design(PointKind::Sobol);
        assert_eq!(d.run_count(), 16 * 5);
        assert_eq!(d.dimension(), 6);
        assert_eq!(d.block(0), Block::A);
        assert_eq!(d.block(15), Block::A);
        assert_eq!(d.block(16), Block::B);
        assert_eq!(d.block(31), Block::B);
        assert_eq!(d.block(32), Block::AB(0));
        assert_eq!(d.block(48), Block::AB(1));
        assert_eq!(d.block(79), Block::AB(2));
        assert_eq!(d.row(79), 15);
        assert_eq!(d.row(48), 0);
        for run in 0..d.run_count() {
            assert_eq!(d.run(d.block(run), d.row(run)), run);
        }
        assert_eq!(d.factor_columns(0), 0..2);
        assert_eq!(d.factor_columns(1), 2..3);
        assert_eq!(d.factor_columns(2), 3..6);
        assert_eq!(Block::AB(1).label(&["w", "norm", "agg"]), "AB_norm");
    }

    #[test]
    fn ab_takes_exactly_the_factor_group_from_b() {
        for kind in [PointKind::Sobol, PointKind::Random] {
            let d = design(kind);
            let dim = d.dimension();
            let (mut a, mut b, mut ab) = (vec![0.0; dim], vec![0.0; dim], vec![0.0; dim]);
            for row in 0..d.n() {
                d.point(d.run(Block::A, row), &mut a);
                d.point(d.run(Block::B, row), &mut b);
                for factor in 0..d.factor_count() {
                    d.point(d.run(Block::AB(factor), row), &mut ab);
                    let group = d.factor_columns(factor);
                    for column in 0..dim {
                        let expected = if group.contains(&column) {
                            b[column]
                        } else {
                            a[column]
                        };
                        assert_eq!(ab[column].to_bits(), expected.to_bits(), "{kind:?}");
                    }
                }
                // A and B rows are different draws, not copies.
                assert!(a.iter().zip(&b).all(|(x, y)| x != y), "{kind:?} row {row}");
            }
        }
    }

    #[test]
    fn points_lie_in_unit_cube_and_are_deterministic() {
        for kind in [PointKind::Sobol, PointKind::Random] {
            let d = design(kind);
            let again = design(kind);
            let other_seed = SaltelliDesign::new(16, vec![2, 1, 3], kind, 43).unwrap();
            let (mut p, mut q, mut r) = (vec![0.0; 6], vec![0.0; 6], vec![0.0; 6]);
            let mut differs = false;
            for run in (0..d.run_count()).rev() {
                d.point(run, &mut p);
                again.point(run, &mut q);
                other_seed.point(run, &mut r);
                assert!(p.iter().all(|&x| (0.0..1.0).contains(&x)), "{kind:?} {p:?}");
                assert_eq!(p, q);
                differs |= p != r;
            }
            assert!(differs, "{kind:?}: the seed must change the points");
        }
    }

    #[test]
    fn sobol_base_columns_are_stratified() {
        // A scrambled Sobol sequence of 2^m points has exactly one point in each of the 2^m
        // equal intervals of every single dimension.
        let d = SaltelliDesign::new(64, vec![3, 2], PointKind::Sobol, 7).unwrap();
        let mut p = vec![0.0; 5];
        for block in [Block::A, Block::B] {
            for column in 0..5 {
                let mut hit = [false; 64];
                for row in 0..64 {
                    d.point(d.run(block, row), &mut p);
                    hit[(p[column] * 64.0) as usize] = true;
                }
                assert!(hit.iter().all(|&h| h), "{block:?} column {column}");
            }
        }
    }

    #[test]
    fn wide_designs_pad_with_independent_copies() {
        // 130 columns → 260 Sobol dimensions: B's last columns repeat Joe–Kuo dimensions 0..3
        // with their own scramble, and stay stratified.
        let d = SaltelliDesign::new(64, vec![130], PointKind::Sobol, 3).unwrap();
        let mut b = vec![0.0; 130];
        let mut hit = [[false; 64]; 2];
        for row in 0..64 {
            d.point(d.run(Block::B, row), &mut b);
            assert!(b.iter().all(|&x| (0.0..1.0).contains(&x)));
            hit[0][(b[126] * 64.0) as usize] = true;
            hit[1][(b[129] * 64.0) as usize] = true;
        }
        assert!(hit.iter().flatten().all(|&h| h));
        let mut a = vec![0.0; 130];
        d.point(d.run(Block::A, 5), &mut a);
        d.point(d.run(Block::B, 5), &mut b);
        assert_ne!(a[0], b[126], "the padded copy must be scrambled afresh");
    }

    #[test]
    fn dummy_factor_is_the_last_single_column() {
        let d = design(PointKind::Random)
            .with_dummy_factor()
            .with_dummy_factor();
        assert_eq!(d.factor_count(), 4);
        assert_eq!(d.dummy_factor(), Some(3));
        assert_eq!(d.factor_columns(3), 6..7);
        assert_eq!(d.dimension(), 7);
        assert_eq!(design(PointKind::Random).dummy_factor(), None);
    }

    #[test]
    fn rejects_degenerate_designs() {
        assert!(SaltelliDesign::new(1, vec![1], PointKind::Sobol, 0).is_err());
        assert!(SaltelliDesign::new(8, vec![], PointKind::Sobol, 0).is_err());
        let err = SaltelliDesign::new(8, vec![1, 0], PointKind::Sobol, 0).unwrap_err();
        assert!(
            err.to_string().contains("factor 1 has 0 dimensions"),
            "{err}"
        );
    }
}
