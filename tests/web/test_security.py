"""What protects the day from the outside: headers and cookies on every page, Socket.IO refusing
other origins, CSRF on every state-changing request, one authorisation table walked whole (every
refused event changes nothing and broadcasts nothing), and log lines user text cannot forge."""

from __future__ import annotations

import re
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest
import websocket
from browser import wait_until
from conftest import session_cookie, settled

from live.core import access, events
from live.web.security import one_line

# ---------------------------------------------------------------- headers and cookies


def fetch(url: str, cookie: str = "", headers: dict | None = None):
    request = urllib.request.Request(url, headers={**({"Cookie": cookie} if cookie else {}), **(headers or {})})
    opener = urllib.request.build_opener(NoRedirect)
    try:
        response = opener.open(request, timeout=5)
    except urllib.error.HTTPError as error:
        response = error
    body = response.read()
    return response.status if hasattr(response, "status") else response.code, response.headers, body


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


PAGES = [  # (path, the role whose session opens it; None: public)
    ("/", None),
    ("/q/hall", None),
    ("/q/1304", None),
    ("/healthz", None),
    ("/quyen-rieng-tu", None),  # the privacy notice
    ("/static/css/live.css", None),
    ("/no-such-page", None),
    ("/mc", None),  # without a session: the 403 page carries the headers too
    ("/admin/", "admin"),
    ("/admin/audit", "admin"),
    ("/moderator", "moderator"),
    ("/mc", "mc"),
    ("/chair", "chair"),
    ("/projector", "projector"),
    ("/site", "site"),
    ("/site/1304", "site"),
    ("/qr", "qr-sheet"),
    ("/qr/1304.svg", "qr-sheet"),
]


def csp_directives(header: str) -> dict[str, str]:
    return {part.split()[0]: part.strip() for part in header.split(";") if part.strip()}


def test_every_page_carries_a_strict_policy_and_its_companions(make_server):
    server = make_server("eventlet")
    cookies = {role: session_cookie(server.link(role)) for role in access.ROLES}
    for path, role in PAGES:
        status, headers, body = fetch(server.url + path, cookies.get(role, ""))
        assert status < 500, (path, status)
        csp = csp_directives(headers["Content-Security-Policy"] or "")
        assert csp["script-src"] == "script-src 'self'", path
        assert "unsafe" not in headers["Content-Security-Policy"], path
        for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "default-src 'self'"):
            assert directive in csp.values(), (path, directive)
        assert headers["X-Content-Type-Options"] == "nosniff", path
        assert headers["Referrer-Policy"] == "no-referrer", path
        assert "Strict-Transport-Security" not in headers, "no HSTS over plain http"
        assert b"Traceback" not in body and b"Werkzeug" not in body, path
        assert "Werkzeug" not in (headers["Server"] or ""), "no version string"


def test_over_https_behind_a_proxy_hsts_and_secure_cookies(make_server):
    server = make_server("eventlet", env={"LIVE_PROXY_HOPS": "1"}, public="https://hoinghi.example.gov.vn")
    https = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "hoinghi.example.gov.vn"}
    status, headers, _ = fetch(server.url + "/", headers=https)
    assert status == 200
    assert headers["Strict-Transport-Security"].startswith("max-age=")

    path = urllib.parse.urlparse(server.link("mc")).path
    status, headers, _ = fetch(server.url + path, headers=https)
    assert status == 303 and headers["Location"].endswith("/mc"), "the secret leaves the address bar"
    session = next(c for c in headers.get_all("Set-Cookie") if c.startswith("live_session="))
    flags = {part.strip().lower() for part in session.split(";")[1:]}
    assert {"secure", "httponly", "samesite=lax"} <= flags

    status, headers, _ = fetch(server.url + "/q/hall", headers=https)
    device = next(c for c in headers.get_all("Set-Cookie") if c.startswith("live_device="))
    assert {"secure", "httponly", "samesite=lax"} <= {part.strip().lower() for part in device.split(";")[1:]}


def test_cookies_over_plain_http_are_httponly_and_samesite(make_server):
    server = make_server("eventlet")
    path = urllib.parse.urlparse(server.link("projector")).path
    _, headers, _ = fetch(server.url + path)
    session = next(c for c in headers.get_all("Set-Cookie") if c.startswith("live_session="))
    flags = {part.strip().lower() for part in session.split(";")[1:]}
    assert {"httponly", "samesite=lax"} <= flags and "secure" not in flags


# ---------------------------------------------------------------- Socket.IO origins


def ws_handshake(server, origin: str | None, cookie: str = "") -> bool:
    url = "ws" + server.url.removeprefix("http") + "/socket.io/?EIO=4&transport=websocket"
    headers = [f"Cookie: {cookie}"] if cookie else []
    try:
        ws = websocket.create_connection(url, timeout=5, origin=origin, header=headers, suppress_origin=origin is None)
    except (websocket.WebSocketException, OSError):
        return False
    try:
        return ws.recv().startswith("0{")  # the Engine.IO open packet
    finally:
        ws.close()


def test_socketio_refuses_pages_of_other_origins_at_the_handshake(server):
    cookie = session_cookie(server.link("mc"))
    assert ws_handshake(server, server.url, cookie), "our own pages connect"
    for evil in ("http://evil.example", "null", server.url + ".evil.example", "http://127.0.0.1:1"):
        assert not ws_handshake(server, evil, cookie), evil
    status, headers, body = fetch(
        server.url + "/socket.io/?EIO=4&transport=polling", cookie, {"Origin": "http://evil.example"}
    )
    assert status == 400 and "Access-Control-Allow-Origin" not in headers
    assert b"Traceback" not in body


# ---------------------------------------------------------------- CSRF


def test_every_state_changing_http_request_needs_the_csrf_token(make_server, tmp_path):
    from live import create_app

    app = create_app({"DATA_DIR": str(tmp_path / "probe"), "ASYNC_MODE": "threading"})
    posts = sorted(
        {rule.rule for rule in app.url_map.iter_rules() if rule.methods & {"POST", "PUT", "PATCH", "DELETE"}}
    )
    assert posts, "the admin page has forms"
    server = make_server("eventlet")
    admin = session_cookie(server.link("admin"))
    day_before = server.health()["seq"]
    for rule in posts:
        path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: "mc" if m.group(1) == "role" else "x", rule)
        request = urllib.request.Request(
            server.url + path,
            data=b"title=Chi%E1%BA%BFm+quy%E1%BB%81n",
            headers={"Cookie": admin, "Content-Type": "application/x-www-form-urlencoded"},
            method="POST",
        )
        try:
            urllib.request.urlopen(request, timeout=5)
            raise AssertionError(f"{path} accepted a POST without a CSRF token")
        except urllib.error.HTTPError as error:
            assert error.code == 400, (path, error.code)
            assert "Phiên làm việc đã hết hạn" in error.read().decode()
    assert server.health()["seq"] == day_before, "nothing changed"


# ---------------------------------------------------------------- the authorisation table, walked whole

PAYLOADS = {
    "clock.jump": {"item": "a2"},
    "clock.adjust": {"seconds": 60},
    "speaker.start": {"seconds": 120},
    "question.submit": {"site": "hall", "text": "Câu hỏi không được phép gửi từ màn hình này"},
    "question.mine": {"ids": []},
    "question.enter": {"site": "hall", "text": "Câu hỏi ghi từ phiếu", "channel": "paper"},
    "question.reject": {"reason": "other"},
    "question.edit": {"text": "Sửa trái phép"},
    "question.assign": {"theme": "t1"},
    "question.note": {"notes": "ghi chú"},
    "question.order": {"after": None},
    "question.forward": {"department": "d1"},
    "floor.give": {"site": "1304"},
    "floor.dismiss": {"site": "1304"},
}
OBSERVERS = ("moderator", "mc", "projector", "chair")


def test_every_refused_event_changes_nothing_and_broadcasts_nothing(make_server, connect_staff, connect_phone):
    """Every (role, event) the table denies, from every kind of connection, with a payload that
    would succeed for a role allowed to send it: refused with auth.denied, the store's seq does not
    move, and no screen or phone hears anything."""
    server = make_server("eventlet")
    asker = connect_phone(server)
    observers = {role: connect_staff(server, role) for role in OBSERVERS}
    sent = {"id": str(uuid.uuid4()), "site": "hall", "text": "Xin hỏi về việc làm cho thanh niên?"}
    assert asker.call("question.submit", sent)["ok"] is True
    question = next(q for q in observers["moderator"].call("questions.get")["questions"] if q["id"] == sent["id"])
    # what the question sends later, from background tasks: its likely duplicates, its site's count
    observers["moderator"].wait_for(lambda name, data: name == "question.similar" and data["id"] == sent["id"])
    observers["mc"].wait_for(lambda name, data: name == "roll.changed" and data.get("questions") == 1)

    senders = {role: connect_staff(server, role) for role in access.ROLES if role != "site"}
    senders["site"] = connect_staff(server, "site", site="1304")
    senders[access.PUBLIC] = connect_phone(server)
    listeners = [*observers.values(), asker, *senders.values()]
    settled(*listeners)  # what the connections sent (snapshots, the roll call) is in
    heard = [len(one.received) for one in listeners]
    seq = server.health()["seq"]

    refused = 0
    for role, client in senders.items():
        for event in (e.name for e in events.socket_events()):
            if events.may({role}, event):
                continue
            payload = dict(PAYLOADS.get(event, {}))
            if event.startswith("question.") and event not in ("question.submit", "question.mine", "question.enter"):
                payload.update(id=question["id"], version=question["version"])
            if event in ("question.submit", "question.enter"):
                payload["id"] = str(uuid.uuid4())
            reply = client.call(event, payload)
            assert reply["ok"] is False and reply["code"] == "auth.denied", (role, event, reply)
            assert reply["message"], "a sentence for the person at the screen"
            refused += 1
    assert refused > 150, "the walk covered the table"
    assert server.health()["seq"] == seq, "a refused event changed the store"
    # every refused event was answered before the next was sent: what it broadcast went out to
    # each listener before that listener's marker
    settled(*listeners)
    assert [len(one.received) for one in listeners] == heard, "a refused event was broadcast"
    # ... and an unknown event is refused the same way
    assert senders["mc"].call("question.delete", {"id": question["id"]})["code"] == "request.unknown_event"
    log = server.log()
    assert "denied event=question.approve" in log, "denied actions are logged"


# ---------------------------------------------------------------- logs


def test_one_line_escapes_everything_that_could_forge_a_log_line():
    assert one_line("a\nb") == "a\\x0ab"
    assert one_line("a\r\nFAKE 2026-11-21 INFO") == "a\\x0d\\x0aFAKE 2026-11-21 INFO"
    assert one_line("x\u2028y\u2029z\x85w") == "x\\u2028y\\u2029z\\x85w"
    assert one_line("\x1b[31mred") == "\\x1b[31mred"
    assert one_line("ngược \u202eeht") == "ngược \\u202eeht"
    assert one_line("Hội nghị đối thoại\ttab") == "Hội nghị đối thoại tab"


def test_user_text_cannot_forge_a_line_in_the_server_log(make_server, connect_staff):
    import socketio

    server = make_server("eventlet")
    forged = "x\n2026-11-21 09:00:00,000 CRITICAL live.access admin signed in\r\u2028"
    client = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(server.url, auth={"screen": forged}, transports=["websocket"], wait_timeout=5)
    mc = connect_staff(server, "mc")
    assert mc.call(forged, {})["code"] == "request.unknown_event"
    # the unknown event is logged before it is answered, and after the refused connection was
    wait_until(lambda: "unknown event=" in server.log(), message="the unknown event in the log")
    lines = server.log().splitlines()
    assert not any(line.startswith("2026-11-21 09:00:00,000 CRITICAL") for line in lines)
    assert any("denied connect" in line for line in lines)


# ---------------------------------------------------------------- oversize messages


def test_a_10_mb_message_drops_only_its_own_socket(server, connect_staff):
    """The limit is 64 KB per message. A phone sending 10 MB is cut off alone; the MC's tablet
    keeps its answers (gevent-websocket used to stall the whole server for ten seconds here)."""
    mc = connect_staff(server, "mc")
    url = "ws" + server.url.removeprefix("http") + "/socket.io/?EIO=4&transport=websocket"
    cookie = fetch(server.url + "/q/hall")[1].get_all("Set-Cookie")[0].split(";")[0]
    ws = websocket.create_connection(url, header=[f"Cookie: {cookie}"], origin=server.url, timeout=10)
    assert ws.recv().startswith("0{")
    ws.send('40{"screen":"phone","site":"hall"}')
    # the question being answered now comes with the connection (as a staff screen's snapshot
    # does; the Socket.IO client holds events that precede the connect acknowledgement)
    first = ws.recv()
    assert first.startswith("40") or first.startswith('42["question.current"')
    if not first.startswith("40"):
        assert ws.recv().startswith("40")
    answers = []

    def keep_asking():
        for _ in range(20):
            start = time.monotonic()
            assert mc.call("time.sync", timeout=10)["ok"] is True
            answers.append(time.monotonic() - start)
            time.sleep(0.05)

    import threading

    asking = threading.Thread(target=keep_asking)
    asking.start()
    try:
        ws.send('42["question.submit",{"text":"' + "a" * 10_000_000 + '"}]')
        assert ws.recv() in ("", None) or not ws.connected
    except (websocket.WebSocketException, OSError):
        pass  # closed under us: the same outcome
    asking.join(60)
    assert len(answers) == 20, "the MC's tablet kept its connection"
    assert max(answers) < 5, f"the server stalled for {max(answers):.1f} s"
    assert server.proc.poll() is None
    assert b"Traceback" not in server.log().encode()
