"""The participation page (/tham-gia) over HTTP on a real server: who may open it, a facilitator's
totals saved and summed, bad numbers refused in Vietnamese with nothing saved, the CSV."""

from __future__ import annotations

import csv
import html
import io
import re

import requests

from live.core import participation
from live.web.views.participation import LABELS


def signed_in(server, role: str) -> requests.Session:
    session = requests.Session()
    session.get(server.link(role), timeout=10)
    return session


def token_of(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_a_facilitator_saves_a_sites_totals_and_the_province_sums_them(make_server):
    server = make_server("gevent")
    assert requests.get(server.url + "/tham-gia", timeout=10, allow_redirects=False).status_code in (302, 303, 403)
    assert signed_in(server, "projector").get(
        server.url + "/tham-gia", timeout=10, allow_redirects=False
    ).status_code in (302, 303, 403)

    site = signed_in(server, "site")
    page = site.get(server.url + "/tham-gia?site=1304", timeout=10)
    assert page.status_code == 200 and page.text.count('class="count-form') == 1  # only that site's form
    token = token_of(page.text)
    saved = site.post(
        server.url + "/tham-gia/1304?site=1304",
        data={"csrf_token": token, "total": "120", "dan_toc_thieu_so": "80", "cong_nhan": "", "by": "Hà"},
        timeout=10,
        allow_redirects=False,
    )
    assert saved.status_code == 303 and saved.headers["Location"].endswith("/tham-gia?site=1304#site-1304")
    after = html.unescape(site.get(server.url + saved.headers["Location"], timeout=10).text)
    assert "Đã lưu số thanh niên tham gia của Xã Quảng Lâm." in after and "Hà" in after

    refused = site.post(
        server.url + "/tham-gia/1304",
        data={"csrf_token": token, "total": "120", "khuyet_tat": "121"},
        timeout=10,
    )
    assert refused.status_code == 400
    assert "“Thanh niên khuyết tật” không thể lớn hơn tổng số thanh niên dự." in html.unescape(refused.text)
    bad = site.post(server.url + "/tham-gia/1304", data={"csrf_token": token, "total": "mười"}, timeout=10)
    assert bad.status_code == 400 and "phải là một số nguyên từ 0 đến 100000" in html.unescape(bad.text)
    assert (
        site.post(server.url + "/tham-gia/nowhere", data={"csrf_token": token, "total": "1"}, timeout=10).status_code
        == 404
    )
    assert (
        site.post(server.url + "/tham-gia/1304", data={"total": "999"}, timeout=10).status_code == 400
    )  # no CSRF token

    secretariat = signed_in(server, "moderator")
    rows = list(
        csv.reader(io.StringIO(secretariat.get(server.url + "/tham-gia.csv", timeout=10).content.decode("utf-8-sig")))
    )
    header, by_site = rows[0], {row[0]: row for row in rows[1:]}
    assert header[:3] == ["Mã điểm cầu", "Điểm cầu", "Tổng số thanh niên dự"]
    column = header.index("Thanh niên dân tộc thiểu số")
    assert (by_site["1304"][2], by_site["1304"][column]) == ("120", "80")  # the refused saves changed nothing
    assert rows[-1][1] == "Tổng cộng" and rows[-1][2] == "120"


def test_every_category_has_its_label_for_the_catalogue():
    assert list(LABELS) == [category for category, _label in participation.CATEGORIES]
    assert all(str(LABELS[c]) == label for c, label in participation.CATEGORIES)  # Vietnamese: the same words
