"""The list filtered as you type (static/js/picker.js, issue 25 item 3) in real Chromium, on the console.

The secretariat chooses a question's department from the Cao Bằng demo's seventeen, twelve of
which begin with "Sở": typing "y te" and Enter must give Sở Y tế, "Sở Y" must never give Sở Nội vụ
(as the native select did), arrow keys only move the active option, Esc leaves without change and
without the console also reacting. ``LivePicker.open`` is driven through ``page.evaluate`` with the
conference's departments from the state the console was served with (``Live.state``), anchored on
the department field (#d-department) of a selected question.

Screenshots land in test-artifacts/ (picker-1440.png, picker-1366.png) for a person to look at.
"""

from __future__ import annotations

import uuid

import pytest
from browser import screenshot
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

WIDE = {"width": 1440, "height": 900}
DESKTOP = {"width": 1366, "height": 768}
NONE = "— Chưa giao —"
PLACEHOLDER = "Gõ để lọc, Enter để chọn, Esc để thoát"
EMPTY = "Không có mục nào khớp"

# the conference's departments, as the console reads them from the state it was served with
DEPARTMENTS = """() => {
  const state = window.Live.state || {};
  return state.departments || (state.conference && state.conference.departments) || [];
}"""

# LivePicker.open over the console's own department list; what it reports lands in window.pickerSeen
OPEN = """([current, none, extra, placeholder, empty]) => {
  const items = departments().map((d) => ({ id: d.id, name: d.name })).concat(extra);
  const seen = { picks: [], closes: 0, escapes: window.pickerSeen ? window.pickerSeen.escapes : 0 };
  window.pickerSeen = seen;
  window.LivePicker.open({
    anchor: document.querySelector("#d-department"),
    label: "Cơ quan trả lời",
    items,
    current,
    none,
    placeholder,
    empty,
    onPick: (id) => seen.picks.push(id),
    onClose: () => { seen.closes += 1; },
  });
}""".replace("departments()", f"({DEPARTMENTS})()")

# every Escape that reaches the console's own keyboard handler (on document)
LISTEN = """() => document.addEventListener("keydown", (e) => {
  if (e.key === "Escape" && window.pickerSeen) window.pickerSeen.escapes += 1;
})"""


@pytest.fixture(name="console")
def console_fixture(make_server, screens, connect_phone):
    """A factory: the console at ``viewport`` with one question selected, ``console.depts`` name → id."""

    def open_console(viewport=WIDE):
        server = make_server()
        phone = connect_phone(server, "hall")
        text = "Xin hỏi về chính sách hỗ trợ khám sức khỏe cho thanh niên vùng cao?"
        reply = phone.call("question.submit", {"id": str(uuid.uuid4()), "site": "hall", "text": text})
        assert reply["ok"], reply
        screen = screens.open(server, "moderator", viewport)
        page = screen.page
        expect(page.locator("#desk")).to_have_attribute("data-loaded", "yes")
        page.locator(f"#feed li.q[data-id='{reply['id']}'] .q-text").click()
        expect(page.locator("#d-department")).to_be_visible()
        screen.depts = {d["name"]: d["id"] for d in page.evaluate(DEPARTMENTS)}
        assert len(screen.depts) == 17 and "Sở Y tế" in screen.depts, screen.depts
        page.evaluate(LISTEN)
        return screen

    return open_console


def open_picker(screen, current=None, none=None, extra=()) -> None:
    screen.page.evaluate(OPEN, [current, none, list(extra), PLACEHOLDER, EMPTY])
    expect(picker(screen)).to_be_visible()
    expect(screen.page.locator(".picker input[role=combobox]")).to_be_focused()


def picker(screen):
    return screen.page.locator(".picker[role=dialog]")


def seen(screen) -> dict:
    return screen.page.evaluate("() => window.pickerSeen")


def names(screen) -> list[str]:
    """The options listed now, in order."""
    return screen.page.locator(".picker [role=option] .picker-name").all_inner_texts()


def active(screen) -> str:
    """The active option's name; the input's aria-activedescendant names that same option."""
    page = screen.page
    option = page.locator(".picker [role=option][aria-selected=true]")
    expect(option).to_have_count(1)
    owner = page.locator(".picker input[role=combobox]").get_attribute("aria-activedescendant")
    assert owner == option.get_attribute("id")
    return option.locator(".picker-name").inner_text()


def closed_with_focus_back(screen) -> None:
    expect(picker(screen)).to_have_count(0)
    expect(screen.page.locator("#d-department")).to_be_focused()
    assert screen.page.evaluate("() => window.LivePicker.isOpen()") is False


def test_typed_without_diacritics_then_enter_picks(console, screens):
    screen = console()
    page = screen.page
    for typed, wanted in [
        ("y te", "Sở Y tế"),
        ("te y", "Sở Y tế"),  # in any order
        ("Y TẾ", "Sở Y tế"),  # with diacritics, in capitals
        ("giao duc", "Sở Giáo dục và Đào tạo"),
        ("cong an", "Công an tỉnh"),
        ("ngan hang", "Ngân hàng Chính sách xã hội tỉnh"),
        ("tinh doan", "Tỉnh đoàn Cao Bằng"),  # đ typed as d
    ]:
        open_picker(screen, current=screen.depts["Sở Nội vụ"], none=NONE)
        page.keyboard.type(typed)
        expect(page.locator(".picker [role=option]")).to_have_count(1)
        assert names(screen) == [wanted], typed
        assert active(screen) == wanted
        assert seen(screen)["picks"] == [], f"{typed!r} picked before Enter"
        page.keyboard.press("Enter")
        closed_with_focus_back(screen)
        assert seen(screen) == {"picks": [screen.depts[wanted]], "closes": 1, "escapes": 0}, typed
    screens.assert_clean()


def test_so_y_never_picks_so_noi_vu(console, screens):
    """The issue: the native select jumped to Sở Nội vụ, the first of thirteen "Sở", on "Sở Y"."""
    screen = console()
    page = screen.page
    for typed in ["Sở Y", "so y"]:
        open_picker(screen, current=None, none=NONE)
        for n in range(1, len(typed) + 1):
            page.keyboard.type(typed[n - 1])
            assert seen(screen)["picks"] == [], f"{typed[:n]!r} picked by itself"
        assert names(screen) == ["Sở Y tế"]
        page.keyboard.press("Enter")
        closed_with_focus_back(screen)
        assert seen(screen)["picks"] == [screen.depts["Sở Y tế"]]
    # "so" alone lists every "Sở" and no other department
    open_picker(screen)
    page.keyboard.type("so")
    listed = names(screen)
    assert len(listed) == 12 and all(n.startswith("Sở ") for n in listed), listed
    page.keyboard.press("Escape")
    assert seen(screen)["picks"] == []
    screens.assert_clean()


def test_arrows_only_move_and_escape_leaves_unchanged(console, screens):
    screen = console()
    page = screen.page
    open_picker(screen, current=screen.depts["Sở Nội vụ"], none=NONE)
    listed = names(screen)
    assert listed[0] == NONE and len(listed) == 18
    # the current one is marked and active to begin with
    assert active(screen) == "Sở Nội vụ"
    expect(page.locator(".picker .picker-current .picker-check")).to_have_text("✓")
    expect(page.locator(".picker .picker-current .picker-name")).to_have_text("Sở Nội vụ")
    page.keyboard.press("ArrowDown")
    assert active(screen) == "Sở Tài chính"
    assert seen(screen)["picks"] == [] and page.evaluate("() => window.LivePicker.isOpen()")
    page.keyboard.press("ArrowDown")
    assert active(screen) == "Sở Khoa học và Công nghệ"
    page.keyboard.press("End")
    assert active(screen) == "Tỉnh đoàn Cao Bằng"
    page.keyboard.press("ArrowDown")  # stays on the last
    assert active(screen) == "Tỉnh đoàn Cao Bằng"
    page.keyboard.press("Home")
    assert active(screen) == NONE
    page.keyboard.press("ArrowUp")
    assert active(screen) == NONE
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert seen(screen)["picks"] == []
    page.keyboard.press("Escape")
    closed_with_focus_back(screen)
    # nothing picked, closed once, and the console's own Escape never ran
    assert seen(screen) == {"picks": [], "closes": 1, "escapes": 0}

    # arrows move within the filtered list only
    open_picker(screen, current=None, none=NONE)
    assert active(screen) == NONE
    page.keyboard.type("van")
    assert names(screen) == ["Sở Văn hóa, Thể thao và Du lịch"]
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    assert active(screen) == "Sở Văn hóa, Thể thao và Du lịch"
    page.keyboard.press("Tab")  # Tab leaves without picking too
    expect(picker(screen)).to_have_count(0)
    assert seen(screen)["picks"] == [] and seen(screen)["closes"] == 1
    screens.assert_clean()


def test_none_is_chosen_by_enter_and_not_by_a_shared_word(console, screens):
    screen = console()
    page = screen.page
    # "giao" is in "— Chưa giao —" as in two departments: the first department is the one made active
    open_picker(screen, current=screen.depts["Sở Y tế"], none=NONE)
    page.keyboard.type("giao")
    assert names(screen) == [NONE, "Sở Giáo dục và Đào tạo", "Sở Dân tộc và Tôn giáo"]
    assert active(screen) == "Sở Giáo dục và Đào tạo"
    page.keyboard.type(" duc")
    assert names(screen) == ["Sở Giáo dục và Đào tạo"]
    page.keyboard.press("Escape")
    # the none option, chosen on purpose, picks null
    open_picker(screen, current=screen.depts["Sở Y tế"], none=NONE)
    page.keyboard.press("Home")
    page.keyboard.press("Enter")
    closed_with_focus_back(screen)
    assert seen(screen)["picks"] == [None]
    screens.assert_clean()


def test_enter_on_no_match_does_nothing(console, screens):
    screen = console()
    page = screen.page
    open_picker(screen, current=screen.depts["Sở Tư pháp"], none=NONE)
    page.keyboard.type("xyz")
    expect(page.locator(".picker [role=option]")).to_have_count(0)
    expect(page.locator(".picker .picker-empty")).to_have_text(EMPTY)
    expect(page.locator(".picker .picker-empty")).to_be_visible()
    page.keyboard.press("Enter")
    expect(picker(screen)).to_be_visible()
    assert seen(screen) == {"picks": [], "closes": 0, "escapes": 0}
    # correcting the typing brings the list back
    for _ in "xyz":
        page.keyboard.press("Backspace")
    page.keyboard.type("tu phap")
    assert names(screen) == ["Sở Tư pháp"]
    page.keyboard.press("Enter")
    closed_with_focus_back(screen)
    assert seen(screen)["picks"] == [screen.depts["Sở Tư pháp"]]
    screens.assert_clean()


def test_a_click_picks_and_a_click_outside_leaves(console, screens):
    screen = console()
    page = screen.page
    open_picker(screen, current=None, none=NONE)
    page.locator(".picker [role=option]", has_text="Công an tỉnh").click()
    closed_with_focus_back(screen)
    assert seen(screen) == {"picks": [screen.depts["Công an tỉnh"]], "closes": 1, "escapes": 0}
    # after filtering too
    open_picker(screen)
    page.keyboard.type("so")
    page.locator(".picker [role=option]", has_text="Sở Xây dựng").click()
    closed_with_focus_back(screen)
    assert seen(screen)["picks"] == [screen.depts["Sở Xây dựng"]]
    # a click elsewhere on the console closes without picking
    open_picker(screen)
    page.keyboard.press("ArrowDown")
    page.locator("#d-text").click()
    expect(picker(screen)).to_have_count(0)
    assert seen(screen) == {"picks": [], "closes": 1, "escapes": 0}
    # opening again while open closes the first one (its onClose runs), without picking
    open_picker(screen)
    page.evaluate("() => { window.firstSeen = window.pickerSeen; }")
    open_picker(screen)
    assert page.evaluate("() => window.firstSeen") == {"picks": [], "closes": 1, "escapes": 0}
    expect(picker(screen)).to_have_count(1)
    page.evaluate("() => window.LivePicker.close()")
    expect(picker(screen)).to_have_count(0)
    assert seen(screen) == {"picks": [], "closes": 1, "escapes": 0}
    screens.assert_clean()


@pytest.mark.parametrize("viewport", [WIDE, DESKTOP], ids=["1440x900", "1366x768"])
def test_fits_in_the_console(console, screens, artifacts, viewport):
    screen = console(viewport)
    page = screen.page
    long_name = "Ban Quản lý các khu công nghiệp, khu kinh tế cửa khẩu và khu công nghệ cao tỉnh Cao Bằng"
    open_picker(screen, current=screen.depts["Sở Y tế"], none=NONE, extra=[{"id": "long", "name": long_name}])
    expect(page.locator(".picker input")).to_have_attribute("placeholder", PLACEHOLDER)
    expect(page.locator(".picker .picker-label")).to_have_text("Cơ quan trả lời")
    box = picker(screen).bounding_box()
    assert box["x"] >= 0 and box["y"] >= 0, box
    assert box["x"] + box["width"] <= viewport["width"] and box["y"] + box["height"] <= viewport["height"], box
    # the list scrolls, about twelve rows at most are seen at once, and none is cut sideways
    sizes = page.eval_on_selector(
        ".picker [role=listbox]",
        """(list) => ({
          scrolls: list.scrollHeight > list.clientHeight,
          rows: list.clientHeight / list.querySelector("[role=option]").offsetHeight,
          wide: Array.from(list.children).some((li) => li.scrollWidth > li.clientWidth),
        })""",
    )
    assert sizes["scrolls"] and sizes["rows"] <= 13 and not sizes["wide"], sizes
    # the active option (the current one, Sở Y tế) is in view
    expect(page.locator(".picker [role=option][aria-selected=true]")).to_be_in_viewport()
    page.keyboard.press("End")  # the long name: wrapped on two lines or more, and scrolled into view
    last = page.locator(".picker [role=option][aria-selected=true]")
    expect(last).to_contain_text(long_name)
    expect(last).to_be_in_viewport()
    line = float(last.evaluate("(li) => parseFloat(getComputedStyle(li).lineHeight)"))
    assert last.bounding_box()["height"] > 1.5 * line
    page.keyboard.press("Home")
    screenshot(screen, artifacts, f"picker-{viewport['width']}.png")
    page.keyboard.press("Escape")
    screens.assert_clean()
