"""Drawing a finished reply: claudechat's Markdown (render/blocks.py) beside rich's own.

A realistic reply of each size (tests/helpers/markdown_corpus.py: headings, prose, lists,
code, tables, quotes) is drawn once into a 100-column truecolor terminal (an in-memory
file) with rich's Markdown and with claudechat's, which draws code blocks, tables, lists
and quotes itself when it can give the same bytes; the two alternate, their order
reversing every round. Reported: CPU seconds (medians) and the median of the per-round
ratios, with their range. The bytes are compared too: the bench fails if they differ.

    PYTHONPATH=. python bench/blocks.py [--sizes 80,320] [--rounds 5]

Goal: claudechat's drawing takes at most 0.75x rich's at every size. Exits 1 when missed.
"""

from __future__ import annotations

import argparse
import gc
import io
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from helpers.markdown_corpus import realistic  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.markdown import Markdown as RichMarkdown  # noqa: E402

from claudechat.render.blocks import Markdown  # noqa: E402

GOAL = 0.75


def draw(markdown: type, text: str) -> tuple[float, str]:
    out = io.StringIO()
    console = Console(file=out, width=100, force_terminal=True, color_system="truecolor")
    gc.collect()
    start = time.process_time()
    console.print(markdown(text))
    return time.process_time() - start, re.sub(r"id=\d+", "id=N", out.getvalue())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="80,320")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print(f"drawing a finished reply once, 100 columns, truecolor; CPU seconds, median of "
          f"{args.rounds} rounds")
    print(f"  {'size':>6} {'rich':>7} {'claudechat':>10}  {'claudechat / rich':>24}")
    met = True
    for kb in (int(s) for s in args.sizes.split(",")):
        text = realistic(kb * 1000)
        theirs, ours, ratios = [], [], []
        for n in range(args.rounds):
            order = [RichMarkdown, Markdown] if n % 2 == 0 else [Markdown, RichMarkdown]
            times, drawn = {}, {}
            for markdown in order:
                times[markdown], drawn[markdown] = draw(markdown, text)
            if drawn[Markdown] != drawn[RichMarkdown]:
                raise SystemExit(f"{kb} KB: claudechat's drawing differs from rich's")
            theirs.append(times[RichMarkdown])
            ours.append(times[Markdown])
            ratios.append(times[Markdown] / times[RichMarkdown])
        ratio = statistics.median(ratios)
        met = met and ratio <= GOAL
        print(f"  {kb:>4}KB {statistics.median(theirs):7.3f} {statistics.median(ours):10.3f}  "
              f"{ratio:.2f}x ({min(ratios):.2f}-{max(ratios):.2f})")
    print(f"goal (claudechat / rich <= {GOAL}x at every size): {'met' if met else 'MISSED'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
