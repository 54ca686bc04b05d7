"""clean/: RawDocument bytes → Article (decoding, HTML extraction, boilerplate, title/author/date)."""

from __future__ import annotations

import gzip
import random
import re
import time
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incitewatch.clean.article import article_id, sniff_media_type, to_article
from incitewatch.clean.decode import normalise_text
from incitewatch.clean.plaintext import clean_plain_text, is_promo_line, parse_byline, parse_dateline
from incitewatch.errors import InputError
from incitewatch.types import Article, RawDocument
from tests.shared_paths import SEEDS

SEED_000 = SEEDS / "000_0fb2546fb7702a3f.txt"
SEED_002 = SEEDS / "002_f57f2f0fce523868.txt"

BODY = (
    "Police in the northern province said on Tuesday that two men had been detained over a recording.\n\n"
    "“We will not be silenced,” the voice on the recording said.\n\n"
    "He refused.\n\n"
    "The Telegram channel that carried the message was later shut down by the platform.\n\n"
    "Maria Santos, a researcher who tracks extremist media, said the clip reused older footage."
)


def _article(text: str | bytes, uri: str = "file:///tmp/a.txt", media_type: str | None = None) -> Article:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return to_article(RawDocument(data, uri, media_type=media_type))


def _reason(data: bytes) -> str:
    with pytest.raises(InputError) as caught:
        to_article(RawDocument(data, "file:///tmp/bad"))
    assert caught.value.input_name == "file:///tmp/bad"
    return caught.value.reason


# --- bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"   \n\t\r\n  ", "\u200b\ufeff\u200d\n".encode()])
def test_empty_input_is_rejected(data: bytes) -> None:
    assert _reason(data) == "empty input"


@pytest.mark.parametrize(
    ("data", "label"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        (b"PK\x03\x04\x14\x00\x06\x00", "ZIP archive"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG image"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG image"),
        (b"GIF89a\x01\x00\x01\x00", "GIF image"),
        (b"\x7fELF\x02\x01\x01\x00", "ELF executable"),
        (gzip.compress(b"some text"), "gzip archive"),
    ],
)
def test_known_binary_formats_are_named(data: bytes, label: str) -> None:
    assert _reason(data) == f"binary content (looks like {label})"


def test_nul_bytes_and_control_characters_are_binary() -> None:
    assert _reason(b"header\x00\x00\x01\x02 payload" * 50).startswith("binary content")
    rng = random.Random(7)
    controls = bytes(rng.choice([1, 2, 3, 4, 5, 6, 0x1B, 0x7F]) for _ in range(400))
    assert _reason(b"text " * 100 + controls).startswith("binary content (")


def test_undecodable_bytes_are_reported() -> None:
    rng = random.Random(11)
    noise = bytes(rng.randrange(0x80, 0x100) for _ in range(4000))
    reason = _reason(noise)
    assert reason.startswith("cannot decode text (tried utf-8")


def test_undecodable_declared_charset_is_named() -> None:
    with pytest.raises(InputError) as caught:
        to_article(RawDocument(b"\x81\xff\xfe\x80" * 500, "x", media_type="text/plain; charset=Shift_JIS"))
    assert caught.value.reason.startswith("cannot decode text (tried utf-8, declared charset shift_jis")


def test_too_large_input_is_rejected_quickly() -> None:
    reason = _reason(b"a" * 50_000_000)
    assert reason == "too large (50 MB > 5 MB limit)"


def test_max_bytes_is_configurable() -> None:
    with pytest.raises(InputError, match=r"too large"):
        to_article(RawDocument(b"A short report about nothing." * 10, "x"), max_bytes=100)


def test_expected_gzip_is_decompressed() -> None:
    data = gzip.compress(BODY.encode("utf-8"))
    article = to_article(RawDocument(data, "file:///tmp/report.txt.gz"))
    assert article.text.startswith("Police in the northern province")


# --- decoding and normalisation -------------------------------------------------------------------


def test_lying_latin1_declaration_reads_utf8() -> None:
    text = "The café owner said “we are afraid” – and left.\n"
    article = _article(text.encode("utf-8"), media_type="text/plain; charset=ISO-8859-1")
    assert article.text == text.strip()


def test_declared_latin1_reads_windows_1252_quotes() -> None:
    text = "The group’s “lone wolves” message was aired.\n"
    article = _article(text.encode("cp1252"), media_type="text/plain; charset=iso-8859-1")
    assert article.text == text.strip()


def test_undeclared_legacy_text_is_detected() -> None:
    text = "The café owner said “we are afraid” of further attacks on the square near the old station.\n"
    assert _article(text.encode("cp1252")).text == text.strip()


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-32", "utf-16-le"])
def test_byte_order_marks_and_bomless_utf16(encoding: str) -> None:
    text = "Officials said the café was closed.\nNobody was hurt."
    assert _article(text.encode(encoding)).text == text


def test_html_meta_charset_is_used() -> None:
    html = (
        '<html><head><meta charset="windows-1251"><title>Report</title></head><body><article>'
        "<p>Агентство сообщило, что группа выпустила новое видеообращение к своим сторонникам.</p>"
        "<p>Эксперты считают, что запись была сделана несколько месяцев назад в другом месте.</p>"
        "</article></body></html>"
    )
    article = _article(html.encode("cp1251"), uri="file:///tmp/page.html")
    assert "видеообращение" in article.text


def test_normalisation_newlines_nfc_invisible_and_control_characters() -> None:
    raw = "Cafe\u0301 re\u200bport\r\nline two\rline\u00a0three\x07\tend\u2028next"
    assert normalise_text(raw) == "Café report\nline two\nline three\tend\nnext"


# --- media type -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "uri", "declared", "expected"),
    [
        (b"%PDF-1.4", "a.html", "text/html", "application/pdf"),
        (b"<!DOCTYPE html><html><body>x", "a.txt", "text/plain", "text/html"),
        (b"  <!-- c --><html lang=en>", "x", None, "text/html"),
        (b"plain words", "https://example.org/story.html", None, "text/html"),
        (b"plain words", "x", "text/html; charset=utf-8", "text/html"),
        (b"plain words", "notes.txt", None, "text/plain"),
        (b"plain words <html> later", "x", "application/octet-stream", "text/plain"),
        (b'{"a": 1}', "x", "application/json", "application/json"),
    ],
)
def test_sniff_media_type(data: bytes, uri: str, declared: str | None, expected: str) -> None:
    assert sniff_media_type(data, uri, declared) == expected


# --- HTML -----------------------------------------------------------------------------------------

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Group urges supporters to strike | The Example Ledger</title>
<meta property="og:site_name" content="The Example Ledger">
<meta property="og:title" content="Group urges supporters to strike">
<meta name="author" content="Priya Raman">
<meta property="article:published_time" content="2024-03-30T10:02:00+05:30">
<link rel="canonical" href="https://ledger.example.com/world/group-urges-supporters">
</head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li>
<li><a href="/sport">Sport</a></li></ul></nav>
<article>
<h1>Group urges supporters to strike</h1>
<p class="byline">By Priya Raman</p>
<p>The militant group released a new audio message on Monday calling on supporters to carry out attacks
in Europe, according to officials who reviewed the recording.</p>
<p>Follow us on Telegram</p>
<p>“We will strike them where they live,” the speaker said in the forty-minute recording, which could not
be independently verified.</p>
<p>Analysts said the message was aimed at sympathisers abroad and that the group had lost much of its
territory over the past year.</p>
</article>
<section class="comments"><p>Great article!!! I agree with every word of it</p></section>
<footer><p>Copyright 2024 The Example Ledger. All rights reserved.</p><a href="/privacy">Privacy</a></footer>
</body></html>"""


def test_html_main_text_and_metadata() -> None:
    article = to_article(RawDocument(PAGE.encode("utf-8"), "file:///tmp/page.html", media_type="text/html"))
    assert article.title == "Group urges supporters to strike"
    assert article.author == "Priya Raman"
    assert article.published == date(2024, 3, 30)
    assert article.outlet == "The Example Ledger"
    assert article.url == "https://ledger.example.com/world/group-urges-supporters"
    assert article.text.startswith("The militant group released")
    assert "where they live" in article.text
    for furniture in ("Home", "Sport", "Follow us", "Great article", "Copyright", "Privacy"):
        assert furniture not in article.text
    assert "Group urges supporters to strike" not in article.text


def test_html_declared_fields_win() -> None:
    raw = RawDocument(
        PAGE.encode("utf-8"),
        "https://news.example.net/item/9",
        declared_published=date(2024, 4, 1),
        declared_outlet="Wire Desk",
    )
    article = to_article(raw)
    assert article.published == date(2024, 4, 1)
    assert article.outlet == "Wire Desk"
    assert article.url == "https://news.example.net/item/9"


@pytest.mark.parametrize(
    "html",
    [
        "<html><body></body></html>",
        "<html><head><title>Only a title</title></head><body><nav><a href='/'>Home</a></nav></body></html>",
        "<!DOCTYPE html><html>" + "<div>" * 5000,
        "<html>\x00\x01</html>",
    ],
)
def test_html_without_article_text_is_an_input_error_not_a_crash(html: str) -> None:
    with pytest.raises(InputError, match=r"no article text found in HTML|binary content"):
        to_article(RawDocument(html.encode("utf-8"), "x", media_type="text/html"))


def test_malformed_html_with_text_still_gives_text() -> None:
    html = (
        "<html><body><div><p>The group's statement, released on Friday, <b>claimed the attack <i>on the "
        "convoy</div></span></p><p>Officials said they were still checking whether the claim was genuine."
    )
    article = to_article(RawDocument(html.encode("utf-8"), "x", media_type="text/html"))
    assert "claimed the attack" in article.text
    assert "<" not in article.text


def test_plain_text_mislabelled_as_html_is_read_as_text() -> None:
    raw = RawDocument(BODY.encode("utf-8"), "https://x.example/a", media_type="text/html; charset=utf-8")
    assert to_article(raw).text == BODY


def test_html_external_entities_are_not_expanded(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRETVALUE")
    html = (
        f'<?xml version="1.0"?><!DOCTYPE html [<!ENTITY leak SYSTEM "file://{secret}">]>'
        "<html><body><article><p>&leak; The group issued a statement on Friday claiming responsibility "
        "for the attack, which officials have not confirmed so far.</p></article></body></html>"
    )
    try:
        article = to_article(RawDocument(html.encode("utf-8"), "x", media_type="text/html"))
    except InputError:
        return
    assert "TOPSECRETVALUE" not in article.text


# --- plain text boilerplate -----------------------------------------------------------------------

STORY = f"""World Desk

Arrests Follow Release Of New Militant Recording

 Arrests Follow Release Of New Militant Recording

By Jane Okafor | Published: 30 March 2024

{BODY}

Also read: Five things to know about the group's media wing

Share Tweet WhatsApp Email

Jane Okafor

Jane Okafor is a correspondent covering security in West Africa. That's her beat, and she loves it."""


def test_plain_text_header_promo_and_bio_are_removed() -> None:
    article = _article(STORY)
    assert article.title == "Arrests Follow Release Of New Militant Recording"
    assert article.author == "Jane Okafor"
    assert article.published == date(2024, 3, 30)
    assert article.outlet == "World Desk"
    assert article.text == BODY


def test_body_text_with_quotes_short_lines_and_names_survives() -> None:
    text = (
        "The recording was posted late on Sunday and removed within hours by moderators.\n\n"
        "“Join us,” it urged.\n\n"
        "Follow the money, one investigator said.\n\n"
        "Ahmed Karimi\n\nwas named by prosecutors as the organiser, according to the indictment.\n\n"
        "The Telegram channel was shut down.\n\n"
        "Read the judgment in full before drawing conclusions, the judge warned.\n\n"
        "No one was hurt."
    )
    article = _article(text)
    assert article.text == text
    assert article.title is None
    assert article.author is None


@pytest.mark.parametrize(
    "text",
    [
        # a first line that runs on into the next is a sentence, not a headline
        "Officials Say\n\nthe attack was planned for weeks by a small cell.",
        # a closing paragraph about a person in the news is not the writer's bio
        f"{BODY}\n\nAhmed Karimi is a journalist who was arrested in 2019, his lawyer said.",
        # a list of names at the end is not a signature
        f"{BODY}\n\nThe dead were named as:\nJohn Smith\nMary Jones",
    ],
)
def test_body_that_resembles_header_or_trailer_is_kept(text: str) -> None:
    article = _article(text)
    assert article.text == text
    assert article.author is None


def test_subheadings_after_the_byline_stay_in_the_body() -> None:
    body = "The group said many things.\n\nWhy It Matters\n\nExperts are worried."
    article = _article(f"Group Urges Attacks\n\nBy Jane Doe\n\nWhat The Message Says\n\n{body}")
    assert article.title == "Group Urges Attacks"
    assert article.author == "Jane Doe"
    assert article.text == f"What The Message Says\n\n{body}"


def test_trailing_name_line_is_an_author_signature() -> None:
    text = f"{BODY}\n\nSamuel Reyes"
    article = _article(text)
    assert article.author == "Samuel Reyes"
    assert article.text == BODY


def test_last_paragraph_bio_and_credit_lines() -> None:
    text = f"{BODY}\n\nDaniel Mwangi is a freelance journalist based in Nairobi."
    article = _article(text)
    assert article.author == "Daniel Mwangi"
    assert article.text == BODY
    credited = _article(f"{BODY}\n\nReporting by Lena Vogel; Editing by Tom Hart")
    assert credited.author == "Lena Vogel"
    assert credited.text == BODY


def test_sentence_case_headline_with_blank_line_and_dateline() -> None:
    text = f"Militants claim responsibility for bridge attack\n\nMarch 30, 2024 10:02 IST\n\n{BODY}"
    article = _article(text)
    assert article.title == "Militants claim responsibility for bridge attack"
    assert article.published == date(2024, 3, 30)
    assert article.text == BODY


def test_first_line_that_is_a_sentence_is_not_a_title() -> None:
    text = "An audio message urged supporters to act.\nIt was posted on Monday.\nNobody has claimed it."
    article = _article(text)
    assert article.title is None
    assert article.text == text


def test_single_headline_only_text_is_kept() -> None:
    article = _article("Bomb Threat At Central Station")
    assert article.text == "Bomb Threat At Central Station"


@pytest.mark.parametrize(
    ("line", "promo"),
    [
        ("Rafael Ortiz WhatsApp Channel", True),
        ("Follow us on Google News", True),
        ("Subscribe to our newsletter", True),
        ("Read more: Group claims attack on convoy", True),
        ("Advertisement", True),
        ("Click here to watch the video", True),
        ("Facebook | Twitter | WhatsApp | Email", True),
        ("© 2024 Example Media Group", True),
        ("He ran a Telegram channel.", False),
        ("The audio clip was distributed on Islamic State's channel on Telegram, the encrypted app.", False),
        ("“Join us,” it urged.", False),
        ("Share prices fell sharply after the attack.", False),
    ],
)
def test_promo_lines(line: str, promo: bool) -> None:
    assert is_promo_line(line) is promo


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("By Jane Doe", ("Jane Doe", None)),
        ("By JANE DOE and John Roe", ("Jane Doe; John Roe", None)),
        ("Jane Doe | Reuters", ("Jane Doe", None)),
        ("By Omar al-Rashid, Reuters | 2 April 2024", ("Omar al-Rashid", date(2024, 4, 2))),
        ("By Monday, the group had left.", None),
        ("By the end of the day", None),
        ("South Asia | World", None),
        ("Hudhayfah Al-Ansari – How A Little-Known Preacher Became The Voice Of The Group", None),
    ],
)
def test_parse_byline(line: str, expected: tuple[str, date | None] | None) -> None:
    assert parse_byline(line) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Published: 30 March 2024", date(2024, 3, 30)),
        ("March 30, 2024 10:02 IST", date(2024, 3, 30)),
        ("Updated on Sat, 6 Apr 2024 08:15 pm", date(2024, 4, 6)),
        ("2024-03-30T10:02:00+05:30", date(2024, 3, 30)),
        ("The attack happened on March 30, 2024 in the capital.", None),
        ("31 February 2024", None),
    ],
)
def test_parse_dateline(line: str, expected: date | None) -> None:
    assert parse_dateline(line) == expected


def test_known_title_drops_repeat_only() -> None:
    text = "Some Headline Here\n\nBody sentence one.\n\nBody two."
    cleaned = clean_plain_text(text, known_title="Some Headline Here")
    assert cleaned.text == "Body sentence one.\n\nBody two."
    assert cleaned.title == "Some Headline Here"


# --- identity -------------------------------------------------------------------------------------


def test_id_depends_on_canonical_text_only() -> None:
    first = to_article(RawDocument(BODY.encode("utf-8"), "a.txt"))
    second = to_article(RawDocument(BODY.replace("\n", "\r\n").encode("utf-8") + b"\n", "b.txt"))
    assert first.id == second.id == article_id(first.text)
    assert re.fullmatch(r"a-[0-9a-f]{16}", first.id)
    assert first.raw_sha256 != second.raw_sha256
    assert first.url is None
    assert to_article(RawDocument(BODY.encode(), "https://www.site.example/x")).outlet == "site.example"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=400), st.text(max_size=400).map(lambda s: s.encode("utf-8"))))
def test_any_bytes_give_an_article_or_an_input_error(data: bytes) -> None:
    try:
        article = to_article(RawDocument(data, "fuzz"))
    except InputError as error:
        assert error.reason
        return
    assert article.text.strip()
    assert article.text == article.text.strip()


_LINE = st.one_of(
    st.sampled_from([
        "Advertisement", "Follow us on Telegram", "By Jane Doe", "Jane Doe", "Published: 30 March 2024",
        "Group Claims Attack On Convoy", "He said nothing.", "“We will return,” the speaker said.",
        "Share Tweet Email", "The writer is a columnist and author.", "Mosul", "",
    ]),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")), max_size=60),
)


@settings(max_examples=80, deadline=None)
@given(st.lists(_LINE, max_size=12))
def test_cleaning_only_removes_whole_lines_in_order(lines: list[str]) -> None:
    text = normalise_text("\n".join(lines))
    cleaned = clean_plain_text(text)
    source = [" ".join(line.split()) for line in text.split("\n") if line.strip()]
    kept = cleaned.text.split("\n")
    if not source:
        assert cleaned.text == ""
        return
    position = 0
    for line in (line for line in kept if line):
        position = source.index(line, position) + 1  # raises ValueError if a line was invented or reordered


def test_large_plain_text_is_linear_enough() -> None:
    paragraph = "The spokesman said the campaign would go on, according to the recording.\n\nShort line.\n\n"
    data = (paragraph * (3_000_000 // len(paragraph))).encode("utf-8")
    started = time.perf_counter()
    article = to_article(RawDocument(data, "big.txt"))
    assert time.perf_counter() - started < 10
    assert article.text.count("Short line.") == 3_000_000 // len(paragraph)


# --- seeds ----------------------------------------------------------------------------------------


def _seed(path: Path) -> Article:
    if not path.exists():
        pytest.skip(f"{path} not available")
    return to_article(RawDocument(path.read_bytes(), str(path)))


def test_seed_000() -> None:
    article = _seed(SEED_000)
    title = "ISIS Gives Call For More ‘Lone Wolves’ Attacks Worldwide in Latest Message"
    assert article.title == title
    assert article.author == "Ashwin Ahmad"
    text = article.text
    assert title not in text
    assert "WhatsApp" not in text
    assert "bibliophile" not in text
    assert "South Asia and Beyond" not in text
    assert text.startswith("A video apparently shot by gunmen")
    assert text.endswith("in South and Central Asia,” he said.")


def test_seed_002() -> None:
    article = _seed(SEED_002)
    text = article.text
    assert article.title is None
    assert text.startswith("An audio message")
    assert text.endswith("to be.”")
    assert text == SEED_002.read_text("utf-8").strip()
