"""The editorial checks on long units: the URL/e-mail pattern must stay linear on Chinese without spaces.

Runs every check (as `/check` and `termtm check` do) over a few in-limit units of 16,000 Han characters, and
a few ordinary ones, first with the pattern qa/context.py had before issue 25 (the baseline, which tried an
e-mail address at every position of a run of word characters) and then with the current one, in this run,
and prints the times and their ratio. Also times the pattern alone on one such text.

    .venv/bin/python bench/checks_long.py [--chars 16000] [--units 3]
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

import termtm.qa.checks  # noqa: F401  (loads every check module)
from termtm.qa import QAContext, context, run_checks
from termtm.qa.model import Unit
from termtm.terms import load_glossary

ROOT = Path(__file__).resolve().parents[1]
OLD_URL = re.compile(r"<?(?:https?://|www\.)[^\s<>）)]+>?|[\w.+-]+@[\w-]+\.[\w.]+")
"""The pattern before issue 25: quadratic on long runs of word characters."""


def long_units(chars: int, n: int) -> list[Unit]:
    """`n` units whose Chinese is `chars` Han characters without a space (drawn from the glossary's terms)."""
    rng = random.Random(25)
    han = [c for c in "公安部联合宣言人口贩卖受害者湄公河次区域反拐合作机制政府代表团国际劳工组织儿童妇女"]
    return [
        Unit(f"long-{k}", "".join(rng.choice(han) for _ in range(chars)), "Combating human trafficking. " * 20)
        for k in range(n)
    ]


def old_strip_urls(text: str) -> str:
    """strip_urls as it was before issue 25: the quadratic pattern, and no memo."""
    return OLD_URL.sub(lambda m: " " * len(m.group()), text)


def use_strip_urls(fn: Callable[[str], str]) -> None:
    """Make every check module call `fn` as strip_urls (they import the name)."""
    for name, module in list(sys.modules.items()):
        if name.startswith("termtm.qa") and hasattr(module, "strip_urls"):
            module.strip_urls = fn  # type: ignore[attr-defined]


def timed_checks(units: list[Unit], ctx: QAContext, fn: Callable[[str], str]) -> tuple[float, int]:
    """Seconds for all checks with `fn` as strip_urls, and the number of findings."""
    use_strip_urls(fn)
    start = time.perf_counter()
    findings = run_checks(units, ctx)
    return time.perf_counter() - start, len(findings)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--chars", type=int, default=16_000)
    p.add_argument("--units", type=int, default=3)
    args = p.parse_args()
    termbase = load_glossary(ROOT / "glossary")
    units = long_units(args.chars, args.units)
    current = context.strip_urls
    text = units[0].zh
    rows = []
    for name, pattern, fn in (("before (baseline)", OLD_URL, old_strip_urls), ("after", context.URL, current)):
        start = time.perf_counter()
        pattern.sub(" ", text)
        one = time.perf_counter() - start
        current.cache_clear()
        seconds, found = timed_checks(units, QAContext(termbase), fn)
        rows.append((name, one, seconds, found))
    use_strip_urls(current)
    print(f"{args.units} units of {args.chars:,} Han characters; all checks, as /check runs them")
    print(f"{'pattern':18} {'one call':>10} {'all checks':>11} {'findings':>9}")
    for name, one, seconds, found in rows:
        print(f"{name:18} {one:9.3f}s {seconds:10.2f}s {found:9}")
    print(f"speed-up: one call x{rows[0][1] / rows[1][1]:.0f}, all checks x{rows[0][2] / rows[1][2]:.1f}")
    assert rows[0][3] == rows[1][3], "the two patterns found different things"


if __name__ == "__main__":
    main()
