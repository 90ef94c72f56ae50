"""Bead confidence (issue 22): rank the aligner's beads by candidate confidences, from conf_collect's records.

For every candidate score it prints, per gold set and for the non-literary sets pooled, the share of
the wrong beads among the least confident 5/10/15/20% of beads and the expected calibration error.
Candidates combine the posterior with a second aligner's agreement (see conf_collect.py). Fitted
candidates (a logistic regression over bead-local features) are fitted on MAC-Dev only: MAC-Dev's
row is leave-one-chapter-out, the held-out sets use the model fitted on all six chapters.

    python bench/conf_fit.py [--cache /work/cache/conf] [--only 'NAME|NAME']
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from align_eval import confidence_row

SETS = ("mac/dev", "mac/test", "nonlit/pol", "nonlit/aca", "nonlit/mag")


@dataclass
class Beads:
    """The main aligner's beads of a set of files, one row each, with what a confidence may use."""

    file: np.ndarray  # "set/file" of each bead
    right: np.ndarray  # bool: the bead equals a gold bead
    cols: dict[str, np.ndarray]

    def __getitem__(self, key: str) -> np.ndarray:
        return self.cols[key]

    def subset(self, mask: np.ndarray) -> Beads:
        return Beads(self.file[mask], self.right[mask], {k: v[mask] for k, v in self.cols.items()})


def load(cache: Path, name: str) -> Beads | None:
    """The records of one set, as columns; None if it was not collected."""
    path = cache / f"{name.replace('/', '_')}.jsonl"
    if not path.exists():
        return None
    files, right, rows = [], [], []
    for line in path.read_text().splitlines():
        rec = json.loads(line)
        rows.extend(_file_rows(rec))
        files += [f"{name}/{rec['file']}"] * len(rec["main"])
        gold = {_key(g) for g in rec["gold"]}
        right += [_key(b) in gold for b in rec["main"]]
    cols = {k: np.array([r[k] for r in rows], dtype=float) for k in rows[0]}
    return Beads(np.array(files), np.array(right), cols)


def _key(b: Sequence[Sequence[int]]) -> tuple[tuple[int, ...], tuple[int, ...]]:
    return tuple(b[0]), tuple(b[1])


def _file_rows(rec: dict) -> list[dict[str, float]]:  # type: ignore[type-arg]
    """Per-bead values of one file: posterior, agreements, second posteriors, shape, model features."""
    main = rec["main"]
    post = np.array([b[2] for b in main])
    seconds = {name: {_key(b) for b in rec[name]} for name in SECONDS if name in rec}
    # Sentences whose bead a second aligner draws differently: lax disagreement around a bead.
    rows = []
    for k, b in enumerate(main):
        a, c = len(b[0]), len(b[1])
        f = rec["feats"][k] or [0.0] * 14
        prev_p = post[k - 1] if k else 1.0
        next_p = post[k + 1] if k + 1 < len(main) else 1.0
        row = {
            "p": post[k],
            **{f"{n}_agree": float(_key(b) in beads) for n, beads in seconds.items()},
            **{f"{n}_post": rec[f"{n}_post"][k] for n in seconds},
            "agree3": float(sum(_key(b) in seconds[n] for n in ("e5", "e5fewer", "use"))),
            "one_sided": float(not (a and c)),
            "size": float(a + c),
            "is11": float(a == 1 and c == 1),
            "nb_min": min(prev_p, next_p),
            "cost": rec["cost"][k],
        }
        for name, v in zip(FEATURE_NAMES, f, strict=True):
            row[f"f_{name}"] = v
        rows.append(row)
    return rows


SECONDS = ("e5", "lex", "e5fewer", "use")
"""The second aligners conf_collect.py runs (MAC-Dev 006 and 001 also have more, fewer and e5more:
the main model with the reward per bead shifted by +1, -1, and e5 with +1; they change almost no bead)."""

FEATURE_NAMES = (
    "margin", "cosine", "zh_cov", "en_cov", "length", "numbers", "numbers_missing", "latin", "weakest",
    "local_margin", "quote_open", "quote_close", "inner_close", "inner_exclaim",
)  # fmt: skip


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1e-2, iters: int = 50) -> np.ndarray:
    """Weights (last one the intercept) of an L2-penalised logistic regression, by Newton's method."""
    x1 = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(x1.shape[1])
    reg = l2 * np.eye(x1.shape[1])
    reg[-1, -1] = 0.0
    for _ in range(iters):
        p = 1 / (1 + np.exp(-(x1 @ w)))
        grad = x1.T @ (p - y) + reg @ w
        hess = (x1 * (p * (1 - p))[:, None]).T @ x1 + reg
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w


def predict(w: np.ndarray, x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-(np.hstack([x, np.ones((len(x), 1))]) @ w)))


Design = Callable[[Beads], np.ndarray]


def design(*names: str) -> Design:
    """A feature matrix of the named columns; probabilities enter as log-odds."""

    def build(b: Beads) -> np.ndarray:
        cols = []
        for n in names:
            v = b[n]
            cols.append(_logit(v) if n in ("p", "nb_min") or n.endswith("_post") else v)
        return np.stack(cols, axis=1)

    return build


def fitted(build: Design, dev: Beads, sets: dict[str, Beads]) -> dict[str, np.ndarray]:
    """Scores of a logistic model over `build`'s features: leave-one-chapter-out on MAC-Dev, held out elsewhere."""
    out: dict[str, np.ndarray] = {}
    x_dev, y_dev = build(dev), dev.right.astype(float)
    mu, sd = x_dev.mean(0), x_dev.std(0) + 1e-9
    loco = np.zeros(len(dev.right))
    for f in np.unique(dev.file):
        test = dev.file == f
        w = fit_logistic((x_dev[~test] - mu) / sd, y_dev[~test])
        loco[test] = predict(w, (x_dev[test] - mu) / sd)
    w_all = fit_logistic((x_dev - mu) / sd, y_dev)
    for name, b in sets.items():
        out[name] = loco if name == "mac/dev" else predict(w_all, (build(b) - mu) / sd)
    return out


def candidates(sets: dict[str, Beads]) -> dict[str, dict[str, np.ndarray]]:
    """Every candidate confidence, per set."""
    dev = sets["mac/dev"]
    fixed: dict[str, Callable[[Beads], np.ndarray]] = {
        "posterior": lambda b: b["p"],
        "mean(p, e5_post)": lambda b: (b["p"] + b["e5_post"]) / 2,
        "mean(p, e5_post, lex_post)": lambda b: (b["p"] + b["e5_post"] + b["lex_post"]) / 3,
        "min(p, e5_post)": lambda b: np.minimum(b["p"], b["e5_post"]),
        "geo(p, e5_post)": lambda b: np.sqrt(b["p"] * b["e5_post"]),
        "p * (e5 agrees ? 1 : 0.5)": lambda b: b["p"] * np.where(b["e5_agree"] > 0, 1.0, 0.5),
        "p * (e5,lex agree ? 1 : 0.5 each)": lambda b: (
            b["p"] * np.where(b["e5_agree"] > 0, 1.0, 0.5) * np.where(b["lex_agree"] > 0, 1.0, 0.5)
        ),
        "p * (e5 agrees ? 1 : 0.1)": lambda b: b["p"] * np.where(b["e5_agree"] > 0, 1.0, 0.1),
    }
    out = {name: {s: f(b) for s, b in sets.items()} for name, f in fixed.items()}
    models = {
        "LR p": design("p"),
        "LR p, e5_post": design("p", "e5_post"),
        "LR p, e5_post, lex_post": design("p", "e5_post", "lex_post"),
        "LR p, agree e5/lex": design("p", "e5_agree", "lex_agree"),
        "LR p, post+agree e5/lex": design("p", "e5_post", "lex_post", "e5_agree", "lex_agree"),
        "LR p, agree e5/e5fewer/use": design("p", "e5_agree", "e5fewer_agree", "use_agree"),
        "LR p, agree e5/e5fewer/use/lex": design("p", "e5_agree", "e5fewer_agree", "use_agree", "lex_agree"),
        "LR p, agree3": design("p", "agree3"),
        "LR p, agree+post e5/e5fewer/use": design(
            "p", "e5_agree", "e5fewer_agree", "use_agree", "e5_post", "e5fewer_post", "use_post"
        ),
        "LR all": design(
            "p", *(f"{n}_{x}" for n in SECONDS for x in ("agree", "post")),
            "one_sided", "size", "is11", "nb_min", "cost", *(f"f_{n}" for n in FEATURE_NAMES),
        ),
    }  # fmt: skip
    for name, build in models.items():
        out[name] = fitted(build, dev, sets)
    return out


def main() -> None:
    """Print the table for every candidate (or the named ones)."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cache", default="/work/cache/conf")
    ap.add_argument("--only", default="", help="candidate names separated by '|' (default: all)")
    args = ap.parse_args()
    sets = {s: b for s in SETS if (b := load(Path(args.cache), s)) is not None}
    nonlit = [s for s in sets if s.startswith("nonlit/")]
    only = [n for n in args.only.split("|") if n]
    for name, scores in candidates(sets).items():
        if only and name not in only:
            continue
        print(f"\n== {name}")
        print(f"{'set':12} {'beads':>6} {'wrong':>6}   {'≤5%':>6} {'≤10%':>6} {'≤15%':>6} {'≤20%':>6}   {'ECE':>6}")
        rows = {s: (scores[s], sets[s].right) for s in sets}
        if nonlit:
            pooled = np.concatenate([scores[s] for s in nonlit]), np.concatenate([sets[s].right for s in nonlit])
            rows["nonlit"] = pooled
        for s, (score, right) in rows.items():
            records = list(zip(np.clip(score, 0, 1).tolist(), right.tolist(), strict=True))
            beads, wrong, shares, ece = confidence_row(records)
            cells = " ".join(f"{x:6.3f}" for x in shares)
            print(f"{s:12} {beads:6d} {wrong:6d}   {cells}   {ece:6.3f}")


if __name__ == "__main__":
    main()
