"""The sample articles analysed by the real pipeline link into one release, one attack and one speaker."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from incitewatch.link.linker import get_actor, list_attacks, list_releases
from incitewatch.pipeline import Pipeline
from incitewatch.serialize import analysis_to_dict
from tests.test_link_fixtures import linked_store

SAMPLE = Path(__file__).resolve().parents[1] / "sample" / "articles"


@pytest.fixture(scope="module")
def store() -> Any:
    if not SAMPLE.is_dir():
        pytest.skip("sample/articles is absent")
    pipeline = Pipeline()
    analyses = []
    for path in sorted(SAMPLE.glob("*.txt")):
        published = date.fromisoformat(path.name[:10])
        doc = pipeline.analyze_text(path.read_text(encoding="utf-8"), published=published)
        analyses.append(analysis_to_dict(doc))
    return linked_store(analyses)


@pytest.mark.slow
def test_three_reports_of_one_release(store: Any) -> None:
    by_size = sorted(list_releases(store), key=lambda r: -len(r.reports))
    assert len(by_size[0].reports) == 3
    assert by_size[0].speaker == "person:abu-yusuf-al-tahiri"
    assert by_size[0].release_date == "2025-03-02"


@pytest.mark.slow
def test_one_mogadishu_attack_and_one_speaker(store: Any) -> None:
    mogadishu = [a for a in list_attacks(store) if a.place_name == "Mogadishu"]
    assert len(mogadishu) == 1 and len(mogadishu[0].reports) == 2
    assert mogadishu[0].date == "2025-04-11"  # "Friday night": the record is dated by the day
    actor = get_actor(store, "person:abu-yusuf-al-tahiri")
    assert actor is not None and len(actor.article_ids) == 3
    assert {"Abou Youssef al-Tahiri", "Abu Yusuf al-Tahiri"} <= {n.name for n in actor.names}


RELEASE_DAY_REPORT = (
    "Islamic State spokesman Abu al-Hassan al-Muhajir urged followers to attack civilians in Europe during "
    "Ramadan in an audio message released on Telegram on Monday.\n"
)
LOOKING_BACK = (
    "Two years ago the group's then spokesman Abu al-Hassan al-Muhajir released an audio message on Telegram "
    "calling on supporters to attack civilians in Europe.\n"
    "Analysts say the message, released in June 2017, was followed by a wave of attacks.\n"
)
ANOTHER_SPEECH = (
    "In an audio message released in March 2018, the group's spokesman Abu al-Hassan al-Muhajir called for "
    "attacks on Western embassies.\n"
)


@pytest.mark.slow
def test_a_report_years_later_that_gives_the_month_joins_the_release() -> None:
    pipeline = Pipeline()
    analyses = [
        analysis_to_dict(pipeline.analyze_text(text, published=date.fromisoformat(published)))
        for text, published in (
            (RELEASE_DAY_REPORT, "2017-06-13"),
            (LOOKING_BACK, "2019-05-20"),
            (ANOTHER_SPEECH, "2019-05-21"),
        )
    ]
    releases = sorted(list_releases(linked_store(analyses)), key=lambda r: r.release_date or "")
    assert [(r.release_date, len(r.reports)) for r in releases] == [("2017-06-12", 2), ("2018-03", 1)]


TITLED_NAMED = (
    "Al-Qaeda's Hamza bin Laden urged attacks on Americans in an audio speech, titled “We Are All Osama”, that was "
    "released online on Friday.\n"
)
TITLED_UNNAMED = "Al-Qaeda has put out a new audio speech titled “We Are All Osama”, calling for attacks on the West.\n"
UNTITLED_UNNAMED = "Al-Qaeda has put out a new audio speech calling for attacks on the West.\n"


@pytest.mark.slow
@pytest.mark.parametrize(("second", "expected"), [(TITLED_UNNAMED, [2]), (UNTITLED_UNNAMED, [1, 1])])
def test_a_shared_release_title_links_a_report_that_names_no_speaker(second: str, expected: list[int]) -> None:
    pipeline = Pipeline()
    analyses = [
        analysis_to_dict(pipeline.analyze_text(text, published=date.fromisoformat(published)))
        for text, published in ((TITLED_NAMED, "2017-05-14"), (second, "2017-05-19"))
    ]
    releases = list_releases(linked_store(analyses))
    assert sorted(len(r.reports) for r in releases) == expected
    if expected == [2]:
        assert releases[0].titles == ("We Are All Osama",)
        assert releases[0].speaker == "person:hamza-bin-laden"
