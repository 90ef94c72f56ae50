"""Changing a unit's English or its rung on the status ladder, as an editor, from the CLI or the web.

Only an editor (or an admin) may change a unit: in particular, only an editor sets `approved`. The second
reader's review sets `reviewed` through tmx/sources/reviewed.yaml and the build, not here.
"""

from __future__ import annotations

from termtm.errors import TermTMError
from termtm.model import Status
from termtm.store import Store
from termtm.store.editing import edit_segment
from termtm.store.repository import SegmentRecord
from termtm.store.users import Users


class NotAnEditor(TermTMError):
    """The user named is unknown or may not change the memory."""


def change_segment(
    store: Store,
    tuid: str,
    *,
    user: str,
    when: str,
    status: Status | None = None,
    en: str | None = None,
    seen: str | None = None,
) -> SegmentRecord:
    """Set a unit's English and/or status as `user`, who must be an editor; unchanged fields keep their value."""
    account = Users(store).get(user)
    if account is None:
        raise NotAnEditor(f"no user {user!r}: add one with `termtm user add NAME --role editor`")
    if not account.role.can_edit():
        raise NotAnEditor(f"{user} is a {account.role.value}: only an editor changes a unit or approves it")
    rec = store.record(tuid)
    if rec is None:
        from termtm.store.editing import NotFound

        raise NotFound(f"no segment {tuid!r} in the store")
    return edit_segment(
        store,
        tuid,
        en=rec.segment.en if en is None else en,
        status=rec.segment.status if status is None else status,
        user=user,
        when=when,
        seen=seen,
    )
