"""The least any memo with six plotnine figures can cost on this machine: import plotnine and draw six plain bar
charts, nothing else (no export, no tables, no documents).

    python benchmarks/plotnine_floor.py [--workers 2]

Each chart is a horizontal bar chart of six bars, the size and resolution of the memo's figures (6.3 x 3 inches,
220 dpi PNG), in plotnine's theme_minimal. With ``--workers 2`` the process imports plotnine, draws nothing, and
forks two workers that draw three charts each (as ``fuldtid report`` does with its figure workers), so the wall
time is the import plus the slower worker. ``bench_report.py`` times this script in a fresh process beside the
memo: its ratio to ``import pandas`` is a floor under the memo's, whatever the rest of fuldtid costs.
"""

from __future__ import annotations

import argparse
import io
import os


def draw(k: int) -> int:
    import pandas as pd
    import plotnine as p9

    data = pd.DataFrame({"group": [f"Gruppe {i}" for i in range(6)], "pct": [12.0 + k, 30, 8, 22, 17, 11]})
    plot = (p9.ggplot(data, p9.aes("group", "pct")) + p9.geom_col(fill="#4a6f8a", width=0.7) + p9.coord_flip()
            + p9.theme_minimal(base_size=10) + p9.theme(figure_size=(6.3, 3.0), dpi=220))
    out = io.BytesIO()
    plot.save(out, format="png", dpi=220, verbose=False)
    return len(out.getvalue())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--workers", type=int, default=1, choices=(1, 2))
    args = ap.parse_args()
    import plotnine  # noqa: F401  (the import is what is measured, before any fork)

    if args.workers == 1:
        for k in range(6):
            draw(k)
        return
    children = []
    for part in ((0, 1, 2), (3, 4, 5)):
        pid = os.fork()
        if pid == 0:
            for k in part:
                draw(k)
            os._exit(0)
        children.append(pid)
    for pid in children:
        _, status = os.waitpid(pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit("a worker failed")


if __name__ == "__main__":
    main()
