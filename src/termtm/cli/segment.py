"""`termtm segment`: show a unit, or set its status on the ladder draft → reviewed → approved as an editor."""

from __future__ import annotations

import argparse
import json

from termtm.errors import TermTMError


def register(sub: argparse._SubParsersAction) -> None:
    """Add `termtm segment show TUID` and `termtm segment status TUID STATUS --user NAME`."""
    g = sub.add_parser("segment", help="one memory unit: show it, or set its status (an editor approves)")
    actions = g.add_subparsers(dest="segment_action", required=True)
    show = actions.add_parser("show", help="a unit as JSON: texts, provenance, status, notes")
    show.add_argument("tuid")
    show.set_defaults(func=cmd_show)
    st = actions.add_parser("status", help="set a unit's status (draft, reviewed, approved) as an editor")
    st.add_argument("tuid")
    st.add_argument("status", choices=["draft", "reviewed", "approved"])
    st.add_argument("--user", required=True, help="the editor's account name (see `termtm user list`)")
    st.set_defaults(func=cmd_status)


def cmd_show(args: argparse.Namespace) -> int:
    """Print one unit as JSON."""
    from termtm.cli import _store

    rec = _store(args).record(args.tuid)
    if rec is None:
        raise TermTMError(f"no segment {args.tuid!r} in the store: run `termtm build` or check the tuid")
    s = rec.segment
    out = {
        "tuid": s.tuid,
        "zh": s.zh,
        "en": s.en,
        "article": s.article,
        "provenance": s.provenance.value,
        "status": s.status.value,
        "notes": [n for n in s.note.splitlines() if n],
        "changedate": rec.changedate,
        "changeid": rec.changeid,
    }
    print(json.dumps(out, ensure_ascii=False, indent=2))
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    """Set a unit's status as the editor named by --user; the change is audited like a web edit."""
    from termtm.app.segments import change_segment
    from termtm.cli import _now, _store
    from termtm.model import Status

    rec = change_segment(_store(args), args.tuid, user=args.user, when=_now(), status=Status.parse(args.status))
    print(f"{rec.segment.tuid}: {rec.segment.status.value} (by {rec.changeid or args.user})")
    return 0
