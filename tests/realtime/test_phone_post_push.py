"""A question posted by the phone page's form (its script not loaded yet) is followed on the
staff screens exactly like one sent over the socket: the console gets it at once, then its likely
duplicates, and the roll call the site's new count (a real server, real Socket.IO clients)."""

from __future__ import annotations

import urllib.parse
import urllib.request
import uuid

TEXT = "Tỉnh có chính sách hỗ trợ vốn vay ưu đãi cho thanh niên khởi nghiệp ở nông thôn không?"
LIKE = "Xin hỏi tỉnh có chính sách hỗ trợ vốn vay ưu đãi cho thanh niên khởi nghiệp ở nông thôn?"


def post(server, site: str, text: str) -> int:
    """The form as a browser without script posts it: from the page's own origin."""
    body = urllib.parse.urlencode({"id": str(uuid.uuid4()), "text": text}).encode()
    request = urllib.request.Request(
        f"{server.url}/q/{site}", data=body, headers={"Origin": server.url, "Sec-Fetch-Site": "same-origin"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


def test_a_posted_question_reaches_the_console_the_roll_call_and_the_duplicate_hints(
    make_server, connect_staff, connect_phone
):
    server = make_server()
    desk = connect_staff(server, "moderator")
    site = next(iter(desk.call("roll.get")["roll"]))
    phone = connect_phone(server, site=site)
    first = phone.call("question.submit", {"id": str(uuid.uuid4()), "site": site, "text": TEXT})
    assert first["ok"]
    assert post(server, site, LIKE) == 200

    added = desk.wait_for(lambda e, d: e == "question.added" and d["question"]["text"] == LIKE)
    mine = added["question"]["id"]
    # the roll call counts both questions of the site, the posted one included
    desk.wait_for(lambda e, d: e == "roll.changed" and d.get("site") == site and d.get("questions") == 2)
    # and the secretariat is told the posted question is like the one sent from the phone
    similar = desk.wait_for(lambda e, d: e == "question.similar" and d.get("id") == mine)
    assert first["id"] in [s["id"] for s in similar["similar"]]
