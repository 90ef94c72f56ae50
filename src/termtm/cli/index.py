"""`termtm index build|status|compact`: the memory-mapped lexical index set beside the store (issue 26)."""

from __future__ import annotations

import argparse
import json


def register(sub: argparse._SubParsersAction) -> None:
    """Add `termtm index build`, `termtm index status [--json]` and `termtm index compact`."""
    g = sub.add_parser("index", help="the mapped fuzzy and concordance indexes: build, status, compact")
    actions = g.add_subparsers(dest="index_action", required=True)
    b = actions.add_parser("build", help="bring the set up to the store (first time: build it; then: add changes)")
    b.add_argument("--full", action="store_true", help="rebuild as one segment instead of adding a segment")
    b.add_argument("--json", action="store_true", help="print what was done as JSON")
    b.set_defaults(func=cmd_build)
    s = actions.add_parser("status", help="segments, units, dead units and size of the current set")
    s.add_argument("--json", action="store_true", help="print the status as JSON")
    s.set_defaults(func=cmd_status)
    c = actions.add_parser("compact", help="merge the segments into one, leaving out dead units")
    c.add_argument("--json", action="store_true", help="print what was done as JSON")
    c.set_defaults(func=cmd_compact)


def _done(args: argparse.Namespace, update) -> int:  # update: LexicalUpdate
    if args.json:
        print(json.dumps(update.to_json()))
    else:
        print(
            f"lexical index: {update.kind}, {update.added} units added, {update.dead} marked dead; "
            f"{update.units} units in {update.segments} segment(s) ({update.seconds:.1f} s)"
        )
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    """Sync (or with --full rebuild) the lexical set from the store."""
    from termtm.app.lexical_index import build_lexical, sync_lexical
    from termtm.cli import _index_dir, _store

    store, index = _store(args), _index_dir(args)
    return _done(args, build_lexical(index, store) if args.full else sync_lexical(index, store))


def cmd_compact(args: argparse.Namespace) -> int:
    """Merge the set's segments into one."""
    from termtm.app.lexical_index import compact_lexical
    from termtm.cli import _index_dir
    from termtm.search.semantic import compact_index, read_meta

    index = _index_dir(args)
    update = compact_lexical(index)
    if read_meta(index) is None:
        return _done(args, update)
    merged = compact_index(index)  # the semantic index's import segments too (from cached vectors)
    if args.json:
        print(json.dumps({**update.to_json(), "semantic": {"compacted": merged.rebuilt, "vectors": merged.size}}))
        return 0
    _done(args, update)
    print(f"semantic index: {'compacted' if merged.rebuilt else 'one segment already'}, {merged.size} vectors")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    """Print the set's status, and whether it is behind the store."""
    from termtm.cli import _index_dir, _store
    from termtm.search.indexset import status

    out = status(_index_dir(args))
    if out["exists"]:
        out["fresh"] = out["store_version"] == _store(args).version()
    if args.json:
        print(json.dumps(out))
    elif not out["exists"]:
        print(f"no lexical index in {out['index']}: run `termtm index build`")
    else:
        behind = "" if out["fresh"] else " (behind the store: run `termtm index build`)"
        print(f"{out['index']}: generation {out['generation']}, {out['units']} units, {out['dead']} dead{behind}")
        for seg in out["segments"]:
            print(f"  {seg['name']}: {seg['units']} units, {seg['dead']} dead, {seg['bytes'] / 1e6:.1f} MB")
    return 0
