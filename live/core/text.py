"""Text as people type it: NFC, no control characters, folded for search and comparison."""

from __future__ import annotations

import unicodedata

_KEEP_IN_MULTILINE = {"\n", "\t"}


def clean(value: object, *, multiline: bool = False) -> str:
    """Return ``value`` as NFC text with control and format characters removed, trimmed.

    Telex and VNI keyboards send composed or decomposed Vietnamese; both are stored as NFC.
    Line breaks are kept only in ``multiline`` fields, and ``\\r\\n`` becomes ``\\n``.
    """
    if not isinstance(value, str):
        return ""
    text = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
    if text.isprintable():  # no control, format or line-separator character (nor \n, \t): as is
        return text.strip()
    out = []
    for ch in text:
        if multiline and ch in _KEEP_IN_MULTILINE:
            out.append(ch)
        elif unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Zl", "Zp"):
            if not multiline and ch in ("\n", "\t"):
                out.append(" ")
            continue
        else:
            out.append(ch)
    return "".join(out).strip()


def fold(value: str) -> str:
    """Lower-case, diacritic-free key for search: "Học bổng" and "hoc bong" fold alike."""
    value = value.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", value)
    if _LATIN.issuperset(value):  # Vietnamese and English: every mark is a Latin one, dropped at once
        return " ".join(decomposed.encode("ascii", "ignore").decode("ascii").lower().split())
    return " ".join(decomposed.translate(_MARKS).casefold().split())


class _Marks(dict):
    """For ``str.translate``: every non-spacing mark (category Mn) to nothing, anything else to
    itself; each character is looked up in ``unicodedata`` once, then from this table (up to
    ``LIMIT`` characters: text made of every code point there is cannot grow it without end)."""

    LIMIT = 1 << 16

    def __missing__(self, code: int) -> str | None:
        ch = chr(code)
        found = None if unicodedata.category(ch) == "Mn" else ch
        if len(self) < self.LIMIT:
            self[code] = found
        return found


_MARKS = _Marks()


# ASCII, and the letters whose decomposition is an ASCII letter and Latin combining marks (U+0300
# to U+036F, all non-spacing): every letter of Vietnamese. Text made of these folds by dropping
# what is not ASCII after decomposition, in less than half the time the table above takes.
_LATIN = frozenset(
    chr(code)
    for code in range(0x2000)
    if all(ord(c) < 0x80 or 0x300 <= ord(c) <= 0x36F for c in unicodedata.normalize("NFD", chr(code)))
    and (code < 0x80 or unicodedata.normalize("NFD", chr(code))[0].isascii())
)
