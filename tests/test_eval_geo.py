"""Geocoding metrics and the geoparsing corpus reader."""

from __future__ import annotations

import math

import pytest

from incitewatch.evaluation import PredictedToponym
from incitewatch.evaluation.geo import MAX_ERROR_KM, haversine_km, log_error_auc, score_geocoding
from incitewatch.evaluation.geoparsing import GeoDocument, GoldToponym, load_geoparsing, locate
from tests.shared_paths import SHARED_DATA

GEOPARSING = SHARED_DATA / "geoparsing"

TEXT = "Police in Paris and Lyon made arrests."
DOC = GeoDocument(
    doc_id="toy",
    text=TEXT,
    toponyms=(
        GoldToponym(10, 15, "Paris", 48.8566, 2.3522),
        GoldToponym(20, 24, "Lyon", 45.7640, 4.8357),
    ),
)


def test_haversine_known_distances() -> None:
    assert haversine_km(48.8566, 2.3522, 51.5074, -0.1278) == pytest.approx(343.5, abs=1.0)  # Paris-London
    assert haversine_km(0, 0, 0, 180) == pytest.approx(math.pi * 6371.0088, rel=1e-9)
    assert haversine_km(10, 10, 10, 10) == 0.0


def test_accuracy_median_mean_and_coverage() -> None:
    predictions = [
        PredictedToponym("toy", 10, 15, 48.86, 2.35),  # Paris, right
        PredictedToponym("toy", 20, 24, 33.7490, -84.3880),  # Lyon placed in Atlanta
    ]
    score = score_geocoding(predictions, [DOC])
    assert score.acc_161km == 0.5 and score.coverage == 1.0
    assert score.median_error_km == pytest.approx(sum(score.errors_km) / 2)
    assert score.errors_km[1] > 7000


def test_missing_toponyms_left_out_or_penalised() -> None:
    only_paris = [PredictedToponym("toy", 10, 15, 48.86, 2.35)]
    assert score_geocoding(only_paris, [DOC]).acc_161km == 1.0
    penalised = score_geocoding(only_paris, [DOC], penalise_missing=True)
    assert penalised.acc_161km == 0.5 and max(penalised.errors_km) == MAX_ERROR_KM


def test_overlap_matching_is_opt_in() -> None:
    wider = [PredictedToponym("toy", 6, 15, 48.86, 2.35)]  # "in Paris"
    assert score_geocoding(wider, [DOC]).matched == 0
    assert score_geocoding(wider, [DOC], match="overlap").matched == 1


def test_auc_bounds() -> None:
    assert log_error_auc([0.0, 0.0, 0.0]) == 0.0
    assert log_error_auc([MAX_ERROR_KM - 1] * 3) == pytest.approx(1.0)


def test_locate_repairs_small_offset_shifts() -> None:
    assert locate(TEXT, "Paris", 11, 16) == (10, 15)
    assert locate(TEXT, "Paris", 30, 35) is None
    assert locate(TEXT, "Paris", -5, 0) is None


@pytest.mark.shared_data
@pytest.mark.parametrize(("corpus", "articles", "geocoded"), [("geovirus", 229, 2170), ("lgl", 588, 4462)])
def test_corpus_reader_offsets_hold_the_names(corpus: str, articles: int, geocoded: int) -> None:
    if not GEOPARSING.is_dir():
        pytest.skip(f"shared geoparsing data not found at {GEOPARSING}")
    documents = load_geoparsing(GEOPARSING, corpus)
    assert len(documents) == articles
    assert sum(len(d.geocoded) for d in documents) == geocoded
    assert all(d.text[t.start : t.end] == t.name for d in documents for t in d.toponyms)
