"""Every hostile string of the corpora, sent by phones and shown on every screen in real Chromium.

The corpora (tests/corpora: the Big List of Naughty Strings and the XSS lists of PayloadsAllTheThings,
payloadbox and SecLists; 8,854 distinct strings) are cut into shards of ``SHARD`` strings in file
order, one real ``live serve`` (eventlet) per shard, so that each server holds about a thousand
questions as on a busy day. For every shard:

- real Socket.IO phones at three bridge points submit every string as a question's text and as the
  asker's name; a string refused as a text (empty after cleaning, no letter, too long) must be
  refused cleanly (``{ok: false, code, message}``) and is then sent as a name alone;
- the secretariat's console (Chromium, 1440×900), open while they arrive, lists every question:
  each row's text and name equal what the server stored (``textContent``, exact); ``DETAILED`` of
  them are opened in its detail panel;
- an evenly spread sample of ``ON_STAGE`` questions per shard (180 in all) is approved and goes on
  screen one by one from the MC's Socket.IO client: the projector (whose box must hold all of it),
  the chairman's screen, the MC's "on screen" card and the hall's own site screen show exactly the
  stored text and origin, the first ``RELOADED`` also after a reload (the server-rendered page and
  its embedded JSON state); then the chairman's next questions and the MC's queue;
- every other question is approved: the console's queue panel and a freshly opened MC tablet
  (1280×800) list every one of them with the stored text (and origin, on the MC);
- every question is then edited by moderators whose names are corpus strings, so that each string
  reaches the audit log: the console marks the edit and its tooltip holds the original exactly; the
  audit page (Chromium), the CSV and the XLSX carry every text and name literally, a cell Excel
  would read as a formula neutralised (``'``) and every XLSX cell a string.

A separate test types 64 script, markup and Unicode strings into a phone in Chromium (390×844), as
its question and name, and checks "Câu hỏi của tôi" shows each exactly as stored. The whole file
takes about 10 minutes on two cores (``-s`` prints what each shard covered and how long it took).

Nothing may run: every page records dialogs (a handler fails the test), calls to alert, confirm,
prompt, print and open (wrapped by an init script), and any element the screen's own code would
never create, any event-handler (``on…``) or URL (``href``, ``src``…) attribute appearing after the
page loaded (a MutationObserver); plus what tests/browser.py records (console errors, CSP violations, page errors,
requests to another origin). Requests to the server itself are limited to the screens' own paths.
"""

from __future__ import annotations

import concurrent.futures
import csv
import io
import re
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import socketio
from browser import _CSP_REPORTER, HD_VIEWPORT, MC_VIEWPORT, Screen
from conftest import session_cookie
from corpora import naughty_strings
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.timeout(600)]

CORPORA = Path(__file__).resolve().parents[1] / "corpora"
XSS_LISTS = ("payloadsallthethings-xss", "payloadbox-xss", "seclists-xss")
LIMITS = {"LIVE_RATE_LIMITS": "device=100000/0.001,site=100000/0.001,address=100000/0.001"}
SHARD = 1000  # questions per server
ON_STAGE = 20  # questions per shard shown on the projector, the chair's and the site screen
RELOADED = 3  # of those, shown again after reloading the screens (server-rendered state)
CLERKS = 8  # moderators approving at once
DETAILED = 5  # questions per shard opened in the console's detail panel
EDITORS = 8  # moderators per shard whose names are corpus strings (for the audit log)
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}

# where the phones are, and the origin every screen must show for them
ORIGINS = (
    ("hall", None, "Trung tâm Hội nghị tỉnh (điểm cầu chính)"),
    ("1304", "hoc_sinh_sinh_vien", "Xã Quảng Lâm — học sinh, sinh viên"),
    ("1297", "kinh_te_gioi", "Xã Nam Quang — thanh niên làm kinh tế giỏi"),
)
ANONYMOUS = "Ẩn danh"
REFUSED_TEXT = {"question.empty", "question.no_letters", "question.too_long"}
FORMULA = ("=", "+", "-", "@")

# Installed in every page before its own scripts. Records what hostile text would do if it ran or
# became markup: a dialog or a window opened through the usual functions, an element the screens'
# own code never creates, an event-handler or javascript: attribute. Read with ``tripped()``.
TRIPWIRE = """
(() => {
  const hits = [];
  Object.defineProperty(window, "__hostile", { value: hits });
  for (const name of ["alert", "confirm", "prompt", "print", "open"]) {
    const real = window[name];
    window[name] = function (...args) {
      hits.push(`${name}(${args.map(String).join(", ")})`);
      return real.apply(this, args);
    };
  }
  // the elements static/js/* creates (Live.dom.el and the phone's el)
  const made = new Set(["LI", "P", "SPAN", "DIV", "TIME", "BUTTON", "SECTION", "H3", "OL", "UL", "Q",
    "STRONG", "OPTION", "SELECT", "BLOCKQUOTE"]);
  const urls = new Set(["href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "srcdoc"]);
  const check = (node) => {
    if (node.nodeType !== 1) return;
    const tag = node.tagName.toLowerCase();
    // and the console's row ticks and the picker's text box (static/js/moderator.js, picker.js)
    const own = node.tagName === "INPUT" && (node.matches("input.q-pick[type=checkbox]") || node.matches("input.picker-input"));
    if (!made.has(node.tagName) && !own) hits.push(`<${tag}> inserted`);
    for (const a of node.attributes) {
      if (/^on/i.test(a.name) || urls.has(a.name.toLowerCase())) hits.push(`${a.name}="${a.value}" on <${tag}>`);
    }
    for (const child of node.children) check(child);
  };
  document.addEventListener("DOMContentLoaded", () => {
    new MutationObserver((records) => {
      for (const r of records) for (const n of r.addedNodes) check(n);
    }).observe(document.documentElement, { childList: true, subtree: true });
  });
})();
"""

# the only paths a screen may ask the server for; anything else (say /x from <img src=x>) is text
# that became markup
OWN_PATHS = re.compile(
    r"^/(static/.+|socket\.io/|k/[\w-]+|q/hall|site/hall|site|mc|projector|chair|moderator|admin/?|admin/audit"
    r"|lang/\w+|favicon\.ico)$"
)


# ---------------------------------------------------------------- the corpus


def _lines(path: Path) -> list[str]:
    # split on line feeds only: the lists put vertical tabs, form feeds and U+2028 inside strings;
    # one list has Windows line ends
    return [line.removesuffix("\r") for line in path.read_text(encoding="utf-8").split("\n")]


def hostile_strings() -> list[str]:
    """Every distinct string of the corpora, in file order: the naughty strings, then the XSS lists."""
    strings = list(naughty_strings())
    for folder in XSS_LISTS:
        for path in sorted((CORPORA / folder).glob("*.txt")):
            strings.extend(line for line in _lines(path) if line)
    return list(dict.fromkeys(strings))


CORPUS = hostile_strings()
SHARDS = [CORPUS[i : i + SHARD] for i in range(0, len(CORPUS), SHARD)]


def spread(items: list, n: int) -> list:
    """``n`` items evenly spread over ``items`` (all of them when there are fewer)."""
    if len(items) <= n:
        return list(items)
    return [items[i * len(items) // n] for i in range(n)]


def test_the_shards_cover_every_string_of_the_corpora_once():
    assert sum(len(s) for s in SHARDS) == len(CORPUS) == len(set(CORPUS)) > 8000
    assert [s for shard in SHARDS for s in shard] == CORPUS
    for folder in XSS_LISTS:
        assert (CORPORA / folder / "LICENSE").exists()
    # the lists' own names for what they try
    assert any("<script>alert(" in s for s in CORPUS) and any("javascript:" in s for s in CORPUS)
    assert any("\u202e" in s for s in CORPUS) and any("onerror=" in s for s in CORPUS)


# ---------------------------------------------------------------- watching the screens


class Watch:
    """The dialogs every page opened, and a way to open screens that record them."""

    def __init__(self, screens) -> None:
        self.screens = screens
        self.dialogs: list[str] = []

    def _record(self, dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message!r} on {dialog.page.url}")
        dialog.dismiss()

    def prepare(self, context) -> None:
        context.add_init_script(TRIPWIRE)
        context.on("page", lambda page: page.on("dialog", self._record))

    def open(self, server, role: str, viewport: dict, **kwargs) -> Screen:
        return self.screens.open(server, role, viewport, prepare=self.prepare, **kwargs)

    def phone(self, server, site: str = "hall") -> Screen:
        """A phone on a site's question page, in a context of its own (as tests/screens/test_phone_browser.py)."""
        context = self.screens.browser.new_context(viewport=PHONE, locale="vi-VN", has_touch=True, is_mobile=True)
        self.prepare(context)
        context.add_init_script(_CSP_REPORTER)
        page = context.new_page()
        page.set_default_timeout(10_000)
        phone = Screen(role="phone", base_url=server.url, context=context, page=page)
        page.on("console", lambda m: m.type == "error" and phone.console_errors.append(m.text))
        page.on("pageerror", lambda e: phone.page_errors.append(str(e)))
        page.on("request", lambda r: phone.urls.append(r.url))
        page.on("websocket", lambda ws: phone.urls.append(ws.url))
        self.screens.opened.append(phone)
        page.goto(f"{server.url}/q/{site}")
        expect(page.locator("#conn")).to_have_text("Đã kết nối")
        return phone

    def assert_nothing_ran(self, *opened: Screen) -> None:
        """No dialog, no tripwire on the pages still open, and no request off the screens' own paths."""
        hits = [f"{s.role}: {hit}" for s in opened for hit in tripped(s)]
        stray = [f"{s.role}: {url}" for s in self.screens.opened for url in s.urls if not own(s, url)]
        assert not self.dialogs, "\n".join(self.dialogs)
        assert not hits, "\n".join(hits[:50])
        assert not stray, "\n".join(stray[:50])


def tripped(screen: Screen) -> list[str]:
    return screen.page.evaluate("() => Array.from(window.__hostile || ['tripwire missing'])")


def own(screen: Screen, url: str) -> bool:
    """A request to the server for one of the screens' own paths (other origins: browser.py)."""
    parts = urlsplit(url)
    base = urlsplit(screen.base_url)
    if parts.netloc != base.netloc:
        return True  # reported by screens.assert_clean() as a request to another origin
    return bool(OWN_PATHS.match(parts.path))


def shows(screen: Screen, fields: dict[str, str], timeout: float = 5.0) -> None:
    """Wait until each selector's ``textContent`` is exactly its text, with no element inside."""
    check = """(fields) => Object.entries(fields).every(([sel, text]) => {
        const node = document.querySelector(sel);
        return node !== null && node.textContent === text && node.childElementCount === 0;
    })"""
    try:
        screen.page.wait_for_function(check, arg=fields, timeout=timeout * 1000)
    except PlaywrightTimeout:
        shown = screen.page.evaluate(
            """(sels) => Object.fromEntries(sels.map((sel) => {
                const node = document.querySelector(sel);
                return [sel, node ? [node.textContent, node.childElementCount] : null];
            }))""",
            list(fields),
        )
        raise AssertionError(f"{screen.role} shows {shown!r}, expected {fields!r}") from None


# ---------------------------------------------------------------- the server side


def qid() -> str:
    return str(uuid.uuid4())


def refusal_is_clean(reply: dict, codes: set[str]) -> None:
    assert reply["ok"] is False and reply["code"] in codes, reply
    assert set(reply) <= {"ok", "code", "message", "params"}, reply
    assert isinstance(reply["message"], str) and reply["message"].strip(), reply
    assert "Traceback" not in reply["message"] and "retry" not in reply, reply


class Intake:
    """Phones at three bridge points sending every string of a shard; what the server stored."""

    def __init__(self, server, connect_phone) -> None:
        self.phones = {site: connect_phone(server, site=site) for site, _, _ in ORIGINS}
        self.origin: dict[str, str] = {}  # question id → the origin its screens must show
        self.as_text = 0  # strings stored as a question's text
        self.as_name: list[str] = []  # ids of the questions carrying a string refused as a text by its name
        self.refused_text = 0  # strings no question may carry as its text (cleanly refused)
        self.refused_name = 0  # strings too long for a name (cleanly refused)
        self.refused = 0  # strings refused both as a text and as a name

    def submit(self, n: int, text: str, name: str | None) -> dict:
        site, group, origin = ORIGINS[n % len(ORIGINS)]
        payload = {"id": qid(), "site": site, "text": text, "group": group, "consent": {"group": "1"}}
        if name is not None:
            payload["name"] = name
            payload["consent"]["name"] = "1"
        reply = self.phones[site].call("question.submit", payload, timeout=30)
        if reply["ok"]:
            self.origin[reply["id"]] = origin
        return reply

    def send(self, strings: list[str]) -> None:
        """Each bridge point's phone sends every third string (the three at once)."""

        def one(_site: int, item: tuple[int, str]) -> tuple[str, bool, str | None]:
            n, s = item
            reply = self.submit(n, s, s)
            long_name = not reply["ok"] and reply["code"] == "question.name_too_long"
            if long_name:
                reply = self.submit(n, s, None)
            if reply["ok"]:
                return "text", long_name, None
            refusal_is_clean(reply, REFUSED_TEXT)
            # what cannot be a question may still be a name
            reply = self.submit(n, f"Câu hỏi kèm tên lạ số {n}", s)
            if reply["ok"]:
                return "name", False, reply["id"]
            refusal_is_clean(reply, {"question.name_too_long"})
            return "refused", True, None

        outcomes = together(list(range(len(ORIGINS))), list(enumerate(strings)), one)
        self.as_text = sum(kind == "text" for kind, _, _ in outcomes)
        self.as_name = [ident for kind, _, ident in outcomes if kind == "name"]
        self.refused = sum(kind == "refused" for kind, _, _ in outcomes)
        self.refused_text = len(outcomes) - self.as_text
        self.refused_name = sum(long_name for _, long_name, _ in outcomes)


def stored_questions(staff) -> dict[str, dict]:
    reply = staff.call("questions.get", timeout=60)
    assert reply["ok"], reply
    return {q["id"]: q for q in reply["questions"]}


def named_moderator(server, name: str) -> socketio.Client:
    """A secretariat member whose name (typed on the console, sent at the handshake) is ``name``."""
    client = socketio.Client(reconnection=False)
    client.connect(
        server.url,
        headers={"Cookie": session_cookie(server.link("moderator"))},
        auth={"screen": "moderator", "name": name},
        transports=["websocket"],
        wait_timeout=5,
    )
    return client


# ---------------------------------------------------------------- reading the screens


def every_row(page, read: str) -> list:
    """``read(li)`` for every row of the secretariat's list: the list is virtual (only the rows in
    view are in the page), so it is scrolled from the top to the bottom, a window at a time."""
    return page.evaluate(
        """async () => {
            const read = READ;
            const feed = document.querySelector("#feed");
            const seen = new Map();
            const frame = () => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
            feed.scrollTop = 0;
            for (;;) {
                await frame();
                for (const li of feed.querySelectorAll("li.q")) if (!seen.has(li.dataset.id)) seen.set(li.dataset.id, read(li));
                if (feed.scrollTop + feed.clientHeight >= feed.scrollHeight - 1) break;
                feed.scrollTop += feed.clientHeight;
            }
            feed.scrollTop = 0;  // back at the top, as a person leaves it
            await frame();
            return Array.from(seen.values());
        }""".replace("READ", read)
    )


def console_rows(console: Screen) -> dict[str, dict]:
    """Every row of the secretariat's list, scrolled through from the top to the bottom."""
    rows = every_row(
        console.page,
        """(li) => {
            const text = li.querySelector(".q-text");
            const name = li.querySelector(".q-name");
            const dups = Array.from(li.querySelectorAll(".dup-text"));
            return {
                id: li.dataset.id, text: text.textContent, name: name.textContent,
                anonymous: name.classList.contains("anon"),
                elements: text.childElementCount + name.childElementCount
                    + dups.reduce((n, d) => n + d.childElementCount, 0),
                broken: dups.filter((d) => !d.textContent.isWellFormed()).map((d) => d.textContent),
            };
        }""",
    )
    return {row["id"]: row for row in rows}


def texts_by_id(screen: Screen, item: str, text: str, extra: str | None = None) -> dict[str, list]:
    """``{data-id: [textContent of text, of extra, elements inside]}`` for every ``item``."""
    return {
        row[0]: row[1:]
        for row in screen.page.evaluate(
            """([item, text, extra]) => Array.from(document.querySelectorAll(item), (li) => {
                const t = li.querySelector(text);
                const e = extra ? li.querySelector(extra) : null;
                return [li.dataset.id, t.textContent, e ? e.textContent : null,
                        t.childElementCount + (e ? e.childElementCount : 0)];
            })""",
            [item, text, extra],
        )
    }


# ---------------------------------------------------------------- the exports


def ooxml_unescape(value: str) -> str:
    """What Excel shows for a shared string: ``_xHHHH_`` is the character U+HHHH."""
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), value)


def exports(server) -> tuple[list[list[str]], list[list[str]], list[list]]:
    """The audit log as the admin downloads it: CSV rows, XLSX rows as Excel shows them, and the
    XLSX cells' types."""
    import openpyxl
    import requests

    with requests.Session() as admin:
        admin.get(server.link("admin"), timeout=10)
        got_csv = admin.get(server.url + "/admin/audit.csv", timeout=60)
        got_xlsx = admin.get(server.url + "/admin/audit.xlsx", timeout=60)
    assert got_csv.status_code == 200 and got_xlsx.status_code == 200
    csv_rows = list(csv.reader(io.StringIO(got_csv.content.decode("utf-8-sig"), newline="")))
    sheet = openpyxl.load_workbook(io.BytesIO(got_xlsx.content)).active
    xlsx_rows, types = [], []
    for row in sheet.iter_rows():
        xlsx_rows.append(["" if c.value is None else ooxml_unescape(str(c.value)) for c in row])
        types.append([c.data_type for c in row])
    return csv_rows, xlsx_rows, types


def check_exports(server, admin_staff, texts: dict[str, str], names: set[str]) -> tuple[int, list[list[str]]]:
    """The audit log's CSV and XLSX carry every edited question's text and every editor's name
    literally; a cell Excel would read as a formula is neutralised, every XLSX cell is a string."""
    entries = admin_staff.call("audit.get", timeout=60)["entries"]
    csv_rows, xlsx_rows, types = exports(server)
    assert len(csv_rows) == len(xlsx_rows) == len(entries) + 1
    assert csv_rows[0] == xlsx_rows[0]
    seen = set()
    for entry, row, shown, kinds in zip(reversed(entries), csv_rows[1:], xlsx_rows[1:], types[1:], strict=True):
        assert set(kinds) <= {"s", "inlineStr"}, (row, kinds)  # text: never a formula, never a number
        for cell, raw in zip(row, shown, strict=True):
            if raw.startswith(FORMULA):
                assert cell == "'" + raw, (cell, raw)
            else:
                assert cell in (raw, "'" + raw), (cell, raw)
        assert shown[2] == (entry.get("name") or "") and shown[4] == entry["code"]
        if entry["action"] == "edit":
            text = entry["before"]["text"]
            assert text == texts[entry["question"]]
            assert text in shown[5] and text in shown[6], (text, shown)  # before, and kept as the original
            seen.add(entry["question"])
            assert entry["name"] in names
    assert seen == set(texts)
    return len(entries), xlsx_rows


# ---------------------------------------------------------------- the test, shard by shard


@pytest.mark.parametrize("shard", range(len(SHARDS)), ids=[f"shard{n}" for n in range(len(SHARDS))])
def test_every_hostile_string_shows_literally_on_every_screen_and_in_every_export(
    shard, make_server, screens, connect_staff, connect_phone
):
    strings = SHARDS[shard]
    laps = Laps()
    server = make_server(env=LIMITS)
    watch = Watch(screens)
    moderator = connect_staff(server, "moderator")
    mc = connect_staff(server, "mc")
    admin = connect_staff(server, "admin")

    # the secretariat's console is open while the questions arrive
    console = watch.open(server, "moderator", DESKTOP)
    expect(console.page.locator("#desk")).to_have_attribute("data-loaded", "yes")
    intake = Intake(server, connect_phone)
    intake.send(strings)
    stored = stored_questions(moderator)
    assert set(stored) == set(intake.origin)
    assert intake.as_text + len(intake.as_name) + intake.refused == len(strings)
    # a string refused as a text for want of a letter may still be a name, or nothing once cleaned
    empty_names = sum(not stored[ident]["name"] for ident in intake.as_name)
    laps("sent")

    # 1. the secretariat's feed: every question, its text and the asker's name exactly as stored
    expect(console.page.locator("#counts [data-count='all']")).to_have_text(str(len(stored)))
    rows = console_rows(console)
    assert set(rows) == set(stored)
    wrong = []
    for ident, q in stored.items():
        row = rows[ident]
        name = q["name"] or ANONYMOUS
        if row["text"] != q["text"] or row["name"] != name or row["anonymous"] != (not q["name"]):
            wrong.append((q["text"], q["name"], row))
        assert row["elements"] == 0 and row["broken"] == [], row
    assert not wrong, wrong[:5]
    # the selected question's detail: its text, and who asked it
    stage = spread(sorted(stored, key=lambda i: stored[i]["received_at"]), ON_STAGE)
    for ident in stage[:DETAILED]:
        q = stored[ident]
        console.page.locator("#search").fill(q["code"])
        # the feed is filtered (redrawn) after the typing settles: click the row once it has been
        expect(console.page.locator(f"#feed li.q:not([data-id='{ident}'])")).to_have_count(0)
        console.page.locator(f"#feed li.q[data-id='{ident}'] .q-text").click()
        expect(console.page.locator("#detail")).to_have_attribute("data-id", ident)
        shows(console, {"#d-text": q["text"]})
        assert console.page.locator("#d-meta").text_content().endswith(" · " + (q["name"] or ANONYMOUS))
    assert tripped(console) == []
    console.reload(wait=True)  # back to one page of rows: the approvals below redraw it
    laps("console")

    # 2. on screen one by one: the projector, the chairman, the MC's card and the hall's own screen
    versions = {ident: approve(moderator, stored[ident]) for ident in stage}
    projector = watch.open(server, "projector", HD_VIEWPORT)
    chair = watch.open(server, "chair", HD_VIEWPORT)
    site = watch.open(server, "site", HD_VIEWPORT, wait=False)
    site.page.goto(f"{server.url}/site/hall")
    site.wait_synced()
    tablet = watch.open(server, "mc", MC_VIEWPORT)
    for n, ident in enumerate(stage):
        text, origin = stored[ident]["text"], intake.origin[ident]
        reply = mc.call("question.show", {"id": ident, "version": versions[ident]}, timeout=10)
        assert reply["ok"], reply
        big = {"#question-text": text, "#question-origin": origin}
        card = {"#on-screen-text": text, "#on-screen-origin": origin}
        for screen, fields in ((projector, big), (chair, big), (site, big), (tablet, card)):
            shows(screen, fields)
        # all of it in sight on the projector, however long or strange (the text is sized to fit)
        expect(projector.page.locator("#question-box")).to_have_attribute("data-overflow", "no")
        if n < RELOADED:  # the pages as the server renders them with this question on screen
            for screen, fields in ((projector, big), (chair, big), (site, big), (tablet, card)):
                assert tripped(screen) == [], (screen.role, tripped(screen))
                screen.reload(wait=True)
                shows(screen, fields)
    assert mc.call("question.hide", {"id": stage[-1], "version": reply["question"]["version"]})["ok"]
    expect(projector.page.locator("#current-question")).to_be_hidden()
    # the chairman's "next questions" and the MC's queue show the stored text and origin too
    for screen, item, text, origin in (
        (chair, "#next .next-item", ".next-text", ".next-origin"),
        (tablet, "#queue .q-item", ".q-text", ".q-origin"),
    ):
        listed = texts_by_id(screen, item, text, origin)
        assert listed, screen.role
        assert {i: v for i, v in listed.items() if v != [stored[i]["text"], intake.origin[i], 0]} == {}
    watch.assert_nothing_ran(projector, chair, site, tablet, console)
    for screen in (projector, chair, site, tablet):
        screen.context.close()
    laps("stage")

    # 3. every other question approved: the console's queue panel and the MC's queue list them all
    secretariat = [moderator] + [connect_staff(server, "moderator") for _ in range(CLERKS - 1)]
    rest = [q for ident, q in stored.items() if ident not in versions]
    versions.update(together(secretariat, rest, lambda staff, q: (q["id"], approve(staff, q))))
    for staff in secretariat[1:]:
        staff.close()
    expect(console.page.locator("#queue-n")).to_have_text(str(len(stored)))
    console.page.locator("#tab-queue").click()
    panel = texts_by_id(console, "#queue li.qitem", ".qtext")
    assert {i: v for i, v in panel.items() if v != [stored[i]["text"], None, 0]} == {}
    assert set(panel) == set(stored)
    tablet = watch.open(server, "mc", MC_VIEWPORT)
    tablet.page.get_by_role("tab", name=re.compile(r"^Câu hỏi")).click()
    expect(tablet.page.locator("#queue-count")).to_have_text(f"({len(stored)})")
    queue = texts_by_id(tablet, "#queue .q-item", ".q-text", ".q-origin")
    assert {i: v for i, v in queue.items() if v != [stored[i]["text"], intake.origin[i], 0]} == {}
    assert set(queue) == set(stored)
    watch.assert_nothing_ran(tablet, console)
    for screen in (tablet, console):  # the edits below would redraw them, each
        screen.context.close()
    laps("queue")

    # 4. the audit log: moderators named with corpus strings edit every question
    short = [s for s in strings if 0 < len(s.strip()) <= 40]
    names = [s for s in short if s.lstrip().startswith(FORMULA)][: EDITORS // 2]
    names += [s for s in short if s not in names][: EDITORS - len(names)]
    editors = [named_moderator(server, name) for name in names]
    now = stored_questions(moderator)  # those shown were taken off screen again: one more version

    def edit(editor, q: dict) -> tuple[str, int]:
        payload = {"id": q["id"], "version": q["version"], "text": f"Đã sửa câu hỏi {q['code']}"}
        reply = editor.call("question.edit", payload, timeout=30)
        assert reply["ok"], reply
        return q["id"], reply["question"]["version"]

    try:
        together(editors, list(now.values()), edit)
    finally:
        for client in editors:
            client.disconnect()
    laps("edits")
    # the console marks each edited question; hovering the mark shows the original, as typed
    console = watch.open(server, "moderator", DESKTOP)
    expect(console.page.locator("#desk")).to_have_attribute("data-loaded", "yes")
    template, mark = console.page.evaluate(
        """() => { const M = JSON.parse(document.getElementById("mod-i18n").textContent); return [M.original, M.edited]; }"""
    )
    rows = every_row(
        console.page,
        """(li) => {
            const text = li.querySelector(".q-text");
            const mark = text.querySelector(".q-edited");
            return [li.dataset.id, text.textContent, mark.title, text.childElementCount];
        }""",
    )
    assert len(rows) == len(stored)
    for ident, text, title, elements in rows:
        assert (text, title, elements) == (
            f"Đã sửa câu hỏi {stored[ident]['code']} {mark}",
            template.replace("{t}", stored[ident]["text"]),
            1,
        )
    first = rows[0][0]
    console.page.locator(f"#feed li.q[data-id='{first}'] .q-text").click()
    shows(console, {"#d-original-text": stored[first]["text"]})
    watch.assert_nothing_ran(console)
    console.context.close()
    editor_names = {e["name"] for e in admin.call("audit.get", timeout=60)["entries"] if e["action"] == "edit"}
    assert len(editor_names) == len(names)
    assert any(n.startswith(FORMULA) for n in editor_names) == any(n.lstrip().startswith(FORMULA) for n in names)
    entries, xlsx_rows = check_exports(server, admin, {i: q["text"] for i, q in stored.items()}, editor_names)

    # the audit page as the admin reads it: every cell literally what the XLSX holds
    audit = watch.open(server, "admin", DESKTOP)
    audit.page.goto(server.url + "/admin/audit")
    cells = audit.page.evaluate(
        """() => Array.from(document.querySelectorAll("#audit-log tbody tr"), (tr) =>
            Array.from(tr.cells, (td) => [td.textContent, td.childElementCount]))"""
    )
    assert [[c[0] for c in row] for row in cells] == xlsx_rows[1:]
    assert all(c[1] == 0 for row in cells for c in row)
    laps("exports")

    watch.assert_nothing_ran(audit)
    screens.assert_clean()
    print(
        f"\nshard {shard}: {len(strings)} strings; stored as a text {intake.as_text}, as a name only "
        f"{len(intake.as_name) - empty_names} (and {empty_names} as an empty name), refused as a text "
        f"{intake.refused_text}, too long for a name {intake.refused_name}, refused both ways {intake.refused}; "
        f"{len(stored)} questions on the console and the MC's queue, {len(stage)} on the projector, the "
        f"chair's and the site screen ({RELOADED} reloaded), {DETAILED} in the console's detail; {entries} audit "
        f"entries in CSV, XLSX and HTML; {laps}"
    )


# ---------------------------------------------------------------- a phone in Chromium


def phone_batch() -> list[str]:
    """Strings a young person might paste into the form: markup and script first, then the Unicode
    that breaks layouts (right-to-left overrides, emoji, stacked diacritics); each a valid question."""
    patterns = [
        r"<script", r"javascript:", r"onerror", r"<svg", r"<iframe", r"</textarea", r"<!--", r"\{\{|\$\{",
        r"<img", r"&[#\w]+;", r"[\u202a-\u202e\u2066-\u2069]", r"[\U0001F300-\U0001FAFF]", r"[\u0300-\u036f]{3}",
    ]  # fmt: skip
    picks: list[str] = []
    for pattern in patterns:
        found = [s for s in CORPUS if re.search(pattern, s, re.I) and len(s) <= 400 and any(c.isalnum() for c in s)]
        picks.extend(spread(found, 6))
    return list(dict.fromkeys(picks))


def test_a_phone_shows_the_hostile_questions_it_sent_exactly_as_stored(make_server, screens, connect_staff):
    """A young person's phone (Chromium, 390×844) sends a batch of script and markup strings through
    its form, each also as the asker's name; "Câu hỏi của tôi" shows each exactly as the server
    stored it, live, as the secretariat approves them, and after a reload."""
    server = make_server(env=LIMITS)
    moderator = connect_staff(server, "moderator")
    watch = Watch(screens)
    phone = watch.phone(server, "hall")
    page = phone.page
    batch = phone_batch()
    assert len(batch) >= 60

    for s in batch:
        page.get_by_label("Câu hỏi của bạn").fill(s)
        if len(s) <= 80:
            page.locator("#consent-name").check()  # the form unticks it after each question
            page.get_by_label("Họ và tên").fill(s)
        page.get_by_role("button", name="Gửi câu hỏi").click()
    expect(page.locator("#mine li[data-status=received]")).to_have_count(len(batch), timeout=30_000)
    stored = stored_questions(moderator)
    assert len(stored) == len(batch)

    def mine_as_stored() -> None:
        shown = texts_by_id(phone, "#mine li", ".qt")
        assert {i: v for i, v in shown.items() if v != [stored[i]["text"], None, 0]} == {}
        assert set(shown) == set(stored)

    mine_as_stored()
    for q in list(stored.values())[:10]:
        approve(moderator, q)
    expect(page.locator("#mine li[data-status=approved]")).to_have_count(10)
    mine_as_stored()
    assert tripped(phone) == []
    page.reload()
    expect(page.locator("#conn")).to_have_text("Đã kết nối")
    expect(page.locator("#mine li")).to_have_count(len(batch))
    mine_as_stored()
    watch.assert_nothing_ran(phone)
    screens.assert_clean()
    print(f"\nphone: {len(batch)} strings typed, sent and shown in Câu hỏi của tôi")


# ---------------------------------------------------------------- helpers


def together(clients: list, items: list, work) -> list:
    """``work(client, item)`` for every item, each client taking every n-th item in a thread of its
    own (a client waits for each acknowledgement: several keep the server busy); results in order."""

    def share(k: int) -> list:
        return [work(clients[k], item) for item in items[k :: len(clients)]]

    with concurrent.futures.ThreadPoolExecutor(len(clients)) as pool:
        shares = list(pool.map(share, range(len(clients))))
    return [shares[n % len(clients)][n // len(clients)] for n in range(len(items))]


def approve(moderator, question: dict) -> int:
    """The secretariat approves ``question``; its new version."""
    reply = moderator.call("question.approve", {"id": question["id"], "version": question["version"]}, timeout=30)
    assert reply["ok"], reply
    return reply["question"]["version"]


class Laps:
    """How long each part of a shard took (printed with ``-s``)."""

    def __init__(self) -> None:
        self.start = self.last = time.monotonic()
        self.laps: list[str] = []

    def __call__(self, name: str) -> None:
        now = time.monotonic()
        self.laps.append(f"{name} {now - self.last:.0f}s")
        self.last = now

    def __str__(self) -> str:
        return f"{time.monotonic() - self.start:.0f}s ({', '.join(self.laps)})"
