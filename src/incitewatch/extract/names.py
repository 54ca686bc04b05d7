"""Canonical keys for Arabic (and other) personal names written in Latin script, and a compatibility test.

Press transliteration varies: "Abi al-Hassan al-Muhajer" and "Abu al-Hasan al-Muhajir" are one man.
``name_key`` folds the spelling variants into one key; ``parse_name`` splits a key into kunya ("Abu X"),
given names and surnames (nisbas "al-X", "bin X", a Western family name) so that ``same_person`` can tell a
compatible partial reference ("al-Muhajer") from a different person ("Abu Omar al-Muhajir").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Honorifics and titles that are not part of the name.
TITLES = _words(
    "sheikh shaykh shaikh sheik shaykhs emir mullah mulla dr doctor mr mrs ms maulana mawlana mawlawi "
    "maulvi sayyed sayyid ustaz ustadh hajji haji imam mufti caliph gen general col colonel capt "
    "captain lt lieutenant maj sgt msgr monsignor rev fr president"
)
KUNYA_FORMS = frozenset({"abu", "abi", "abou", "aboo", "abo", "abū"})
ARTICLE_FORMS = frozenset({"al", "el"})
# Sun-letter assimilations of "al-" ("ad-Dawla", "ash-Shami"): articles only when written with a hyphen.
ASSIMILATED_ARTICLES = _words("ad ar as at az an ash adh ath ud ul ez es ed")
PATRONYMIC_FORMS = frozenset({"bin", "ibn", "ben", "b"})

# Canonical spelling -> its variants in the press, space-separated. Extend here, not in code.
_SPELLINGS: dict[str, str] = {
    "muhajir": "muhajer mouhajir muhager mohajir mohajer",
    "hudhayfa": (
        "hudhayfah huthaifa hudhaifa huzaifa hudayfa hudhaifah huthayfa huzayfa huthaifah huzaifah "
        "hudaifa hudhayfah huthayfah hodeifa hudaifah"
    ),
    "qurashi": "quraishi qurayshi qureshi quraishy qurashy qurayshī al-qurashi",
    "umar": "omar umer omer oumar",
    "muhammad": "mohammed mohamed mohammad muhammed mohamad muhamad mohd muhamed",
    "hasan": "hassan",
    "husayn": "hussein husain hussain husein hossein husayin",
    "husayni": "husseini husaini hussaini husseiny hosseini",
    "hashimi": "hashemi hashmi",
    "ibrahim": "ebrahim ibraheem ibrahem",
    "hamza": "hamzah hamzeh",
    "ubayda": "obaida ubaida ubaydah obeida ubaidah obaidah obeidah ubeyda",
    "abdullah": "abdallah abdulla",
    "yusuf": "yousef youssef yousuf yusef yousif",
    "usama": "osama usamah oussama ousama",
    "zawahiri": "zawahri",
    "ayyub": "ayub ayyoub ayoub",
    "musab": "mousab musaab mosab",
    "julani": "jolani jawlani golani",
    "khalid": "khaled",
    "ahmad": "ahmed",
    "mahmud": "mahmoud mahmood",
    "ismail": "ismael ismaeel",
    "awlaki": "aulaqi awlaqi",
    "ubaydullah": "obaidullah ubaidullah",
    "zarqawi": "zarkawi",
    "adnani": "adnany",
    "masri": "misri",
    "shami": "shamy",
    "nasrallah": "nasrullah",
    "haniyeh": "haniya haniye",
    "sinwar": "sinwaar",
}
_CANONICAL_SPELLING = {
    variant: canonical for canonical, variants in _SPELLINGS.items() for variant in variants.split()
}

_APOSTROPHES = re.compile(r"['’‘`ʼʿʾ´]")
_POSSESSIVE = re.compile(r"['’]s\s*$", re.IGNORECASE)


def _fold_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _raw_tokens(name: str) -> list[tuple[str, bool]]:
    """Lower-case word tokens, each with whether a hyphen joined it to the next word."""
    text = _fold_accents(_POSSESSIVE.sub("", name.strip())).lower()
    text = _APOSTROPHES.sub("", text).replace(".", " ")
    tokens: list[tuple[str, bool]] = []
    for match in re.finditer(r"[a-z0-9]+(-?)", text):
        word = match.group(0).rstrip("-")
        tokens.append((word, bool(match.group(1))))
    return tokens


def _expand(word: str, hyphen_follows: bool) -> list[str]:
    """One raw word as canonical key words: particles unified, known spellings folded."""
    if word in KUNYA_FORMS:
        return ["abu"]
    if word == "abul":
        return ["abu", "al"]
    if word in ("abdul", "abdel", "abdal", "abdol"):
        return ["abd", "al"]
    if word in ARTICLE_FORMS or (hyphen_follows and word in ASSIMILATED_ARTICLES):
        return ["al"]
    if word in PATRONYMIC_FORMS:
        return ["bin"]
    return [_CANONICAL_SPELLING.get(word, word)]


@lru_cache(maxsize=8192)
def name_key(name: str) -> str:
    """A transliteration-aware canonical key: ``name_key("Sheikh Abi al-Hassan al-Muhajer")`` is
    ``"abu al hasan al muhajir"``. Titles dropped, particles unified, diacritics and apostrophes removed."""
    words: list[str] = []
    tokens = _raw_tokens(name)
    for position, (word, hyphen_follows) in enumerate(tokens):
        if word in TITLES and not words and position < len(tokens) - 1:
            continue  # a title only before the name ("Mullah Omar"; not "Ali Imam", not a lone "Major")
        words.extend(_expand(word, hyphen_follows))
    return " ".join(words)


def name_slug(name: str) -> str:
    """``name_key`` as an id-safe slug: "abu-al-hasan-al-muhajir"."""
    return name_key(name).replace(" ", "-")


@dataclass(frozen=True, slots=True)
class NameParts:
    """A name key split by role: kunya ("Abu Omar" -> "umar"), given names and surnames (nisbas, bin-X)."""

    kunya: str | None
    given: tuple[str, ...]
    surnames: tuple[str, ...]
    # A lone word ("Baghdadi", "Aisha") may be a given name or a surname.
    solo: str | None = None

    @property
    def is_partial(self) -> bool:
        """True for a reference that names nobody on its own: no kunya and no given name."""
        return self.kunya is None and not self.given

    @property
    def surname_words(self) -> frozenset[str]:
        words = {word for surname in self.surnames for word in surname.split()}
        return frozenset(words - {"bin"})

    @property
    def reference_words(self) -> frozenset[str]:
        """The words a partial reference may use: surnames, or the lone word."""
        return self.surname_words | ({self.solo} if self.solo else set())


@lru_cache(maxsize=8192)
def parse_name(name: str) -> NameParts:
    words = name_key(name).split()
    kunya: str | None = None
    bare: list[str] = []
    surnames: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        nxt = i + 2 if i + 2 < len(words) and words[i + 1] == "al" else i + 1
        if word == "abu" and nxt < len(words) and kunya is None and not surnames:
            kunya = words[nxt]
            i = nxt + 1
        elif word == "al" and i + 1 < len(words):
            surnames.append(words[i + 1])
            i += 2
        elif word == "bin" and nxt < len(words):
            surnames.append("bin " + words[nxt])
            i = nxt + 1
        elif word == "abd" and nxt < len(words):
            bare.append("abd " + words[nxt])  # "Abd al-Rahman" is one given name
            i = nxt + 1
        else:
            bare.append(word)
            i += 1
    return _assign_bare_words(kunya, bare, surnames)


def _assign_bare_words(kunya: str | None, bare: list[str], surnames: list[str]) -> NameParts:
    if surnames:
        return NameParts(kunya, tuple(bare), tuple(surnames))
    if kunya is not None:
        return NameParts(
            kunya, (), tuple(bare)
        )  # "Abu Bakr Shekau": the word after the kunya is a family name
    if len(bare) >= 2:
        return NameParts(None, tuple(bare[:-1]), (bare[-1],))  # Western order: given names, then family name
    if len(bare) == 1:
        return NameParts(None, (), (), solo=bare[0])
    return NameParts(None, (), ())


def is_partial_name(name: str) -> bool:
    """True for references such as "al-Muhajer", "Al-Ansari", "Baghdadi" that need a full name to resolve."""
    return parse_name(name).is_partial


def _given_compatible(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    first_a, first_b = a[0], b[0]
    if len(first_a) == 1 or len(first_b) == 1:
        return first_a[0] == first_b[0]  # an initial ("J.") agrees with any name that starts with it
    return first_a == first_b


def _full_names_compatible(a: NameParts, b: NameParts) -> bool:
    if a.kunya and b.kunya and a.kunya != b.kunya:
        return False
    if bool(a.kunya) != bool(b.kunya):
        # "Hudhayfah al-Ansari" drops the "Abu" of "Abu Hudhayfah al-Ansari"; otherwise the names disagree.
        with_kunya, without = (a, b) if a.kunya else (b, a)
        if not (without.given and without.given[0] == with_kunya.kunya) and not (
            with_kunya.given and without.given and _given_compatible(with_kunya.given, without.given)
        ):
            return False
    elif a.given and b.given and not _given_compatible(a.given, b.given):
        return False
    surnames_a, surnames_b = a.surname_words, b.surname_words
    return not (surnames_a and surnames_b and not surnames_a & surnames_b)


def full_names_compatible(a: NameParts, b: NameParts) -> bool:
    """``same_person`` for two names that are both full (not partial), already parsed."""
    return _full_names_compatible(a, b)


def lead_letters(parts: NameParts) -> frozenset[str]:
    """First letters of the kunya and of the first given name. Two full names can be compatible only when they
    share one: equal kunyas, a kunya dropped into the given names, or given names agreeing by initial."""
    letters = {parts.kunya[0]} if parts.kunya else set()
    if parts.given:
        letters.add(parts.given[0][0])
    return frozenset(letters)


def _partial_fits(partial: NameParts, other: NameParts) -> bool:
    words = partial.reference_words
    if not words:
        return False
    if other.is_partial:
        other_words = other.reference_words
        return words <= other_words or other_words <= words
    # A lone word may be a given name ("Aisha"); surnames must be among the other's surnames.
    allowed = other.surname_words | (set(other.given) if partial.solo else set())
    return words <= allowed


def same_person(a: str, b: str) -> bool:
    """Whether two names can refer to one person.

    A partial reference ("al-Muhajer") is compatible with a full name that contains it; two full names that
    differ in kunya or first given name are different people (Abu Bakr al-Baghdadi ≠ Abu Omar al-Baghdadi).
    """
    parts_a, parts_b = parse_name(a), parse_name(b)
    if not name_key(a) or not name_key(b):
        return False
    if parts_a.is_partial:
        return _partial_fits(parts_a, parts_b)
    if parts_b.is_partial:
        return _partial_fits(parts_b, parts_a)
    return _full_names_compatible(parts_a, parts_b)


def is_partial_of(partial: str, full: str) -> bool:
    """Whether ``partial`` refers to the full name ``full`` by its surnames (never by a given name)."""
    parts = parse_name(partial)
    if not parts.is_partial or parse_name(full).is_partial:
        return False
    words = parts.reference_words
    return bool(words) and words <= parse_name(full).surname_words


# "the son of the late al Qaeda founder Osama bin Laden", "Osama bin Laden's son Hamza", "a faction loyal to
# Abubakar Shekau", "a strike that killed senior commander Fuad Shukr": a person named only to say whose relative,
# predecessor or follower the subject is, or who is dead, is not who speaks or acts in the sentence.
_RELATIVE_NOUNS = (
    r"son|daughter|father|mother|brother|sister|wife|widow|husband|nephew|niece|cousin|uncle|grandson|"
    r"granddaughter|successor|predecessor|bodyguard|driver"
)
_RELATION_BEFORE = re.compile(
    rf"(?:\b(?:{_RELATIVE_NOUNS})\s+of\s+(?:the\s+)?(?:late\s+)?|\blate\s+|"
    r"\b(?:killed|killing|assassinated|murdered|slain|eliminated)\s+(?:the\s+)?|"
    r"\b(?:loyal\s+to|led\s+by|founded\s+by|headed\s+by|allied\s+(?:with|to)|followers\s+of|supporters\s+of|"
    r"faction\s+of)\s+(?:the\s+)?)(?:[\w’'-]+\s+){0,4}$",
    re.IGNORECASE,
)
_RELATION_AFTER = re.compile(rf"['’]s\s+(?:(?:late|eldest|youngest|favourite|favorite)\s+)?(?:{_RELATIVE_NOUNS})\b")


def is_relation_reference(text: str, start: int, end: int) -> bool:
    """Whether the name at ``text[start:end]`` is mentioned as someone's relative or predecessor, or as dead."""
    return bool(_RELATION_BEFORE.search(text, max(0, start - 60), start) or _RELATION_AFTER.match(text, end))
