"""Word lists in two tiers: the words that hold a question for a person's decision (banned) and
those that only flag it (suspect), with an allow-list of words and phrases never caught.

Pure: lists of entries in, a compiled matcher out. Text and entries go through the same
normalisation, so that they meet whatever the spelling:

- folded (live/core/text.py): no diacritics, lower case ("ĐỊT" and "dit" alike);
- teen code: "ph"/"f", "qu"/"w", "z"/"dz"/"j"/"gi"/"d", "k"/"c", "y"/"i" are one letter each,
  repeated letters count once ("nguuuu"), digits and symbols inside a word read as letters
  ("ng0", "l@"), letters split by dots or dashes ("n.g.u") or typed one by one ("đ m") are joined,
  and a few whole-word shorthands ("ko", "j", "dc") are spelt out;
- whole words only, and phrases word by word: "du lịch" never matches "dụ";
- a hit inside an allowed phrase (a place name, "giáo dục") is no hit.

Compiled once into sets and dicts: a question costs one split and a set intersection, and
a lookup per word only when one of its words starts an entry.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from live.core.errors import DomainError
from live.core.text import clean, fold

TIERS = ("banned", "suspect", "allow")
MAX_ENTRIES = 2000  # per tier: a list the secretariat can still read
MAX_ENTRY_CHARS = 60  # one word or a short phrase
MAX_ENTRY_WORDS = 6

_PARTS = re.compile(r"[^\W_]+")  # letters and digits, however many a chunk holds
_INSIDE = re.compile(r"(?<=[^\W_])[@$!|](?=[^\W_])")  # a symbol standing for a letter, inside a word
_SYMBOLS = {"@": "a", "$": "s", "!": "i", "|": "l"}
_DIGITS = str.maketrans("013457", "oieast")
# whole-word shorthands, spelt out before the letters are normalised (questions._ABBREVIATIONS has
# the same idea for duplicates; these are the teen code of insults and their surroundings)
_SHORTHANDS = {
    "k": "khong", "ko": "khong", "kh": "khong", "hok": "khong", "hong": "khong", "khum": "khong",
    "j": "gi", "z": "gi", "dc": "duoc", "dk": "duoc", "ng": "nguoi", "m": "may", "t": "tao",
    "vs": "voi", "ntn": "nhu the nao", "bt": "biet", "ms": "moi",
}  # fmt: skip
# letters that teen code writes for one another, each pair brought to one spelling (order matters:
# "ngh" before "gh", "dz" before "z")
_SPELLINGS = (("ngh", "ng"), ("gh", "g"), ("ph", "f"), ("qu", "w"), ("dz", "d"), ("z", "d"), ("j", "d"), ("y", "i"))
_MAX_MEMO = 1 << 16


def _squeeze(word: str) -> str:
    """Repeated letters once: "nguuuu" → "ngu"."""
    out = []
    last = ""
    for ch in word:
        if ch != last:
            out.append(ch)
            last = ch
    return "".join(out)


def spell(word: str) -> str:
    """One folded word in its teen-code-proof spelling (letters and digits only)."""
    if not word.isalpha():
        if word.isdigit():
            return word  # a number stays a number: "2026", "100"
        word = word.translate(_DIGITS)
    if word.startswith("gi"):
        word = "d" + (word[2:] or "i")  # "giờ" and "dờ"; "gì", "dì", "jì" and "zì"
    for written, read in _SPELLINGS:
        if written in word:
            word = word.replace(written, read)
    if "k" in word:
        word = word.replace("kh", "\0").replace("k", "c").replace("\0", "kh")
    return _squeeze(word)


def _chunk_words(chunk: str) -> list[str]:
    """The words of one space-delimited piece of folded text: "n.g.u" is one word, "tp.hcm" two."""
    if chunk.isalnum():
        return [chunk]
    if "@" in chunk or "$" in chunk or "!" in chunk or "|" in chunk:
        chunk = _INSIDE.sub(lambda m: _SYMBOLS[m.group()], chunk)
    parts = _PARTS.findall(chunk)
    if len(parts) > 1 and all(len(p) == 1 for p in parts):
        return ["".join(parts)]  # letters split by dots or dashes
    return parts


def _spelt(chunk: str) -> tuple[str, ...]:
    """A chunk's normalised words: split, shorthands spelt out, letters normalised."""
    out: list[str] = []
    for word in _chunk_words(chunk):
        out.extend(spell(w) for w in _SHORTHANDS.get(word, word).split())
    return tuple(out)


class _Chunks(dict):
    """chunk of folded text → its normalised words, each chunk worked out once (a conference's
    questions use a few thousand distinct chunks; the table stops growing at ``_MAX_MEMO``)."""

    def __missing__(self, chunk: str) -> tuple[str, ...]:
        found = _spelt(chunk)
        if len(self) < _MAX_MEMO:
            self[chunk] = found
        return found


_CHUNKS = _Chunks()
# two letters or more typed one by one, between spaces ("đ m", "n g u"): joined into one word
# (folded text: lower-case ASCII letters, single spaces); _TWO_LETTERS, six times cheaper, says
# whether there is any such run (with a space put in front)
_LETTERS = re.compile(r"(?<![^ ])[a-z](?: [a-z])+(?![^ ])")
_TWO_LETTERS = re.compile(r" [a-z] [a-z](?: |$)")


def words(text: str, folded: str | None = None) -> list[str]:
    """The normalised words of ``text`` (``folded`` is its ``fold`` when the caller has it)."""
    if folded is None:
        folded = fold(text)
    if _TWO_LETTERS.search(" " + folded) is not None:
        folded = _LETTERS.sub(lambda m: m.group().replace(" ", ""), folded)
    chunks = _CHUNKS
    out: list[str] = []
    for chunk in folded.split():
        out += chunks[chunk]
    return out


_Index = dict[str, list[tuple[tuple[str, ...], str, str]]]  # first word → [(its words, tier, entry)]


@dataclass(frozen=True)
class Compiled:
    """The lists, compiled: ``match(text)`` says which entries of each tier a text holds."""

    entries: dict[str, tuple[str, ...]]  # tier → its entries as the secretariat wrote them
    _starts: frozenset[str] = field(repr=False)  # every word a banned or suspect entry begins with
    _flagged: _Index = field(repr=False)  # banned and suspect entries, longest first
    _allowed: _Index = field(repr=False)

    def counts(self) -> dict[str, int]:
        return {tier: len(self.entries[tier]) for tier in TIERS}

    def match(self, text: str, folded: str | None = None) -> dict[str, list[str]]:
        """``{"banned": [...], "suspect": [...]}`` with the entries found, only non-empty tiers;
        ``folded`` is ``fold(text)`` when the caller has it (a stored question does)."""
        found = words(text, folded)
        present = self._starts.intersection(found)  # most questions: empty, one set operation
        if not present:
            return {}
        return self._match_words(found, present)

    def _match_words(self, found: list[str], present: frozenset[str]) -> dict[str, list[str]]:
        hits = sorted(_spans(found, self._flagged, present))
        if not hits:
            return {}
        allowed = list(_spans(found, self._allowed, self._allowed.keys() & set(found)))
        out: dict[str, list[str]] = {}
        for start, end, tier, entry in hits:
            if any(a <= start and end <= b for a, b, _tier, _entry in allowed):
                continue
            listed = out.setdefault(tier, [])
            if entry not in listed:
                listed.append(entry)
        return {tier: out[tier] for tier in ("banned", "suspect") if out.get(tier)}


def _spans(found: list[str], index: _Index, present) -> list[tuple[int, int, str, str]]:
    """Every (start, end, tier, entry) of ``index`` in ``found``, looking only where one of the
    words ``present`` stands (found by ``list.index``, not by a loop over every word)."""
    spans = []
    for word in present:
        at = -1
        for _ in range(found.count(word)):
            at = found.index(word, at + 1)
            for phrase, tier, entry in index[word]:
                n = len(phrase)
                if n == 1 or tuple(found[at : at + n]) == phrase:
                    spans.append((at, at + n, tier, entry))
    return spans


def key_of(entry: str) -> tuple[str, ...]:
    """The words an entry matches, normalised (the key duplicates share)."""
    return tuple(words(entry))


def compile_lists(lists: dict[str, list[str] | tuple[str, ...]]) -> Compiled:
    """Compile ``{"banned": [...], "suspect": [...], "allow": [...]}`` (entries already checked);
    an entry in both tiers is banned."""
    flagged: _Index = {}
    allowed: _Index = {}
    entries: dict[str, tuple[str, ...]] = {}
    seen: set[tuple[str, ...]] = set()
    for tier in TIERS:
        kept = []
        for entry in lists.get(tier) or ():
            phrase = key_of(entry)
            if not phrase or (tier != "allow" and phrase in seen):
                continue
            kept.append(entry)
            if tier == "allow":
                allowed.setdefault(phrase[0], []).append((phrase, tier, entry))
                continue
            seen.add(phrase)
            forms = {phrase, ("".join(phrase),)}  # "địt mẹ" typed as one word: "ditme"
            for form in forms:
                flagged.setdefault(form[0], []).append((form, tier, entry))
        entries[tier] = tuple(kept)
    for index in (flagged, allowed):
        for found in index.values():
            found.sort(key=lambda item: -len(item[0]))
    return Compiled(entries, frozenset(flagged), flagged, allowed)


def parse_lines(text: object, tier: str) -> list[str]:
    """One tier's entries from a textarea, one a line: NFC, trimmed, spaces collapsed, entries
    that normalise alike merged (the first kept). Raises ``wordlist.*`` errors, naming the line."""
    if not isinstance(text, str):
        raise DomainError("wordlist.malformed")
    out: list[str] = []
    keys: set[tuple[str, ...]] = set()
    for number, line in enumerate(text.split("\n"), start=1):
        entry = " ".join(clean(line).split())
        if not entry:
            continue
        if len(entry) > MAX_ENTRY_CHARS:
            raise DomainError("wordlist.too_long", tier=tier, line=number, limit=MAX_ENTRY_CHARS)
        found = key_of(entry)
        if not found:
            raise DomainError("wordlist.no_letters", tier=tier, line=number)
        if len(found) > MAX_ENTRY_WORDS:
            raise DomainError("wordlist.too_many_words", tier=tier, line=number, limit=MAX_ENTRY_WORDS)
        if found in keys:
            continue
        keys.add(found)
        out.append(unicodedata.normalize("NFC", entry))
        if len(out) > MAX_ENTRIES:
            raise DomainError("wordlist.too_many", tier=tier, limit=MAX_ENTRIES)
    return out


def parse_file(text: str) -> dict[str, list[str]]:
    """The shipped list's file: ``[banned]``, ``[suspect]`` and ``[allow]`` sections, one entry a
    line, ``#`` comments."""
    sections: dict[str, list[str]] = {tier: [] for tier in TIERS}
    tier = None
    for line in text.split("\n"):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            tier = line[1:-1].strip()
            if tier not in sections:
                raise ValueError(f"unknown section {line}")
            continue
        if tier is None:
            raise ValueError("an entry before any section")
        sections[tier].append(line)
    return {tier: parse_lines("\n".join(lines), tier) for tier, lines in sections.items()}
