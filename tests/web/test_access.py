"""Signing in with a PIN per role, guessing limited per role and per address, and revoking: a
renewed link or a changed PIN drops the screens it opened within 2 seconds, on every process.

Real ``live serve`` processes (eventlet and gevent), real HTTP with CSRF tokens, real Socket.IO
clients, a real Redis shared by two processes, and Chromium for the sign-in page.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests
import socketio
from browser import wait_until
from conftest import Staff
from test_cluster import cluster  # noqa: F401  (the fixture: two processes sharing one Redis)
from test_realtime import try_connect

from live.core.pins import LOCK, ROLE_LIMIT
from live.services.day import Day
from live.store import SqliteStore

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
MC_PIN, CHAIR_PIN, NEW_PIN = "482913", "730518264", "615042"
ROOT = Path(__file__).resolve().parents[2]
WRONG = ["713904", "520866", "394417", "861205", "275530", "908143"]
REFUSED = "Mã PIN không đúng, hoặc vai trò này chưa được đặt mã PIN."
ERROR = re.compile(r'id="(?:pin|form)-error">([^<]*)<')
DROP_WITHIN = 2.0  # seconds from the admin's renewal to the socket being dropped


# ---------------------------------------------------------------- helpers


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page must carry a CSRF token"
    return match.group(1)


def message(response: requests.Response) -> str:
    found = ERROR.search(response.text)
    return found.group(1).replace("&#39;", "'") if found else ""


class Admin:
    """The secretary at the admin page of one process, in a browser that followed the admin link."""

    def __init__(self, server) -> None:
        self.server = server
        self.http = requests.Session()
        page = self.http.get(server.links()["admin"], timeout=5)
        assert page.status_code == 200 and page.url.endswith("/admin/"), page.status_code
        self.token = csrf_of(page.text)

    def page(self) -> str:
        response = self.http.get(f"{self.server.url}/admin/", timeout=5)
        assert response.status_code == 200
        return response.text

    def post(self, path: str, **fields) -> requests.Response:
        return self.http.post(
            f"{self.server.url}{path}", data={"csrf_token": self.token, **fields}, allow_redirects=False, timeout=10
        )

    def set_pin(self, role: str, pin: str, again: str | None = None) -> requests.Response:
        return self.post(f"/admin/pins/{role}", pin=pin, again=pin if again is None else again)

    def renew_link(self, role: str) -> None:
        assert self.post(f"/admin/links/{role}").status_code == 303


def sign_in(server, role: str, pin: str, browser: requests.Session | None = None, address: str | None = None):
    """Fill in /dang-nhap like a person: open the form, choose the role, type the PIN, press the button."""
    browser = browser or requests.Session()
    headers = {"X-Forwarded-For": address} if address else {}
    form = browser.get(f"{server.url}/dang-nhap", headers=headers, timeout=5)
    assert form.status_code == 200
    response = browser.post(
        f"{server.url}/dang-nhap",
        data={"csrf_token": csrf_of(form.text), "role": role, "pin": pin},
        headers=headers,
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code < 500, response.text[:500]
    return response, browser


def cookie_of(browser: requests.Session) -> str:
    return f"live_session={browser.cookies['live_session']}"


@pytest.fixture
def connect_cookie():
    """``connect_cookie(server, cookie, screen)`` → a Socket.IO client holding that session."""
    opened: list[Staff] = []

    def connect(server, cookie: str, screen: str) -> Staff:
        client = socketio.Client(reconnection=False)
        staff = Staff(client)
        client.on("*", lambda event, data=None: staff.received.append((event, data)))
        client.connect(server.url, headers={"Cookie": cookie}, auth={"screen": screen}, transports=["websocket"])
        opened.append(staff)
        return staff

    yield connect
    for staff in opened:
        try:
            staff.close()
        except Exception:
            pass


def dropped_within(staff: Staff, since: float, seconds: float = DROP_WITHIN) -> float:
    """How long after ``since`` the server dropped ``staff``'s socket; fails after ``seconds``."""
    while time.monotonic() - since < seconds + 0.5:
        if not staff.client.connected:
            took = time.monotonic() - since
            assert took <= seconds, f"dropped after {took:.2f} s"
            return took
        time.sleep(0.02)
    raise AssertionError(f"still connected {seconds} s after the revocation")


def stays_connected(staff: Staff) -> None:
    assert staff.client.connected
    assert staff.call("time.sync")["ok"] is True


def unlock_minute(locked_at: float) -> str:
    """The HH:MM (Hà Nội, 24-hour) a lockout started at ``locked_at`` ends, as the page says it."""
    return dt.datetime.fromtimestamp(math.ceil((locked_at + LOCK) / 60) * 60, ZONE).strftime("%H:%M")


def stored_text(server) -> str:
    """Everything the embedded store holds, as text."""
    with sqlite3.connect(server.data_dir / "live.sqlite3") as db:
        return "\n".join(str(row) for row in db.execute("SELECT key, value FROM docs"))


# ---------------------------------------------------------------- A: a PIN per role


def test_the_admin_sets_a_pin_and_the_mc_signs_in_with_it(server, connect_cookie):
    admin = Admin(server)
    assert "Chưa đặt mã PIN" in admin.page()
    done = admin.set_pin("mc", MC_PIN)
    assert done.status_code == 303 and done.headers["Location"].endswith("#pins")
    page = admin.page()
    assert "Đã đặt mã PIN cho vai trò Người dẫn chương trình (MC)." in page
    assert re.search(r"Đã đặt mã PIN lúc \d\d:\d\d \d\d/\d\d/\d{4}", page)
    assert MC_PIN not in page, "a PIN is never shown again"

    response, browser = sign_in(server, "mc", MC_PIN)
    assert response.status_code == 303 and response.headers["Location"].endswith("/mc")
    assert browser.get(f"{server.url}/mc", timeout=5).status_code == 200
    assert browser.get(f"{server.url}/chair", timeout=5).status_code == 403, "only the role signed in"
    mc = connect_cookie(server, cookie_of(browser), "mc")
    assert mc.call("clock.start")["ok"] is True

    # only a salted hash is kept; the PIN is in no log and nowhere in the store
    assert MC_PIN not in stored_text(server)
    assert "scrypt:" in stored_text(server)
    assert MC_PIN not in server.log()
    assert "pin used role=mc from 127.0.0.1" in server.log()


def test_the_front_page_offers_the_pin_sign_in(server):
    home = requests.get(server.url + "/", timeout=5)
    assert 'href="/dang-nhap"' in home.text and "Đăng nhập bằng mã PIN" in home.text
    form = requests.get(server.url + "/dang-nhap", timeout=5)
    assert form.status_code == 200
    assert "Vai trò" in form.text and "Mã PIN" in form.text and "<script" not in form.text
    english = requests.get(server.url + "/dang-nhap", cookies={"live_lang": "en"}, timeout=5)
    assert "Sign in with a PIN" in english.text


def test_a_refusal_never_tells_whether_the_role_has_a_pin(server):
    Admin(server).set_pin("mc", MC_PIN)
    wrong, _ = sign_in(server, "mc", WRONG[0])
    unset, _ = sign_in(server, "projector", WRONG[0])  # the projector has no PIN
    assert wrong.status_code == unset.status_code == 403
    assert message(wrong) == message(unset) == REFUSED
    assert requests.get(f"{server.url}/mc", cookies=wrong.cookies, timeout=5).status_code == 403


def test_five_wrong_pins_lock_the_role_for_everyone_and_say_until_when(server):
    admin = Admin(server)
    admin.set_pin("mc", MC_PIN)
    admin.set_pin("chair", CHAIR_PIN)
    for typed in WRONG[: ROLE_LIMIT - 1]:
        response, _ = sign_in(server, "mc", typed)
        assert response.status_code == 403 and message(response) == REFUSED
    locked_at = time.time()
    fifth, _ = sign_in(server, "mc", WRONG[ROLE_LIMIT - 1], browser=requests.Session())  # another device
    said = message(fifth)
    assert fifth.status_code == 429, said
    assert said.startswith("Đăng nhập bằng mã PIN cho vai trò Người dẫn chương trình (MC) đang tạm khóa")
    until = re.search(r"Mở lại lúc (\d\d:\d\d)\.$", said).group(1)
    assert until in {unlock_minute(locked_at - 1), unlock_minute(locked_at), unlock_minute(locked_at + 2)}
    assert int(fifth.headers["Retry-After"]) > LOCK - 30

    # while locked, even the right PIN is not checked: the MC must use the link or wait
    right, browser = sign_in(server, "mc", MC_PIN)
    assert right.status_code == 429 and f"Mở lại lúc {until}." in message(right)
    assert browser.get(f"{server.url}/mc", timeout=5).status_code == 403
    # another role still signs in
    chair, _ = sign_in(server, "chair", CHAIR_PIN)
    assert chair.status_code == 303 and chair.headers["Location"].endswith("/chair")

    log = server.log()
    assert log.count("WARNING live.access pin refused role=mc from 127.0.0.1") == ROLE_LIMIT
    assert log.count("WARNING live.access pin lockout role=mc scope=role from 127.0.0.1") == 1
    assert "pin refused while locked role=mc scope=role from 127.0.0.1" in log
    for typed in [*WRONG, MC_PIN, CHAIR_PIN]:
        assert typed not in log, "a PIN typed never reaches the log"


def test_guessing_is_limited_per_role_across_addresses_and_per_address_across_roles(make_server, async_mode):
    server = make_server(async_mode, env={"LIVE_PROXY_HOPS": "1"})  # behind nginx: X-Forwarded-For counts
    admin = Admin(server)
    admin.set_pin("mc", MC_PIN)
    admin.set_pin("chair", CHAIR_PIN)

    # five devices, one wrong PIN each: the MC's PIN sign-in is locked for a sixth one too
    for i in range(ROLE_LIMIT):
        sign_in(server, "mc", WRONG[i], address=f"10.8.0.{i + 1}")
    sixth, _ = sign_in(server, "mc", MC_PIN, address="10.8.0.99")
    assert sixth.status_code == 429 and "vai trò Người dẫn chương trình (MC)" in message(sixth)

    # one device trying every other role, two guesses each: that device is locked, not the roles
    roles = ["admin", "moderator", "chair", "projector", "site", "qr-sheet"]
    said = ""
    for i in range(10):
        response, _ = sign_in(server, roles[i % len(roles)], WRONG[i % len(WRONG)], address="10.9.0.7")
        said = message(response)
    assert said.startswith("Thiết bị này đã nhập sai mã PIN nhiều lần"), said
    blocked, _ = sign_in(server, "chair", CHAIR_PIN, address="10.9.0.7")
    assert blocked.status_code == 429 and message(blocked) == said
    elsewhere, _ = sign_in(server, "chair", CHAIR_PIN, address="10.9.0.8")
    assert elsewhere.status_code == 303

    log = server.log()
    assert "pin refused role=mc from 10.8.0.3" in log
    assert "pin refused role=projector from 10.9.0.7" in log
    assert "pin lockout role=mc scope=role from 10.8.0.5" in log
    assert re.search(r"pin lockout role=\S+ scope=address from 10\.9\.0\.7", log)


@pytest.mark.parametrize(
    ("fields", "status", "says"),
    [
        ({"role": "mc", "pin": "12345"}, 400, "Mã PIN gồm từ 6 đến 12 chữ số."),
        ({"role": "mc", "pin": "48291a"}, 400, "Mã PIN gồm từ 6 đến 12 chữ số."),
        ({"role": "mc", "pin": "4" * 5000}, 400, "Mã PIN gồm từ 6 đến 12 chữ số."),
        ({"role": "mc"}, 400, "Mã PIN gồm từ 6 đến 12 chữ số."),
        ({"role": "president", "pin": MC_PIN}, 400, "Vai trò không tồn tại."),
        ({"role": "mc\r\nFAKE pin used role=admin", "pin": MC_PIN}, 400, "Vai trò không tồn tại."),
        ({"pin": MC_PIN}, 400, "Vai trò không tồn tại."),
    ],
)
def test_malformed_sign_ins_are_explained_and_never_counted(make_server, fields, status, says):
    server = make_server()
    Admin(server).set_pin("mc", MC_PIN)
    browser = requests.Session()
    token = csrf_of(browser.get(f"{server.url}/dang-nhap", timeout=5).text)
    for _ in range(ROLE_LIMIT + 1):
        response = browser.post(f"{server.url}/dang-nhap", data={"csrf_token": token, **fields}, timeout=10)
        assert response.status_code == status and message(response) == says
    right, _ = sign_in(server, "mc", MC_PIN)
    assert right.status_code == 303, "none of those counted as a guess"
    assert not any(line.startswith("FAKE") for line in server.log().splitlines()), "no forged log line"
    assert "Traceback" not in server.log()


def test_a_sign_in_without_its_csrf_token_is_refused(server):
    Admin(server).set_pin("mc", MC_PIN)
    browser = requests.Session()
    browser.get(f"{server.url}/dang-nhap", timeout=5)  # a session, but no token in the form
    forged = browser.post(f"{server.url}/dang-nhap", data={"role": "mc", "pin": MC_PIN}, timeout=5)
    assert forged.status_code == 400 and "Phiên làm việc đã hết hạn" in forged.text
    assert browser.get(f"{server.url}/mc", timeout=5).status_code == 403


@pytest.mark.parametrize(
    ("pin", "again", "says"),
    [
        ("12345", "12345", "Mã PIN gồm từ 6 đến 12 chữ số."),
        ("4829130571649", "4829130571649", "Mã PIN gồm từ 6 đến 12 chữ số."),
        ("482913", "482914", "Hai lần nhập mã PIN không giống nhau. Vui lòng nhập lại."),
        ("123456", "123456", "Mã PIN quá dễ đoán"),
        ("000000", "000000", "Mã PIN quá dễ đoán"),
    ],
)
def test_the_admin_is_told_what_is_wrong_with_a_pin_and_nothing_is_stored(make_server, pin, again, says):
    server = make_server()
    admin = Admin(server)
    response = admin.set_pin("mc", pin, again)
    assert response.status_code == 400 and message(response).startswith(says)
    assert f'value="{pin}"' not in response.text
    assert re.search(r'name="pin"[^>]*aria-invalid="true"', response.text)
    assert "Đã đặt mã PIN lúc" not in admin.page()
    refused, _ = sign_in(server, "mc", pin if len(pin) in range(6, 13) else MC_PIN)
    assert refused.status_code == 403


def test_only_the_admin_sets_pins(server):
    Admin(server).set_pin("mc", MC_PIN)
    _, mc = sign_in(server, "mc", MC_PIN)
    assert mc.get(f"{server.url}/mc", timeout=5).status_code == 200
    page = mc.get(f"{server.url}/dang-nhap", timeout=5)  # a valid CSRF token of this session
    response = mc.post(
        f"{server.url}/admin/pins/mc",
        data={"csrf_token": csrf_of(page.text), "pin": "999111", "again": "999111"},
        allow_redirects=False,
        timeout=5,
    )
    assert response.status_code == 403
    assert sign_in(server, "mc", MC_PIN)[0].status_code == 303, "the PIN is unchanged"


def test_the_admin_who_changes_the_admin_pin_stays_signed_in(server):
    Admin(server).set_pin("admin", "604172")
    _, browser = sign_in(server, "admin", "604172")
    page = browser.get(f"{server.url}/admin/", timeout=5)
    token = csrf_of(page.text)
    done = browser.post(
        f"{server.url}/admin/pins/admin", data={"csrf_token": token, "pin": "839201", "again": "839201"}, timeout=10
    )
    assert done.status_code == 200 and "Đã đặt mã PIN cho vai trò Quản trị." in done.text
    assert sign_in(server, "admin", "604172")[0].status_code == 403, "the old PIN no longer signs in"
    assert sign_in(server, "admin", "839201")[0].status_code == 303


def test_a_pin_is_hashed_and_checked_by_the_days_thread_runner(tmp_path):
    """Setting and checking a PIN go through ``Day.in_thread`` (``__main__.run`` makes it a native
    thread under eventlet and gevent): the hash is never computed anywhere else."""
    day = Day(SqliteStore(str(tmp_path)))
    day.setup(demo=True)
    ran = []
    day.in_thread = lambda fn, *args: ran.append(fn.__name__) or fn(*args)
    day.set_pin("mc", MC_PIN, MC_PIN)
    assert ran == ["generate_password_hash"]
    assert day.pin_sign_in("mc", MC_PIN, "10.0.0.7").mark is not None
    assert day.pin_sign_in("chair", MC_PIN, "10.0.0.7").mark is None  # no PIN: the decoy, checked the same way
    assert ran == ["generate_password_hash", "check_password_hash", "_decoy_hash", "check_password_hash"]


NATIVE = """
import sys
mode = sys.argv[1]
if mode == "gevent":
    from gevent import monkey; monkey.patch_all()
    import gevent; spawn, sleep = gevent.spawn, gevent.sleep
else:
    import eventlet; eventlet.monkey_patch(); spawn, sleep = eventlet.spawn, eventlet.sleep
from werkzeug.security import check_password_hash, generate_password_hash
from live.transport import direct

ticks = 0
def tick():  # every other connection of the server, in one green thread
    global ticks
    while True:
        sleep(0.001)
        ticks += 1
spawn(tick)
sleep(0.01)
stored = generate_password_hash("482913")
counts = []
for run in (lambda fn, *args: fn(*args), direct.native(mode)):
    before = ticks
    assert run(check_password_hash, stored, "482913") is True
    assert run(check_password_hash, stored, "482914") is False
    counts.append(ticks - before)
print(*counts)
"""


@pytest.mark.parametrize("mode", ["eventlet", "gevent"])
def test_while_a_pin_is_checked_the_other_connections_go_on(mode):
    """A PIN's scrypt hash takes ~0.1 s of a core: on the loop every connection waits for it (no
    tick of the green thread beside it), in ``direct.native``'s thread they go on."""
    done = subprocess.run([sys.executable, "-c", NATIVE, mode], capture_output=True, text=True, timeout=60,
                          cwd=ROOT, env={**os.environ, "PYTHONWARNINGS": "ignore"})  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    on_loop, in_thread = map(int, done.stdout.split())
    assert on_loop <= 1, "the check ran on the loop"
    assert in_thread >= 10


# ---------------------------------------------------------------- B: revoking drops the screens


def test_changing_or_clearing_a_pin_drops_the_screens_it_opened(server, connect_cookie, connect_staff):
    admin = Admin(server)
    admin.set_pin("mc", MC_PIN)
    _, tablet = sign_in(server, "mc", MC_PIN)
    by_pin = connect_cookie(server, cookie_of(tablet), "mc")
    by_link = connect_staff(server, "mc")  # the MC's other device came by link: not affected

    asked = time.monotonic()
    assert admin.set_pin("mc", NEW_PIN).status_code == 303
    dropped_within(by_pin, asked)
    stays_connected(by_link)
    assert by_pin.last("access.revoked") == {"role": "mc"}, "the page is told, and reloads"
    assert tablet.get(f"{server.url}/mc", timeout=5).status_code == 403
    assert try_connect(server, cookie_of(tablet), {"screen": "mc"}) is False

    # the new PIN signs in; clearing it drops that screen too
    _, tablet = sign_in(server, "mc", NEW_PIN)
    again = connect_cookie(server, cookie_of(tablet), "mc")
    asked = time.monotonic()
    assert admin.post("/admin/pins/mc/clear").status_code == 303
    dropped_within(again, asked)
    assert try_connect(server, cookie_of(tablet), {"screen": "mc"}) is False
    assert sign_in(server, "mc", NEW_PIN)[0].status_code == 403
    stays_connected(by_link)
    assert "Chưa đặt mã PIN" in admin.page()


def test_renewing_a_link_drops_its_open_screens_within_two_seconds(server, connect_staff):
    mc = connect_staff(server, "mc")
    old_cookie = f"live_session={requests.Session().get(server.link('mc'), timeout=5).cookies['live_session']}"
    projector = connect_staff(server, "projector")
    admin = Admin(server)
    admin_screen = connect_staff(server, "admin", screen="mc")  # the admin rehearsing on the MC screen

    asked = time.monotonic()
    admin.renew_link("mc")
    dropped_within(mc, asked)
    stays_connected(projector)
    stays_connected(admin_screen)  # it holds "admin", which was not renewed
    assert try_connect(server, old_cookie, {"screen": "mc"}) is False
    assert "revoked: dropping" in server.log() and "Traceback" not in server.log()


def test_a_renewal_through_one_process_drops_the_screen_on_another(cluster, connect_staff, connect_cookie):  # noqa: F811
    _redis, (a, b) = cluster(2)
    mc_on_b = connect_staff(b, "mc")
    old_cookie = f"live_session={requests.Session().get(b.link('mc'), timeout=5).cookies['live_session']}"
    projector_on_b = connect_staff(b, "projector")
    admin = Admin(a)

    asked = time.monotonic()
    admin.renew_link("mc")
    took = dropped_within(mc_on_b, asked)
    stays_connected(projector_on_b)
    assert try_connect(b, old_cookie, {"screen": "mc"}) is False
    assert try_connect(a, old_cookie, {"screen": "mc"}) is False
    assert "revoked: dropping" in b.log()
    print(f"dropped on the other process after {took:.2f} s")

    # a PIN changed through A drops the screen it opened on B; the lockout is shared as well
    admin.set_pin("chair", CHAIR_PIN)
    _, desk = sign_in(b, "chair", CHAIR_PIN)
    chair_on_b = connect_cookie(b, cookie_of(desk), "chair")
    asked = time.monotonic()
    assert admin.set_pin("chair", NEW_PIN).status_code == 303
    dropped_within(chair_on_b, asked)
    for i in range(ROLE_LIMIT):
        sign_in(a if i % 2 else b, "chair", WRONG[i])
    locked, _ = sign_in(a, "chair", NEW_PIN)
    assert locked.status_code == 429, "five wrong PINs through two processes lock the role on both"


def test_the_watch_survives_redis_going_away(cluster, connect_staff):  # noqa: F811
    redis, (a, b) = cluster(2)
    mc_on_b = connect_staff(b, "mc")
    admin = Admin(a)
    sid = mc_on_b.client.get_sid()
    redis.kill9()
    # the watch has met the outage (it looks every half second) ...
    wait_until(lambda: "revocation watch paused" in b.log(), timeout=10, message="the watch meeting the outage")
    # ... and goes on looking while Redis stays away: kept, the outage must last a few looks
    time.sleep(2.0)
    assert a.proc.poll() is None and b.proc.poll() is None
    assert mc_on_b.client.connected, "a store outage drops nobody"
    assert mc_on_b.client.get_sid() == sid and "revoked: dropping" not in b.log(), "nor drops and lets back in"
    redis.start()  # the same port and append-only file
    deadline = time.monotonic() + 15
    while True:  # until the admin page can write again
        response = admin.post("/admin/links/mc")
        if response.status_code == 303:
            break
        assert time.monotonic() < deadline, response.status_code
        time.sleep(0.3)
    asked = time.monotonic()
    dropped_within(mc_on_b, asked - 0.1, seconds=DROP_WITHIN + 0.5)
    assert b.log().count("revocation watch paused") == 1, "logged once, not every half second"
    assert "revocation watch resumed" in b.log()


# ---------------------------------------------------------------- in Chromium


@pytest.mark.browser
def test_signing_in_with_a_pin_in_chromium(make_server, browser, artifacts):
    server = make_server()
    Admin(server).set_pin("mc", MC_PIN)
    problems: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    page.on("pageerror", lambda e: problems.append(str(e)))
    try:
        page.goto(server.url + "/")
        page.get_by_role("link", name="Đăng nhập bằng mã PIN").click()
        page.wait_for_url(re.compile(r"/dang-nhap$"))
        page.get_by_label("Vai trò").select_option("mc")
        page.get_by_label("Mã PIN").fill(MC_PIN)
        page.get_by_role("button", name="Đăng nhập").click()
        page.wait_for_url(re.compile(r"/mc$"))
        page.wait_for_function("() => document.querySelector('#conn.conn-ok') !== null")
        assert MC_PIN not in page.url

        # five wrong PINs for the chairman's role: the page says it is locked, and until when
        other = context.new_page()
        other.on("console", lambda m: m.type == "error" and problems.append(m.text))
        other.goto(server.url + "/dang-nhap")
        for typed in WRONG[:ROLE_LIMIT]:
            other.get_by_label("Vai trò").select_option("chair")
            other.get_by_label("Mã PIN").fill(typed)
            locked_at = time.time()
            other.get_by_role("button", name="Đăng nhập").click()
            other.wait_for_load_state()
        said = other.locator("#pin-error").inner_text()
        assert "Đăng nhập bằng mã PIN cho vai trò Chủ tịch đang tạm khóa" in said
        assert re.search(r"Mở lại lúc (\d\d:\d\d)\.", said).group(1) in {
            unlock_minute(locked_at - 2),
            unlock_minute(locked_at),
            unlock_minute(locked_at + 2),
        }
        assert other.get_by_label("Vai trò").input_value() == "chair"
        other.screenshot(path=str(artifacts / "pin-locked.png"))

        # the admin changes the MC's PIN: the MC tablet shows that it needs a valid link or PIN
        Admin(server).set_pin("mc", NEW_PIN)
        page.get_by_text("Không có quyền truy cập").wait_for(timeout=4000)
        allowed = re.compile(r"status of (403|429)")
        assert not [p for p in problems if not allowed.search(p)], problems
    finally:
        context.close()
