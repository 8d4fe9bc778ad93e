"""Load the IECI 2022 reconstruction, run the robust audit of Beijing's rank, and plot every
city's rank interval (5%–95%) around its nominal rank with matplotlib.

    python python/examples/robust_intervals.py [OUT_DIR]

Writes OUT_DIR/report.html (the full report, as `ranksense robust`) and
OUT_DIR/rank_intervals.png; prints the verdict.
"""

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display needed
import matplotlib.pyplot as plt  # noqa: E402

import ranksense  # noqa: E402


def main(out: Path) -> None:
    index = ranksense.embedded("ieci2022")
    # A fixed seed: the same numbers as `ranksense robust --seed 1`, for any thread count.
    result = ranksense.robust(index, seed=1, out=out, progress=True)
    print(result.verdict)

    stats = result.rank_stats.sort_values("nominal_rank")
    focus = result.summary["uncertainty"]["focus"]
    fig, ax = plt.subplots(figsize=(7, 0.28 * len(stats) + 1))
    y = range(len(stats))
    colours = ["tab:red" if code == focus else "tab:blue" for code in stats["uCode"]]
    ax.hlines(
        y, stats["q05_rank"], stats["q95_rank"], colors=colours, linewidth=3, label="5%–95% rank"
    )
    ax.plot(stats["nominal_rank"], y, "k|", markersize=10, label="nominal rank")
    ax.plot(stats["median_rank"], y, "o", color="white", markeredgecolor="black", markersize=4,
            label="median rank")
    ax.set_yticks(list(y))
    ax.set_yticklabels(stats["uName"])
    ax.invert_yaxis()
    ax.set_xlabel("rank (1 = best)")
    ax.set_title(f"{index.name}\nrank intervals under the scenario's uncertainty", fontsize="medium")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.05), ncol=3, fontsize="small")
    fig.tight_layout()
    fig.savefig(out / "rank_intervals.png", dpi=120)
    print(f"wrote {out / 'report.html'} and {out / 'rank_intervals.png'}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "ieci-robust"))
