"""What makes the server hold ten thousand phones, as a user notices it: an idle phone is sent
nothing while nothing it shows changes (one message per change of the stage), duplicate
suggestions come from an index that finds exactly what comparing every question finds, the phone
page's files arrive gzipped once and whole, and small messages leave at once (TCP_NODELAY)."""

from __future__ import annotations

import gzip
import random
import re
import socket
import urllib.request
import uuid

from conftest import ROOT
from corpora import naughty_strings
from hypothesis import given, settings
from hypothesis import strategies as st

from live.__main__ import no_delay
from live.core import questions as q

# ---------------------------------------------------------------- an idle phone hears nothing


def heard(phone) -> list:
    """What a phone received so far: a reply to it comes after anything the server queued for it."""
    assert phone.call("question.mine", {"ids": []})["ok"]
    return list(phone.received)


def test_a_phone_hears_only_what_it_shows_while_the_day_goes_on(server, connect_staff, connect_phone):
    mc = connect_staff(server, "mc")
    moderator = connect_staff(server, "moderator")
    projector = connect_staff(server, "projector")
    asker = connect_phone(server, site="1304")
    idle = [connect_phone(server, site=site) for site in ("hall", "1304", "1297")]
    # at connection, once: the question being answered now (none yet)
    for phone in (asker, *idle):
        assert [(event, data["question"]) for event, data in heard(phone)] == [("question.current", None)]
        phone.received.clear()

    sent = asker.call("question.submit", {"id": str(uuid.uuid4()), "site": "1304", "text": "Đường vào xã khi nào sửa?"})
    assert sent["ok"], sent
    question = next(x for x in moderator.call("questions.get")["questions"] if x["id"] == sent["id"])
    for name, payload in (("clock.start", {}), ("speaker.start", {"seconds": 60}), ("clock.next", {})):
        assert mc.call(name, payload)["ok"]
    for action, args in (("note", {"notes": "Sở GTVT trả lời"}), ("approve", {})):
        reply = moderator.call(f"question.{action}", {"id": sent["id"], "version": question["version"], **args})
        assert reply["ok"], reply
        question = reply["question"]
    asker.wait_for(lambda e, d: e == "question.status" and d["status"] == "approved")
    # nothing on the stage changed: an idle phone heard nothing at all
    for phone in idle:
        assert heard(phone) == []
    assert {event for event, _ in heard(asker)} == {"question.status"}
    asker.received.clear()

    # one message per change of the stage, the projector's own, and nothing while the clock moves
    seen = []
    for action in ("show", "hide", "show", "answer"):
        reply = mc.call(f"question.{action}", {"id": sent["id"], "version": question["version"]})
        assert reply["ok"], reply
        question = reply["question"]
        seen.append(projector.wait_for(lambda e, d, seq=reply["seq"]: e == "question.current" and d["seq"] == seq))
        assert mc.call("clock.adjust", {"seconds": 60})["ok"]
    assert [d["question"] and d["question"]["id"] for d in seen] == [sent["id"], None, sent["id"], None]
    for phone in idle:
        assert heard(phone) == [("question.current", message) for message in seen]
    assert [event for event, _ in heard(asker)].count("question.current") == len(seen)


# ---------------------------------------------------------------- the duplicate index


def scan(mine, stored, threshold, limit, exclude=None):
    return q.likely_duplicates(mine, [(i, fp) for i, fp in stored if i != exclude], threshold, limit)


def conference_day(n: int, seed: int) -> list[str]:
    """Questions as a day brings them: a few topics from many communes, in many wordings."""
    rng = random.Random(seed)
    topics = [
        "học bổng cho sinh viên nghèo",
        "hỗ trợ thanh niên khởi nghiệp",
        "việc làm cho thanh niên xuất ngũ",
        "đào tạo nghề ở nông thôn",
        "internet ở vùng cao",
        "vay vốn ưu đãi",
        "chuyển đổi số trong nông nghiệp",
    ]
    places = ["xã Quảng Lâm", "phường Thục Phán", "xã Nam Quang", "thành phố", "tỉnh"]
    openers = ["", "Cho em hỏi ", "Xin hỏi ", "Kính thưa đồng chí Chủ tịch, ", "sv hỏi: "]
    return [
        f"{rng.choice(openers)}{rng.choice(topics)} tại {rng.choice(places)} "
        f"{rng.choice(['năm nay', 'sắp tới', ''])} như thế nào {rng.randrange(50)}?"
        for _ in range(n)
    ]


def test_the_index_suggests_what_comparing_every_question_suggests():
    texts = conference_day(600, seed=28) + naughty_strings()[:300]
    texts += texts[:40]  # the same question sent twice: equal scores, the earlier one first
    rng = random.Random(5)
    rng.shuffle(texts)
    index, stored = q.DuplicateIndex(), []
    for n, text in enumerate(texts):
        fp = q.fingerprint(text)
        threshold, limit = rng.choice([(0.4, 5), (0.5, 5), (0.3, 12), (0.9, 3), (0.0, 4), (1.0, 2)])
        assert index.query(fp, threshold, limit) == scan(fp, stored, threshold, limit), text
        index.add(n, fp)
        stored.append((n, fp))
        assert index.query(fp, threshold, limit, exclude=n) == scan(fp, stored, threshold, limit, exclude=n)
    assert len(index) == len(texts)


def test_a_rejected_question_leaves_the_index_and_comes_back_in_its_place():
    texts = conference_day(200, seed=3)
    index = q.DuplicateIndex()
    stored = [(n, q.fingerprint(t)) for n, t in enumerate(texts)]
    for n, fp in stored:
        index.add(n, fp)
    mine = q.fingerprint(texts[0])
    gone = {ident for ident, _ in index.query(mine, 0.4, 5)}
    for ident in gone:
        index.remove(ident)
    left = [(i, fp) for i, fp in stored if i not in gone]
    assert index.query(mine, 0.4, 5) == scan(mine, left, 0.4, 5)
    assert not gone & {ident for ident, _ in index.query(mine, 0.4, 5)}
    for ident in gone:  # reopened
        index.add(ident, stored[ident][1])
    assert index.query(mine, 0.4, 5) == scan(mine, stored, 0.4, 5)
    edited = q.fingerprint("Một câu hỏi hoàn toàn khác về giao thông nông thôn")
    index.add(7, edited)  # an edited text replaces the old trigrams
    stored[7] = (7, edited)
    assert index.query(mine, 0.3, 10) == scan(mine, stored, 0.3, 10)
    assert index.query(edited, 0.3, 10) == scan(edited, stored, 0.3, 10)


words = st.sampled_from(["học", "bổng", "sinh", "viên", "nghèo", "xã", "việc", "làm", "sv", "ko", "ạ", "?", "1", "22"])


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.lists(words, max_size=12).map(" ".join), max_size=40),
    st.lists(words, max_size=12).map(" ".join),
    st.sampled_from([0.0, 0.2, 0.4, 0.5, 0.75, 1.0]),
    st.integers(min_value=0, max_value=8),
    st.data(),
)
def test_the_index_equals_the_scan_for_any_questions(texts, mine_text, threshold, limit, data):
    index, stored = q.DuplicateIndex(), []
    for n, text in enumerate(texts):
        index.add(n, q.fingerprint(text))
        stored.append((n, q.fingerprint(text)))
    removed = data.draw(st.sets(st.integers(min_value=0, max_value=max(len(texts) - 1, 0))))
    for ident in removed:
        index.remove(ident)
    left = [(i, fp) for i, fp in stored if i not in removed]
    mine = q.fingerprint(mine_text)
    assert index.query(mine, threshold, limit) == scan(mine, left, threshold, limit)


# ---------------------------------------------------------------- static files, gzipped once

BROWSER = "gzip, deflate, br, zstd"


def fetch(url: str, encoding: str | None = BROWSER, etag: str | None = None):
    headers = {"Accept-Encoding": encoding} if encoding is not None else {}
    if etag:
        headers["If-None-Match"] = etag
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=5) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_the_phone_page_arrives_gzipped_and_whole_in_under_60_kb(server):
    status, headers, page = fetch(f"{server.url}/q/1304")
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    wire = len(page) + sum(len(k) + len(v) + 4 for k, v in headers.items())
    html = gzip.decompress(page).decode()
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
    assert any("socket.io" in a for a in assets) and any(a.endswith("phone.js") for a in assets)
    for path in assets:
        for encoding in (BROWSER, "gzip"):
            status, headers, body = fetch(server.url + path, encoding)
            assert status == 200, path
            on_disk = (ROOT / path.lstrip("/")).read_bytes()
            if headers.get("Content-Encoding") == "gzip":
                assert gzip.decompress(body) == on_disk, path
            else:
                assert len(on_disk) < 500 and body == on_disk, path  # too small to gain from gzip
        wire += len(body) + sum(len(k) + len(v) + 4 for k, v in headers.items())
    assert wire <= 60 * 1024, f"the phone page's first load is {wire / 1024:.1f} KB"


def test_a_phone_that_has_the_script_is_told_it_has_not_changed(server):
    url = f"{server.url}/static/vendor/socket.io-4.8.1.min.js"
    status, headers, body = fetch(url, "gzip")
    assert headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in headers["Vary"]
    again = fetch(url, "gzip", etag=headers["ETag"])
    assert again[0] == 304 and again[2] == b""
    # a client that takes no gzip gets the file as it is
    status, headers, plain = fetch(url, None)
    assert status == 200 and "Content-Encoding" not in headers and plain == gzip.decompress(body)
    status, headers, plain = fetch(url, "gzip;q=0, identity")
    assert headers.get("Content-Encoding") != "gzip"
    assert fetch(f"{server.url}/static/js/nothing-here.js", "gzip")[0] == 404
    assert fetch(f"{server.url}/static/../live/__init__.py", "gzip")[0] == 404


# ---------------------------------------------------------------- small messages leave at once


def test_accepted_connections_send_small_messages_at_once():
    with socket.socket() as listener:
        no_delay(listener)
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        with socket.create_connection(listener.getsockname()):
            accepted, _ = listener.accept()
            with accepted:
                assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
