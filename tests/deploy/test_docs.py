"""The README and docs/ as a reader follows them: every relative link leads to a file or folder that
exists, every ``#anchor`` into a Markdown file names one of its headings, and the README stays a front
door of a screen or two (at most 10 KB)."""

from __future__ import annotations

import re
import unicodedata
import urllib.parse
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README_LIMIT = 10_240

FENCE = re.compile(r"^\s{0,3}(```|~~~)")
HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
MD_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*(<[^>]*>|[^\s)]+)(?:\s+\"[^\"]*\")?\s*\)")
REF_LINK = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)")
HREF = re.compile(r"<a\s[^>]*?href\s*=\s*[\"']([^\"']+)[\"']", re.IGNORECASE)
HTML_ANCHOR = re.compile(r"<a\s[^>]*?(?:id|name)\s*=\s*[\"']([^\"']+)[\"']", re.IGNORECASE)
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def documents() -> list[Path]:
    """The README and every Markdown file under docs/."""
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def prose_lines(path: Path) -> list[tuple[int, str]]:
    """The lines outside fenced code blocks, numbered from 1."""
    lines, fenced = [], False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if FENCE.match(line):
            fenced = not fenced
        elif not fenced:
            lines.append((number, line))
    return lines


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped (letters with diacritics, digits,
    ``_`` and ``-`` kept), each space a hyphen."""
    text = CODE_SPAN.sub(lambda m: m.group(0).strip("`"), heading)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)  # a link in a heading counts by its text
    text = re.sub(r"<[^>]+>", "", text).lower()
    kept = "".join(
        c for c in text if c in " -" or unicodedata.category(c)[0] in "LMN" or unicodedata.category(c) == "Pc"
    )
    return kept.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Every anchor a Markdown file offers: its headings' slugs (repeats get -1, -2…) and HTML ids."""
    found: set[str] = set()
    seen: dict[str, int] = {}
    for _, line in prose_lines(path):
        heading = HEADING.match(line)
        if heading:
            base = slug(heading.group(1))
            count = seen.get(base, 0)
            seen[base] = count + 1
            found.add(base if count == 0 else f"{base}-{count}")
        found.update(HTML_ANCHOR.findall(line))
    return found


def links(path: Path) -> list[tuple[int, str]]:
    """Every link target in a file's prose (not in code), with its line number."""
    found, previous = [], ""
    for number, line in prose_lines(path):
        text = CODE_SPAN.sub("", line)
        targets = [*MD_LINK.findall(text), *HREF.findall(text)]
        if not previous.strip() or REF_LINK.match(previous):  # a definition cannot interrupt a paragraph
            targets += REF_LINK.findall(text)
        found += [(number, target.strip("<>")) for target in targets]
        previous = line
    return found


def relative_links() -> list[tuple[Path, int, str, str]]:
    """(file, line, path part, fragment) of every link that stays inside the repository."""
    result = []
    for doc in documents():
        for number, target in links(doc):
            if SCHEME.match(target) or target.startswith("//"):
                continue  # http(s)://, mailto: and other places outside the checkout
            target_path, _, fragment = target.partition("#")
            result.append((doc, number, urllib.parse.unquote(target_path), urllib.parse.unquote(fragment)))
    return result


def where(doc: Path, number: int) -> str:
    return f"{doc.relative_to(ROOT)}:{number}"


def test_the_readme_fits_on_a_screen_or_two():
    size = (ROOT / "README.md").stat().st_size
    assert size <= README_LIMIT, f"README.md is {size} bytes; keep it within {README_LIMIT} and move the rest to docs/"


def test_every_relative_link_leads_somewhere():
    checked = [(doc, number, target) for doc, number, target, _ in relative_links() if target]
    assert len(checked) >= 20, "the README and docs/ link to each other; finding so few means the parser broke"
    broken = [
        f"{where(doc, number)}: {target}" for doc, number, target in checked if not (doc.parent / target).exists()
    ]
    assert not broken, "links to nothing:\n" + "\n".join(broken)


def test_every_anchor_names_a_heading():
    cache: dict[Path, set[str]] = {}
    checked, broken = 0, []
    for doc, number, target, fragment in relative_links():
        if not fragment:
            continue
        file = (doc.parent / target).resolve() if target else doc
        if file.suffix != ".md" or not file.is_file():
            continue  # a missing file is the other test's finding
        checked += 1
        if fragment not in cache.setdefault(file, anchors(file)):
            broken.append(f"{where(doc, number)}: {target}#{fragment}")
    assert checked >= 10, "the README and docs/ link to sections; finding so few means the parser broke"
    assert not broken, "anchors that name no heading:\n" + "\n".join(broken)


@pytest.mark.parametrize(
    ("heading", "anchor"),
    [
        ("Quick start (two commands)", "quick-start-two-commands"),
        ("The secretariat's console", "the-secretariats-console"),
        ("Load rehearsal: `live loadtest`", "load-rehearsal-live-loadtest"),
        ("4. Production on one machine, step by step", "4-production-on-one-machine-step-by-step"),
        ("live — máy chủ thời gian thực cho Hội nghị đối thoại", "live--máy-chủ-thời-gian-thực-cho-hội-nghị-đối-thoại"),
        ("Điểm cầu & mã QR_in", "điểm-cầu--mã-qr_in"),
        ("The notice draft (`live/formats/notice.py`)", "the-notice-draft-liveformatsnoticepy"),
    ],
)
def test_slugs_follow_githubs_rule(heading, anchor):
    assert slug(heading) == anchor


def test_links_in_code_are_not_links(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(
        '# Title\n\nSee [the guide](guide.md#the-screens) and <a href="x/">x</a>.\n'
        "`[not](a-link.md)`\n  [nor]: a-definition inside a paragraph\n\n```\n[nor](this.md)\n# nor a heading\n```\n"
        "\n[but]: <this is.md>\n",
        encoding="utf-8",
    )
    assert links(page) == [(3, "guide.md#the-screens"), (3, "x/"), (12, "this is.md")]
    assert anchors(page) == {"title"}
