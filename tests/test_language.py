"""Language identification policy: offline model, English fallback only where the text cannot tell."""

from __future__ import annotations

from incitewatch.clean.language import MIN_LETTERS_TO_TELL, detect_language

ENGLISH = (
    "The regional council met on Thursday evening to discuss the new bus timetable, which residents say "
    "leaves the northern villages without a service after seven o'clock."
)
FRENCH = (
    "Le conseil régional s'est réuni jeudi soir pour discuter des nouveaux horaires de bus, qui selon les "
    "habitants privent les villages du nord de tout service après dix-neuf heures."
)
GERMAN = (
    "Der Gemeinderat traf sich am Donnerstagabend, um über den neuen Busfahrplan zu sprechen, der nach "
    "Ansicht der Anwohner die nördlichen Dörfer nach sieben Uhr abends ohne Verbindung lässt."
)


def test_english_text_is_english() -> None:
    guess = detect_language(ENGLISH)
    assert guess.language == "en" and guess.reason == "model"


def test_lower_case_english_is_english() -> None:
    assert detect_language(ENGLISH.lower()).language == "en"


def test_other_languages_are_labelled() -> None:
    assert detect_language(FRENCH).language == "fr"
    assert detect_language(GERMAN).language == "de"


def test_short_latin_text_falls_back_to_english() -> None:
    short = "Gare du Nord"
    assert sum(c.isalpha() for c in short) < MIN_LETTERS_TO_TELL
    guess = detect_language(short)
    assert guess.language == "en" and "too short" in guess.reason


def test_short_text_in_another_script_is_still_identified() -> None:
    guess = detect_language("Правительство заявило сегодня")
    assert guess.language == "ru"


def test_text_without_letters() -> None:
    assert detect_language("12:30 — 14:45").language == "en"
    assert detect_language("").language == "en"
