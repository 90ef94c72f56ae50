"""Replay the outside probe's findings (issue 25) against a served termtm and print what each case got.

Starts the real app with waitress, in this process, on 127.0.0.1 at a free port, over a temporary SQLite store
(40 bulletin segments, the glossary, three users), and drives it over HTTP as a browser or script would, and
the CLI as a user would. Every refused request or import is bracketed by a hash of every table of the store,
shown in the table: it must be the same after as before. Prints one row per case (case, expected, got, ok) and
exits 1 if any case fails.

    .venv/bin/python bench/probe.py
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import html
import http.client
import io
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from waitress import create_server

from termtm.cli import main as cli
from termtm.formats import read_memory
from termtm.model import Lang, Segment
from termtm.store import open_store
from termtm.store.schema import metadata
from termtm.store.users import Role, Users
from termtm.terms import load_glossary
from termtm.web import create_app

ROOT = Path(__file__).resolve().parents[1]
T0 = "20240101T000000Z"
ESC, CSI, RLO = "\x1b", "\x9b", "\u202e"
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e]")


@dataclass
class Row:
    case: str
    expected: str
    got: str = ""
    ok: bool = False
    store: str = ""


@dataclass
class Browser:
    """An HTTP client with one session cookie, from one source address (127.0.0.x: loopback takes any)."""

    port: int
    source: str = "127.0.0.1"
    cookie: str = ""
    last: dict[str, str] = field(default_factory=dict)

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60, source_address=(self.source, 0))
        body = urlencode(form).encode() if form is not None else None
        hdrs = {**(headers or {})}
        if body is not None:
            hdrs["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookie:
            hdrs["Cookie"] = f"session={self.cookie}"
        conn.request(method, path, body=body, headers=hdrs)
        r = conn.getresponse()
        text = r.read().decode("utf-8", errors="replace")
        got = {k.lower(): v for k, v in r.getheaders()}
        if m := re.search(r"session=([^;]*)", got.get("set-cookie", "")):
            self.cookie = m.group(1)
        conn.close()
        return r.status, got, text

    def get(self, path: str, **kw: Any) -> tuple[int, dict[str, str], str]:
        return self.request("GET", path, **kw)

    def token(self, path: str = "/login") -> str:
        m = re.search(r'name="csrf_token" value="([^"]+)"', self.get(path)[2])
        return m.group(1) if m else ""

    def form(self, path: str) -> tuple[str, str]:
        page = self.get(path)[2]
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        seen = re.search(r'name="seen" value="([^"]*)"', page)
        return (token.group(1) if token else ""), (seen.group(1) if seen else "")

    def sign_in(self, name: str, password: str | None = None) -> int:
        form = {"name": name, "password": password or f"{name} password", "csrf_token": self.token()}
        return self.request("POST", "/login", form)[0]

    def flash(self, location: str) -> str:
        m = re.search(r'class="flash[^"]*">([^<]*)', self.get(location)[2])
        return html.unescape(m.group(1)) if m else "(no message)"


def store_hash(url: str) -> str:
    """A digest of every row of every table."""
    store = open_store(url)
    h = hashlib.sha256()
    with store.engine.connect() as conn:
        for table in metadata.sorted_tables:
            for row in conn.execute(table.select().order_by(*table.primary_key.columns)):
                h.update(repr(tuple(row)).encode("utf-8"))
    store.engine.dispose()
    return h.hexdigest()[:12]


def fill(url: str) -> None:
    """40 bulletin segments, the glossary and three users."""
    units = read_memory((ROOT / "tmx" / "bulletin-2007-12.tmx").read_bytes(), "b.tmx", src=Lang.ZH, tgt=Lang.EN)
    segs = [Segment(u.id, u.zh, u.en, document="bulletin-2007-12", paragraph=i) for i, u in enumerate(units[:40])]
    store = open_store(url)
    store.replace_document("bulletin-2007-12", segs, T0)
    store.replace_concepts("glossary", load_glossary(ROOT / "glossary").concepts)
    users = Users(store)
    for name, role in (("reader", Role.READER), ("editor", Role.EDITOR), ("boss", Role.ADMIN)):
        users.add(name, f"{name} password", role, T0)
    store.engine.dispose()


@contextlib.contextmanager
def served(config: dict[str, Any]) -> Iterator[int]:
    """The app with `config`, served by waitress on 127.0.0.1 at a free port, in a thread; yields the port."""
    server = create_server(create_app(config), host="127.0.0.1", port=0, threads=8)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield int(server.effective_port)  # type: ignore[union-attr]
    finally:
        server.close()


def run_cli(*args: str) -> tuple[int, str, str]:
    """`termtm ARGS` in this process; (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli(list(args))
    return code, out.getvalue(), err.getvalue()


class Probe:
    def __init__(self, url: str, tmp: Path) -> None:
        self.url, self.tmp, self.rows = url, tmp, []
        self.tuid = self._tuids()[9]

    def _tuids(self) -> list[str]:
        store = open_store(self.url)
        tuids = [r.segment.tuid for r in store.records()]
        store.engine.dispose()
        return tuids

    def case(self, name: str, expected: str, fn: Callable[[], tuple[bool, str]], refused: bool = False) -> None:
        """Run one case; with `refused`, hash the store before and after and require it unchanged."""
        row = Row(name, expected)
        before = store_hash(self.url) if refused else ""
        try:
            row.ok, row.got = fn()
        except Exception as err:  # a case that crashes is a failed case, reported in the table
            row.ok, row.got = False, f"{type(err).__name__}: {err}"
        if refused:
            after = store_hash(self.url)
            row.store = f"{before} = {after}" if before == after else f"CHANGED {before} → {after}"
            row.ok = row.ok and before == after
        self.rows.append(row)

    def tmx(self, name: str, units: list[tuple[str, str, str]]) -> Path:
        body = "".join(
            f'<tu tuid="{uid}"><tuv xml:lang="zh-CN"><seg>{zh}</seg></tuv><tuv xml:lang="en"><seg>{en}</seg></tuv></tu>'
            for uid, zh, en in units
        )
        path = self.tmp / name
        path.write_text(
            '<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4"><header creationtool="t" '
            'creationtoolversion="1" segtype="sentence" o-tmf="t" adminlang="en" srclang="zh-CN" '
            'datatype="plaintext"/><body>' + body + "</body></tmx>\n",
            encoding="utf-8",
        )
        return path


def cases(p: Probe, port: int, strict_port: int, idle_port: int) -> None:
    """Every case of issue 25, in its order."""
    editor = Browser(port)
    editor.sign_in("editor")
    seg = f"/segment/{quote(p.tuid)}"

    def edit_esc() -> tuple[bool, str]:
        token, seen = editor.form(seg)
        status, h, _ = editor.request(
            "POST", f"{seg}/edit", {"en": f"Evil{ESC}[2J.", "seen": seen, "csrf_token": token}
        )
        msg = editor.flash(h.get("location", seg))
        downloads = [Browser(port).get(f"/download/{k}")[0] for k in ("tmx", "tbx")]
        return "control character U+001B" in msg and downloads == [200, 200], f"{status}: {msg}; downloads {downloads}"

    p.case("1 edit with ESC", "refused; downloads 200", edit_esc, refused=True)

    for label, cid, want in (("/", "a/b", "contains /"), ("U+202E", f"x{RLO}y", "bidi control U+202E")):

        def new_term(cid: str = cid, want: str = want) -> tuple[bool, str]:
            form = {"zh": "受害人热线", "en": "victim hotline", "id": cid, "csrf_token": editor.token("/term/new")}
            status, _, text = editor.request("POST", "/term/new", form)
            m = re.search(r'class="flash error">([^<]*)', text)
            return status == 400 and want in html.unescape(text), f"{status}: {html.unescape(m.group(1)) if m else ''}"

        p.case(f"1 concept id with {label}", f"400 {want}", new_term, refused=True)

    po = p.tmp / "ctx.po"
    po.write_text(
        f'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\nmsgctxt "a{ESC}]0;pwned\x07"\n'
        'msgid "公安部"\nmsgstr "Ministry of Public Security"\n',
        encoding="utf-8",
    )

    def import_po() -> tuple[bool, str]:
        code, out, err = run_cli("--db", p.url, "-q", "import", str(po))
        return code == 2 and not RAW_CONTROL.search(out + err), f"exit {code}: {err.strip().splitlines()[-1][:90]}"

    p.case("1 import PO msgctxt ESC", "exit 2, escaped", import_po, refused=True)

    def check_hostile() -> tuple[bool, str]:
        code, out, err = run_cli("--db", p.url, "-q", "check", str(po))
        return not RAW_CONTROL.search(
            out + err
        ), f"exit {code}, no raw control in output: {not RAW_CONTROL.search(out + err)}"

    p.case("1 termtm check hostile file", "no raw controls printed", check_hostile, refused=True)

    def csv_formula() -> tuple[bool, str]:
        token, seen = editor.form("/term/commit")
        form = {"csrf_token": token, "seen": seen, "note": "ok\r=cmd|' /C calc'!A0", "definition": "a\n+b"}
        editor.request("POST", "/term/commit/edit", form)
        text = Browser(port).get("/download/csv")[2]
        lines = [ln for r in csv.reader(io.StringIO(text, newline="")) for c in r for ln in re.split(r"\r\n|\r|\n", c)]
        bad = [ln for ln in lines if ln.startswith(("=", "+", "-", "@", "＝", "＋", "－", "＠"))]
        mine = [r for r in csv.reader(io.StringIO(text, newline="")) if r and r[0] == "commit"]
        return not bad and bool(mine) and mine[0][3].startswith(
            "ok\r'="
        ), f"{len(bad)} formula lines; note {mine[0][3]!r}"

    p.case("2 /download/csv bare CR formula", "quoted, every line '", csv_formula)

    long = p.tmx(
        "long.tmx", [(f"l{k}", "公安部联合宣言受害者" * 1600, "Ministry of Public Security.") for k in range(3)]
    )

    def check_long() -> tuple[bool, str]:
        run_cli("--db", p.url, "-q", "import", str(long))
        start = time.perf_counter()
        status = Browser(port).get("/check")[0]
        seconds = time.perf_counter() - start
        return status == 200 and seconds < 10, f"{status} in {seconds:.2f} s (3 units of 16,000 Han)"

    p.case("3 GET /check with long units", "200 in < 10 s", check_long)

    def lockout() -> tuple[bool, str]:
        attacker = Browser(port, source="127.0.0.2")
        token = attacker.token()
        codes = [
            attacker.request("POST", "/login", {"name": "reader", "password": "guess", "csrf_token": token})[0]
            for _ in range(5)
        ]
        right = {"name": "reader", "password": "reader password", "csrf_token": token}
        slowed = attacker.request("POST", "/login", right)[0]
        owner = Browser(port).sign_in("reader")
        time.sleep(1.2)
        later = attacker.request("POST", "/login", right)[0]
        return codes == [401] * 5 and (slowed, owner, later) == (429, 302, 302), (
            f"5×{codes[0]}; attacker {slowed}, owner {owner}, attacker after 1 s {later}"
        )

    p.case("4 five wrong passwords", "429 that address; owner 302", lockout, refused=True)

    def after_logout() -> tuple[bool, str]:
        b = Browser(port)
        b.sign_in("editor")
        saved = b.cookie
        b.request("POST", "/logout", {"csrf_token": b.token("/")})
        replay = Browser(port, cookie=saved)
        return 'name="seen"' not in replay.get(seg)[2], "saved cookie edits: " + str(
            'name="seen"' in replay.get(seg)[2]
        )

    p.case("5 cookie saved before logout", "signed out", after_logout)

    def after_passwd() -> tuple[bool, str]:
        b = Browser(port)
        b.sign_in("editor")
        os.environ["TERMTM_PASSWORD"] = "editor password"
        code = run_cli("--db", p.url, "-q", "user", "passwd", "editor")[0]
        edits = 'name="seen"' in Browser(port, cookie=b.cookie).get(seg)[2]
        return code == 0 and not edits, f"passwd exit {code}; saved cookie edits: {edits}"

    p.case("5 cookie saved before passwd", "signed out", after_passwd)

    def recreated() -> tuple[bool, str]:
        b = Browser(port)
        b.sign_in("editor")
        os.environ["TERMTM_PASSWORD"] = "editor password"
        run_cli("--db", p.url, "-q", "user", "remove", "editor")
        run_cli("--db", p.url, "-q", "user", "add", "editor", "--role", "admin")
        status, h, _ = Browser(port, cookie=b.cookie).get("/admin/users")
        return status == 302 and "/login" in h.get(
            "location", ""
        ), f"old cookie on /admin/users: {status} {h.get('location', '')}"

    p.case("5 removed, re-created as admin", "302 /login", recreated)

    def idle() -> tuple[bool, str]:
        b = Browser(idle_port)
        b.sign_in("editor")
        before = 'name="seen"' in b.get(seg)[2]
        time.sleep(2.5)
        after = 'name="seen"' in Browser(idle_port, cookie=b.cookie).get(seg)[2]
        return before and not after, f"edits at once: {before}; after 2.5 s idle (limit 2 s): {after}"

    p.case("5 idle session (limit 2 s)", "signed out", idle)

    editor = Browser(port)
    editor.sign_in("editor")

    def no_seen() -> tuple[bool, str]:
        token, _ = editor.form(seg)
        status, _, text = editor.request("POST", f"{seg}/edit", {"en": "Overwritten.", "csrf_token": token})
        return status == 400 and "lacks seen" in text, f"{status}"

    p.case("6 edit without seen", "400", no_seen, refused=True)

    def locked() -> tuple[bool, str]:
        token, seen = editor.form(seg)
        other = sqlite3.connect(p.url.removeprefix("sqlite:///"), timeout=1, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            status, h, _ = editor.request("POST", f"{seg}/edit", {"en": "Mine.", "seen": seen, "csrf_token": token})
        finally:
            other.execute("ROLLBACK")
            other.close()
        msg = editor.flash(h.get("location", seg))
        return status == 302 and "changed by another editor" in msg, f"{status}: {msg[:70]}"

    p.case("6 edit meets a write lock", "302 changed by …", locked, refused=True)

    def parallel() -> tuple[bool, str]:
        with ThreadPoolExecutor(16) as pool:
            codes = list(
                pool.map(lambda k: Browser(port).get(f"/download/{k}")[0], ["tmx", "tbx", "csv", "omegat"] * 40)
            )
        return codes.count(200) == len(codes), f"{codes.count(200)}/{len(codes)} answered 200"

    p.case("6 160 parallel downloads", "all 200", parallel, refused=True)

    terms = p.tmp / "killed-terms.csv"
    terms.write_text("concept,lang,term\nk1,zh,公安部\nk1,en,Ministry of Public Security\n", encoding="utf-8")

    def killed() -> tuple[bool, str]:
        cmd = [sys.executable, "-m", "termtm.cli", "-q", "--db", p.url, "import", str(terms)]
        rc = subprocess.run(cmd, env={**os.environ, "TERMTM_KILL_AT": "terms.contexts"}, capture_output=True).returncode
        return rc == -9, f"killed (exit {rc}) between concepts and contexts"

    p.case("6 SIGKILL in term import", "store as before", killed, refused=True)

    def inf() -> tuple[bool, str]:
        codes = [
            Browser(port).get(f"/tmserver/zh/en/unit/{quote('公安部')}?max_candidates={v}")[0]
            for v in ("inf", "nan", "1e400")
        ]
        return codes == [200] * 3, f"{codes}"

    p.case("6 max_candidates=inf,nan,1e400", "200", inf, refused=True)

    def crlf_next() -> tuple[bool, str]:
        b = Browser(port)
        form = {"name": "reader", "password": "reader password", "csrf_token": b.token(), "next": "/\r\nX: 1"}
        status, h, _ = b.request("POST", "/login", form)
        return status == 302 and h.get("location") == "/" and "x" not in h, f"{status} Location {h.get('location')!r}"

    p.case("6 next=/\\r\\nX: 1", "302 to /", crlf_next)

    collide = p.tmx("collide.tmx", [(p.tuid.split(":", 2)[2], "公安部", "Ministry")])

    def collision() -> tuple[bool, str]:
        doc = ":".join(p.tuid.split(":")[:2])
        code, _, err = run_cli("--db", p.url, "-q", "import", str(collide), "--document", doc)
        return (
            code == 2 and "already in document" in err and "Traceback" not in err,
            f"exit {code}: {err.strip()[15:80]}…",
        )

    p.case("6 import tuid collision", "exit 2, clear error", collision, refused=True)

    def host() -> tuple[bool, str]:
        status, h, _ = Browser(port).get("/static//termtm.css", headers={"Host": "evil.example"})
        strict = Browser(strict_port).get("/", headers={"Host": "evil.example"})[0]
        loc = h.get("location", "")
        return status == 308 and loc.startswith(
            "/static/"
        ) and strict == 400, f"{status} {loc}; untrusted host {strict}"

    p.case("6 Host: evil.example", "relative; 400 if untrusted", host, refused=True)

    def basic() -> tuple[bool, str]:
        path = f"/tmserver/zh/en/unit/{quote('公安部')}"
        anon = Browser(strict_port).get(path)[0]
        creds = "Basic " + __import__("base64").b64encode(b"reader:reader password").decode()
        signed = Browser(strict_port).get(path, headers={"Authorization": creds})[0]
        return (anon, signed) == (401, 200), f"anonymous {anon}, Basic {signed}"

    p.case("6 /tmserver/ HTTP Basic", "401 then 200", basic, refused=True)


FIELDS = ("case", "expected", "got", "store")


def print_table(rows: list[Row]) -> None:
    """The cases as a table: case, expected, got, the store's hash before = after (refused cases), PASS/FAIL."""
    head = Row("case", "expected", "got", store="store hash before = after")
    widths = [min(60, max(len(getattr(r, f)) for r in [head, *rows])) for f in FIELDS]
    for r in [head, *rows]:
        cells = [getattr(r, f)[:60].ljust(w) for f, w in zip(FIELDS, widths, strict=True)]
        mark = "result" if r is head else ("PASS" if r.ok else "FAIL")
        print(" | ".join([*cells, mark]))


def main() -> int:
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="termtm-probe-") as folder:
        tmp = Path(folder)
        url = f"sqlite:///{tmp / 'probe.db'}"
        fill(url)
        base = {"DATABASE_URL": url, "INDEX_DIR": str(tmp / "none")}
        strict = {**base, "ANONYMOUS_READ": False, "TRUSTED_HOSTS": ["127.0.0.1"]}
        with (
            served(base) as port,
            served(strict) as strict_port,
            served({**base, "SESSION_IDLE_HOURS": 2 / 3600}) as idle,
        ):
            probe = Probe(url, tmp)
            cases(probe, port, strict_port, idle)
    rows = probe.rows
    print_table(rows)
    failed = [r for r in rows if not r.ok]
    print(f"{len(rows) - len(failed)}/{len(rows)} cases pass in {time.perf_counter() - start:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
