"""Coreference metrics against the worked cases of the reference CoNLL scorer (Pradhan et al. 2014).

Expected values are those of ``test/TestCases.README`` and ``test/CorefMetricTestConfig.pm`` in
conll/reference-coreference-scorers (v8). Mentions are single letters; an upper-case letter is a different
mention from its lower-case twin (an overlapping span that matches nothing in the key).
"""

from __future__ import annotations

import pytest

from incitewatch.evaluation.coref import (
    PRF,
    b_cubed,
    blanc,
    ceaf_e,
    ceaf_m,
    clusters_from_labels,
    muc,
    score_partitions,
)


def partition(text: str) -> list[set[str]]:
    """``"a bc def"`` → [{a}, {b, c}, {d, e, f}]."""
    return [set(cluster) for cluster in text.split()]


def close(score: PRF, recall: float, precision: float, f1: float | None = None, tol: float = 1e-4) -> bool:
    expected_f1 = f1 if f1 is not None else (2 * recall * precision / (recall + precision) if recall else 0.0)
    return (
        score.recall == pytest.approx(recall, abs=tol)
        and score.precision == pytest.approx(precision, abs=tol)
        and score.f1 == pytest.approx(expected_f1, abs=tol)
    )


KEY_A = partition("a bc def")

# (case, response, MUC (R, P), B³ (R, P), CEAF-m (R, P), CEAF-e (R, P), BLANC (R, P, F))
CASES_A = [
    ("A1", "a bc def", (1, 1), (1, 1), (1, 1), (1, 1), (1, 1, 1)),
    ("A2", "a de", (1 / 3, 1), (7 / 18, 1), (0.5, 1), (0.6, 0.9), (0.21591, 1, 0.35385)),
    (
        "A3",
        "a bcx defy z",
        (1, 3 / 5),
        (1, (4 + 7 / 12) / 9),
        (1, 0.66667),
        (0.88571, 0.66429),
        (1, 0.42593, 0.59717),
    ),
    (
        "A4",
        "a bcx dy z",
        (1 / 3, 1 / 3),
        ((3 + 1 / 3) / 6, (1 + 4 / 3 + 1 / 2) / 7),
        (0.66667, 0.57143),
        (0.73333, 0.55),
        (0.35227, 0.27206, 0.30357),
    ),
    (
        "A5",
        "a bcxB dy z",
        (1 / 3, 1 / 4),
        ((3 + 1 / 3) / 6, 2.5 / 8),
        (0.66667, 0.5),
        (0.68889, 0.51667),
        (0.35227, 0.19048, 0.24716),
    ),
    (
        "A6",
        "a bcx dy Bz",
        (1 / 3, 1 / 4),
        ((10 / 3) / 6, (1 + 4 / 3 + 1 / 2) / 8),
        (0.66667, 0.5),
        (0.73333, 0.55),
        (0.35227, 0.20870, 0.25817),
    ),
]


@pytest.mark.parametrize(("case", "response", "m", "b3", "cm", "ce", "bl"), CASES_A, ids=[c[0] for c in CASES_A])
def test_reference_cases_all_metrics(
    case: str,
    response: str,
    m: tuple[float, float],
    b3: tuple[float, float],
    cm: tuple[float, float],
    ce: tuple[float, float],
    bl: tuple[float, float, float],
) -> None:
    system = partition(response)
    assert close(muc(KEY_A, system), *m), case
    assert close(b_cubed(KEY_A, system), *b3), case
    assert close(ceaf_m(KEY_A, system), *cm), case
    assert close(ceaf_e(KEY_A, system), *ce), case
    assert close(blanc(KEY_A, system), *bl), case


# Boundary cases: all-singleton and all-in-one responses, with gold (A10, A11) and system (A12, A13) mentions.
BOUNDARY = [
    ("A10", "a b c d e f", (0, 0), (3 / 6, 1), (0.5, 0.36667, 0.42308)),
    ("A11", "abcdef", (1, 3 / 5), (1, (1 / 6 + 4 / 6 + 9 / 6) / 6), (0.5, 0.13333, 0.21053)),
    ("A12", "a x y c d e z", (0, 0), ((1 + 1 / 2 + 2 / 3) / 6, 4 / 7), (0.22727, 0.11905, 0.15625)),
    (
        "A13",
        "axycdez",
        (1 / 3, 1 / 6),
        ((1 + 1 / 2 + 2 * 2 / 3) / 6, (1 / 7 + 1 / 7 + 2 * 2 / 7) / 7),
        (0.125, 0.02381, 0.04),
    ),
]


@pytest.mark.parametrize(("case", "response", "m", "b3", "bl"), BOUNDARY, ids=[c[0] for c in BOUNDARY])
def test_reference_boundary_cases(
    case: str, response: str, m: tuple[float, float], b3: tuple[float, float], bl: tuple[float, float, float]
) -> None:
    system = partition(response)
    assert close(muc(KEY_A, system), *m), case
    assert close(b_cubed(KEY_A, system), *b3), case
    assert close(blanc(KEY_A, system), *bl), case


def test_b_cubed_paper_examples_merging_clusters() -> None:
    key = partition("12345 67 89ABC")
    small_merge = partition("12345 6789ABC")
    big_merge = partition("1234589ABC 67")
    assert close(b_cubed(key, small_merge), 1, 16 / 21)
    assert close(muc(key, small_merge), 1, 9 / 10)
    # B³ punishes merging two big clusters more than MUC does: MUC cannot tell the two merges apart.
    assert close(b_cubed(key, big_merge), 1, 7 / 12)
    assert close(muc(key, big_merge), 1, 9 / 10)


@pytest.mark.parametrize(
    ("key", "response", "recall", "precision"),
    [
        ("ABCD", "AB CD", 2 / 3, 1),  # F1
        ("AB CD", "ABCD", 1, 2 / 3),  # G1
        ("ABC", "AC", 1 / 2, 1),  # J1: a missing mention splits the key chain
        ("BCDEGHJ", "ABC DEF GHI", 3 / 6, 3 / 6),  # K1
        ("ABC DEFG", "AB CD FGH", 2 / 5, 2 / 4),  # L1
    ],
)
def test_muc_paper_examples(key: str, response: str, recall: float, precision: float) -> None:
    assert close(muc(partition(key), partition(response)), recall, precision)


@pytest.mark.parametrize(
    ("key", "response", "expected"),
    [
        ("ab cde", "bcx de", 7 / 24),  # B1
        ("ab cde fg", "bcx de fg", 0.5125),  # C1
        ("abcdef", "abcdef", 1.0),  # M1: the key has no non-coreference link
        ("abcdef", "a b c d e f", 0.0),  # M2
        ("abcdef", "ab cde f", 0.42105),  # M3
        ("abcdef", "abcxyz", 0.2),  # M4
        ("abcdef", "ab cxy z", 0.10526),  # M6
        ("a b c d e f", "a b c d e f", 1.0),  # N1: the key has no coreference link
        ("a b c d e f", "abcdef", 0.0),  # N2
        ("a b c d e f", "ab cde f", 0.84615),  # N3
        ("a b c d e f", "a b c x y z", 0.2),  # N4
        ("a b c d e f", "ab cxy z", 0.15385),  # N6
    ],
)
def test_blanc_reference_cases(key: str, response: str, expected: float) -> None:
    assert blanc(partition(key), partition(response)).f1 == pytest.approx(expected, abs=1e-4)


def test_singletons_count_for_b_cubed_and_ceaf_but_not_muc() -> None:
    singletons = partition("a b c d")
    scores = score_partitions(singletons, singletons)
    assert scores.muc == PRF(0.0, 0.0, 0.0)
    assert scores.b_cubed.f1 == 1.0
    assert scores.ceaf_e.f1 == 1.0
    assert scores.conll_f1 == pytest.approx(2 / 3)


def test_hand_computed_key_and_response_with_different_mentions() -> None:
    # Key {abc}{defg}; response {ab}{cd}{fghi}: e is missed, h and i are invented.
    key, response = partition("abc defg"), partition("ab cd fghi")
    assert close(muc(key, response), 2 / 5, 2 / 5)
    assert close(b_cubed(key, response), (4 / 3 + 1 / 3 + 1 / 4 + 4 / 4) / 7, (2 + 1 / 2 + 1 / 2 + 1) / 8)
    # Best alignment {abc}-{ab} (φ4 = 4/5) and {defg}-{fghi} (φ4 = 4/8).
    assert close(ceaf_e(key, response), 1.3 / 2, 1.3 / 3)
    scores = score_partitions(key, response)
    assert scores.conll_f1 == pytest.approx((scores.muc.f1 + scores.b_cubed.f1 + scores.ceaf_e.f1) / 3)


def test_swapping_key_and_response_swaps_recall_and_precision() -> None:
    key, response = partition("a bc def"), partition("a bcx dy z")
    for metric in (muc, b_cubed, ceaf_e, ceaf_m):
        forward, backward = metric(key, response), metric(response, key)
        assert forward.recall == pytest.approx(backward.precision)
        assert forward.precision == pytest.approx(backward.recall)


def test_mention_in_two_clusters_is_rejected() -> None:
    with pytest.raises(ValueError, match="more than one cluster"):
        muc(partition("ab bc"), partition("abc"))


def test_clusters_from_labels_groups_by_label() -> None:
    clusters = clusters_from_labels({"m1": "x", "m2": "y", "m3": "x"})
    assert sorted(sorted(map(str, c)) for c in clusters) == [["m1", "m3"], ["m2"]]
