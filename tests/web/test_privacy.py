"""The privacy notice (issue 23, item 1): a public page in Vietnamese and in English that names the
organiser from the conference file, shows its version, carries the strict policy of every page, is
linked from the public pages, and cannot change without a new version."""

from __future__ import annotations

import hashlib
import html
import re
from pathlib import Path

import pytest

from live.core import privacy
from live.services import demo
from live.web.security import CSP

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "templates" / "privacy.html"
ORGANISER = "Ủy ban nhân dân tỉnh Cao Bằng"


@pytest.fixture
def app(tmp_path):
    import live

    return live.create_app(
        {"DATA_DIR": tmp_path, "DEMO": True, "ASYNC_MODE": "threading", "PUBLIC_URL": "http://127.0.0.1:5000"}
    )


@pytest.fixture
def client(app):
    return app.test_client()


def _page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _text(response) -> str:
    """What a person reads: the page without its tags, its spaces collapsed."""
    words = " ".join(re.sub(r"<[^>]+>", " ", _page(response)).split())
    return re.sub(r" ([,.;:)])", r"\1", words)  # "<strong>Ủy ban…</strong>, đơn vị…" reads as one sentence


def _english(client) -> None:
    response = client.get("/lang/en", query_string={"next": privacy.NOTICE_PATH})
    assert response.status_code == 303
    assert response.headers["Location"] == privacy.NOTICE_PATH


# ---------------------------------------------------------------- the page


def test_the_demo_organiser_is_the_one_the_notice_names():
    assert demo.conference()["organiser"] == ORGANISER


def test_the_notice_is_vietnamese_by_default(client):
    response = client.get(privacy.NOTICE_PATH)
    assert response.status_code == 200
    text = _text(response)
    assert '<html lang="vi">' in _page(response)
    assert "Thông báo về dữ liệu cá nhân và quyền của bạn" in text
    assert f"{ORGANISER}, đơn vị tổ chức hội nghị, là bên kiểm soát dữ liệu cá nhân" in text
    assert f"Phiên bản {privacy.NOTICE_VERSION}, ngày {privacy.NOTICES[privacy.NOTICE_VERSION].date}" in text
    assert f'id="notice-version">{privacy.NOTICE_VERSION}<' in _page(response)
    # what the law asks a notice to say, in plain words
    for said in (
        "Bắt buộc",
        "Không bắt buộc, chỉ khi bạn đồng ý",
        "không bao giờ hỏi dân tộc, tôn giáo, tình trạng sức khỏe hay khuyết tật",
        "Trên máy chủ riêng của tỉnh",
        "sau đó thêm 60 ngày",
        "máy chủ tự động xóa chúng: theo các câu trả lời hiện nay, việc xóa đến hạn từ ngày 28/10/2025",
        "Dữ liệu của tôi",
        "xóa câu hỏi khi câu hỏi chưa được trình chiếu, trả lời hay chuyển cơ quan trả lời",
        "tổng số của cả điểm cầu",
        "Câu hỏi gửi trong lúc tập dượt chỉ để thử và bị xóa hết sau buổi tập",
        "Mã theo dõi",
        "trả lời trong vòng 2 ngày làm việc",
        "thực hiện xong trong vòng 15 ngày",
        "Nếu bạn từ 16 đến dưới 18 tuổi",
    ):
        assert said in text, said
    assert "Privacy notice" not in text


def test_the_notice_is_english_after_choosing_english(client):
    _english(client)
    response = client.get(privacy.NOTICE_PATH)
    assert response.status_code == 200
    text = _text(response)
    assert '<html lang="en">' in _page(response)
    assert "Privacy notice: your data and your rights" in text
    assert f"{ORGANISER}, the organiser of the conference, is the controller of your personal data" in text
    assert f"Version {privacy.NOTICE_VERSION}, {privacy.NOTICES[privacy.NOTICE_VERSION].date}" in text
    for said in (
        "Required",
        "Optional, only with your consent",
        "never asks your ethnicity, religion, health or disability",
        "On the province's own server",
        "then 60 more days",
        "the server deletes them automatically: with the replies as they stand, the deletion is due from 28/10/2025",
        "My data",
        "delete the question while it has not been shown, answered or forwarded for a written reply",
        "a total for the whole bridge point",
        "Questions sent during a rehearsal are only a test and are all deleted after it",
        "tracking code",
        "answers within 2 working days",
        "completes the request within 15 days",
        "If you are 16 or 17",
    ):
        assert said in text, said
    assert "Quyền của bạn" not in text


def test_the_retention_period_is_the_one_the_admin_set_and_the_rights_page_is_linked(app, client):
    from live.services import retention

    day = app.extensions["live.day"]
    retention.set_days(day.store, "30", now=day.now(), by="admin")
    page = client.get(privacy.NOTICE_PATH)
    assert 'id="retention-days">30<' in _page(page) and 'id="retention-due">28/09/2025<' in _page(page)
    link = re.search(r'<a href="([^"]+)" id="rights-link">', _page(page))
    assert link and client.get(link.group(1)).status_code == 200


def test_a_conference_without_an_organiser_still_names_who_answers(app, client):
    day = app.extensions["live.day"]
    day.replace_conference({**day.conference(), "organiser": ""})
    assert "Ban tổ chức hội nghị, đơn vị tổ chức hội nghị" in _text(client.get(privacy.NOTICE_PATH))
    _english(client)
    assert "the conference's organising committee, the organiser" in _text(client.get(privacy.NOTICE_PATH))


def test_the_organiser_is_written_as_text_never_as_markup(app, client):
    day = app.extensions["live.day"]
    day.replace_conference({**day.conference(), "organiser": "<script>alert(1)</script> Tỉnh đoàn"})
    body = client.get(privacy.NOTICE_PATH).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Tỉnh đoàn" in body


def test_the_notice_carries_the_strict_policy_and_needs_no_session(client):
    response = client.get(privacy.NOTICE_PATH)
    assert response.headers["Content-Security-Policy"] == CSP
    assert "unsafe" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "Set-Cookie" not in response.headers  # reading the notice leaves nothing on the phone
    body = _page(response)
    assert "<script" not in body and " style=" not in body
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", body), "nothing from another origin"


@pytest.mark.parametrize("path", ["/tra-loi", "/tra-cuu", "/tra-cuu?ma=K7Q2MX", "/"])
@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_public_pages_link_to_the_notice(client, path, language):
    if language == "en":
        client.get("/lang/en", query_string={"next": "/"})
    body = _page(client.get(path))
    link = re.search(r'<a href="([^"]+)" id="privacy-link">([^<]+)</a>', body)
    assert link, path
    assert link.group(1) == privacy.NOTICE_PATH
    assert link.group(2) == (
        "Privacy notice: your data and your rights" if language == "en" else "Quyền riêng tư: dữ liệu và quyền của bạn"
    )


# ---------------------------------------------------------------- the version


def test_the_notice_text_cannot_change_without_a_new_version():
    """The published text of each version is fixed: edit templates/privacy.html, and this fails until
    NOTICE_VERSION is raised and its entry in NOTICES records the new date and sha256."""
    digest = hashlib.sha256(TEMPLATE.read_bytes()).hexdigest()
    recorded = privacy.NOTICES[privacy.NOTICE_VERSION].sha256
    assert digest == recorded, (
        f"templates/privacy.html changed (sha256 {digest}) but version {privacy.NOTICE_VERSION!r} records "
        f"{recorded}: raise NOTICE_VERSION and add its date and this sha256 to NOTICES in live/core/privacy.py"
    )


def test_every_version_has_a_date_and_a_distinct_text():
    assert privacy.NOTICE_VERSION in privacy.NOTICES
    for version, notice in privacy.NOTICES.items():
        assert re.fullmatch(r"\d{2}/\d{2}/\d{4}", notice.date), version
        assert re.fullmatch(r"[0-9a-f]{64}", notice.sha256), version
    hashes = [n.sha256 for n in privacy.NOTICES.values()]
    assert len(set(hashes)) == len(hashes), "a new version must come with a new text"


def test_the_facts_come_from_the_conference_file():
    facts = privacy.facts({"organiser": "  Tỉnh đoàn   Cao Bằng ", "title": "Hội nghị"})
    assert facts == {
        "controller": "Tỉnh đoàn Cao Bằng",
        "named": True,
        "title": "Hội nghị",
        "version": privacy.NOTICE_VERSION,
        "date": privacy.NOTICES[privacy.NOTICE_VERSION].date,
    }
    assert privacy.controller(None) == "Ban tổ chức hội nghị"
    assert privacy.controller({"organiser": " "}, "en") == "the conference's organising committee"
    assert privacy.controller({}, "xx") == "Ban tổ chức hội nghị"


def test_the_secretariats_floor_form_links_the_notice_to_read_to_the_asker(make_server):
    import requests

    server = make_server("gevent")
    secretariat = requests.Session()
    page = secretariat.get(server.link("moderator"), timeout=10)
    link = re.search(r'<a href="([^"]+)"[^>]*id="floor-privacy">([^<]+)</a>', page.text)
    assert link and link.group(1) == privacy.NOTICE_PATH
    assert html.unescape(link.group(2)) == "Thông báo quyền riêng tư để đọc cho người hỏi"
    assert secretariat.get(server.url + link.group(1), timeout=10).status_code == 200
