"""The survey after the day: the phone's form (/khao-sat/<site>, no script needed), the admin's page
that sets the questions and opens and closes it, and the secretariat's reading of the free texts
(the rules in live/core/survey.py, the store in live/services/survey.py)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from live.core import survey as rules
from live.core.errors import DomainError
from live.services import survey as service
from live.web import afterday, forms, messages
from live.web.auth import day, device_id, give_device, screen

bp = Blueprint("survey", __name__)

# the survey's refusals (its codes are its own: live/core/survey.py, live/services/survey.py)
MESSAGES = {
    "survey.too_few": _l("Phiếu khảo sát cần từ %(min)s đến %(max)s câu hỏi. Vui lòng nhập thêm câu hỏi."),
    "survey.too_many": _l("Phiếu khảo sát chỉ có từ %(min)s đến %(max)s câu hỏi."),
    "survey.two_texts": _l("Phiếu khảo sát chỉ có một câu ý kiến tự do; các câu khác là câu chấm điểm từ 1 đến 5."),
    "survey.bad_kind": _l("Câu %(number)s: vui lòng chọn loại câu hỏi."),
    "survey.question_too_long": _l("Câu %(number)s dài quá %(limit)s ký tự."),
    "survey.answered": _l(
        "Đã có người trả lời phiếu khảo sát nên không thể sửa các câu hỏi nữa: mọi phiếu phải trả lời cùng một bộ câu hỏi."
    ),
    "survey.no_questions": _l("Vui lòng lưu các câu hỏi trước khi mở phiếu khảo sát."),
    "survey.closed": _l("Phiếu khảo sát hiện không nhận ý kiến. Cảm ơn bạn đã quan tâm."),
    "survey.no_device": _l(
        "Trình duyệt chưa lưu được thông tin của trang. Vui lòng cho phép cookie, tải lại trang rồi gửi lại."
    ),
    "survey.bad_rating": _l("Mỗi câu chấm điểm chỉ nhận một số từ 1 đến 5."),
    "survey.text_too_long": _l("Ý kiến của bạn dài quá %(limit)s ký tự. Vui lòng rút gọn."),
    "survey.empty": _l("Bạn chưa trả lời câu nào. Vui lòng chấm điểm hoặc viết ý kiến rồi gửi."),
    "survey.bad_review": _l("Thao tác không hợp lệ. Vui lòng tải lại trang."),
    "survey.not_found": _l("Không tìm thấy ý kiến này. Vui lòng tải lại trang."),
}


def describe(error: DomainError) -> str:
    template = MESSAGES.get(error.code)
    if template is None:
        return messages.describe(error)
    try:
        return str(template) % error.params if error.params else str(template)
    except (KeyError, TypeError, ValueError):
        return str(template)


def _site(site_id: str) -> dict:
    site = next((s for s in (day().conference() or {}).get("sites", []) if s["id"] == site_id), None)
    if site is None:
        abort(404)
    return site


def _site_ids() -> list[str]:
    return [s["id"] for s in (day().conference() or {}).get("sites", [])]


@bp.app_template_global("survey_open")
def survey_open() -> bool:
    """Whether the survey takes answers now (the phone page links to it only then): from this
    process's memory (the replica), so ten thousand phones opening their page read nothing from the
    store for it; the survey's own page asks the store."""
    return service.current(day().replica)["open"]


# ---------------------------------------------------------------- the phone


def _phone_page(site: dict, *, error: str | None = None, typed: dict | None = None, status: int = 200):
    survey = service.current(day().store)
    rehearsal = day().desk.rehearsal()
    sent = service.sent(day().store, day().secret_key(), device_id(), rehearsal)
    doc = day().conference() or {}
    body = render_template(
        "survey.html",
        screen="survey-phone",
        site=site,
        conference={"title": doc.get("title", ""), "theme": doc.get("theme", "")},
        phone={"rehearsal": rehearsal is not None},
        survey=survey,
        sent=sent,
        just_sent=request.args.get("da-gui") == "1",
        again=request.args.get("da-gui") == "truoc",
        error=error,
        typed=typed or {},
        scale=rules.SCALE,
        limit=rules.TEXT_LIMIT,
    )
    response = make_response(body, status)
    response.headers["Cache-Control"] = "no-store"
    give_device(response)
    return response


@bp.get("/khao-sat/<site_id>")
def phone(site_id: str):
    """The survey for a phone of one site: the form while open, "đã gửi" once this phone answered."""
    return _phone_page(_site(site_id))


@bp.post("/khao-sat/<site_id>")
def answer(site_id: str):
    """Store this phone's answer once; a second send says it was already sent."""
    site = _site(site_id)
    survey = service.current(day().store)
    typed = {q["id"]: request.form.get(q["id"], "")[: 2 * rules.TEXT_LIMIT] for q in survey["questions"]}
    try:
        _doc, fresh = service.respond(
            day().store, day().secret_key(), device_id(), site["id"], typed, day().desk.rehearsal()
        )
    except DomainError as error:
        return _phone_page(
            site, error=describe(error), typed=typed, status=400 if error.code != "survey.closed" else 409
        )
    return redirect(url_for("survey.phone", site_id=site["id"], **{"da-gui": "1" if fresh else "truoc"}), code=303)


# ---------------------------------------------------------------- the admin


def _admin_page(*, error: str | None = None, typed: list[dict] | None = None, status: int = 200):
    store = day().store
    survey = service.current(store)
    found = service.responses(store, day().desk.rehearsal())
    rows = typed or [{"text": q["text"], "kind": q["kind"]} for q in survey["questions"]]
    rows = rows + [{"text": "", "kind": rules.RATING} for _ in range(rules.MAX_QUESTIONS - len(rows))]
    sites = (day().conference() or {}).get("sites", [])
    body = render_template(
        "survey_admin.html",
        screen="survey",
        snapshot=day().snapshot(),
        survey=survey,
        rows=rows,
        count=len(found),
        locked=bool(service.responses(store)),
        kinds=afterday.KIND_NAMES,
        limit=rules.QUESTION_LIMIT,
        first_site=sites[0]["id"] if sites else "",
        error=error,
    )
    return body, status


@bp.get("/khao-sat-quan-ly")
@screen("survey")
def admin():
    """The survey's questions, whether it is open, how many answered."""
    return _admin_page()


@bp.post("/khao-sat-quan-ly")
@screen("survey")
def save():
    """Replace the questions (refused once anyone answered)."""
    typed = [
        {"text": request.form.get(f"text-{n}", "")[:1000], "kind": request.form.get(f"kind-{n}", "")}
        for n in range(1, rules.MAX_QUESTIONS + 1)
    ]
    try:
        service.set_questions(day().store, typed, now=day().now(), by=forms.staff_name() or forms.staff_role())
    except DomainError as error:
        return _admin_page(error=describe(error), typed=typed, status=400)
    flash(gettext("Đã lưu các câu hỏi của phiếu khảo sát."))
    return redirect(url_for("survey.admin"), code=303)


@bp.post("/khao-sat-quan-ly/mo")
@screen("survey")
def open_survey():
    try:
        service.open_survey(day().store, now=day().now(), by=forms.staff_name() or forms.staff_role())
    except DomainError as error:
        return _admin_page(error=describe(error), status=400)
    flash(gettext("Đã mở phiếu khảo sát: trang gửi câu hỏi trên điện thoại hiện đường dẫn đến phiếu."))
    return redirect(url_for("survey.admin"), code=303)


@bp.post("/khao-sat-quan-ly/dong")
@screen("survey")
def close_survey():
    service.close_survey(day().store, now=day().now(), by=forms.staff_name() or forms.staff_role())
    flash(gettext("Đã đóng phiếu khảo sát."))
    return redirect(url_for("survey.admin"), code=303)


# ---------------------------------------------------------------- the secretariat reads the free texts


@bp.get("/khao-sat-y-kien")
@screen("survey-review")
def review_page():
    """Every free text, pending first; the counts and the ratings, shown at once."""
    store = day().store
    survey = service.current(store)
    rehearsal = day().desk.rehearsal()
    found = service.responses(store, rehearsal)
    results = service.results(store, _site_ids(), rehearsal)
    held = service.texts(found)
    body = render_template(
        "survey_review.html",
        screen="survey-review",
        snapshot=day().snapshot(),
        survey=survey,
        results=results,
        held=held,
        pending=sum(1 for _k, r in held if rules.review_of(r) == rules.PENDING),
        review_of=rules.review_of,
        names=day().desk.site_names(),
    )
    return body


@bp.post("/khao-sat-y-kien")
@screen("survey-review")
def review():
    """Mark one free text "Đã đọc" (kept in the results) or "Không đưa vào báo cáo" (hidden)."""
    key = request.form.get("key", "")
    verdict = request.form.get("verdict", "")
    try:
        service.review(day().store, key, verdict, now=day().now(), by=forms.staff_name() or forms.staff_role())
    except DomainError as error:
        flash(describe(error))
        return redirect(url_for("survey.review_page"), code=303)
    flash(gettext("Đã đọc ý kiến; ý kiến được đưa vào kết quả.") if verdict == rules.READ
          else gettext("Đã để ý kiến này ngoài báo cáo."))  # fmt: skip
    return redirect(url_for("survey.review_page"), code=303)
