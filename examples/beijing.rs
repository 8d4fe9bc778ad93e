//! The library from another program: load the embedded IECI 2022 reconstruction, run the
//! converged uncertainty analysis under its default scenario, and print Beijing's nominal rank,
//! median rank and 90% interval.
//!
//! Run with `cargo run --release --example beijing`.

fn main() -> Result<(), ranksense::Error> {
    let index = ranksense::embedded("ieci2022")?;
    let scenario = ranksense::Scenario::default_for(&index)?;
    // The default options: sample until every headline number is settled, seed 1.
    let result = ranksense::uncertainty(&index, &scenario, Default::default())?;
    let beijing = result.unit("Beijing").expect("Beijing is in the IECI data");
    println!(
        "{}: Beijing ranks {} nominally; over {} samples of {} its median rank is {} and 90% of \
         its ranks lie in {}..={}.",
        index.name(),
        beijing.nominal_rank,
        result.samples(),
        scenario.label(),
        beijing.median_rank,
        beijing.q05_rank,
        beijing.q95_rank,
    );
    if let Some(verdict) = result.verdict() {
        println!("Rating of the focus unit's rank: {:?}", verdict.rating);
    }
    Ok(())
}
