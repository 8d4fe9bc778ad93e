"""Results do not depend on the thread count."""

import ranksense


def test_uncertainty_and_sensitivity_are_the_same_for_any_thread_count():
    index = ranksense.embedded("asem")
    one = ranksense.uncertainty(index, samples=6000, seed=11, threads=1)
    two = ranksense.uncertainty(index, samples=6000, seed=11, threads=2)
    every = ranksense.uncertainty(index, samples=6000, seed=11, threads=0)
    assert one.summary == two.summary == every.summary
    for name in one.table_names:
        assert one.csv(name) == two.csv(name) == every.csv(name), name
    s1 = ranksense.sensitivity(index, base_samples=64, bootstrap=20, seed=3, threads=1)
    s2 = ranksense.sensitivity(index, base_samples=64, bootstrap=20, seed=3, threads=2)
    assert s1.csv("sobol") == s2.csv("sobol")
