"""ECB+ reader, the event-mention linker, and an end-to-end run on two dev topics (skipped without data)."""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy.language import Language

from incitewatch.evaluation.coref import score_partitions
from incitewatch.evaluation.ecbplus import (
    DEV_TOPICS,
    SPLITS,
    TEST_TOPICS,
    TRAIN_TOPICS,
    article_text,
    event_mentions,
    gold_event_clusters,
    load_ecbplus,
    load_split,
    load_validated_sentences,
    mention_records,
    parse_doc_name,
    read_document,
)
from incitewatch.link.event_coref import (
    EventMentionRecord,
    SimilarityWeights,
    cluster_documents,
    cluster_mentions,
    document_words,
    learn_related_lemmas,
    lemma_baseline,
    mention_record,
    mention_similarity,
    stem_related,
    time_keys,
)
from incitewatch.nlp import model_available
from tests.shared_paths import SHARED_DATA

ECBPLUS = SHARED_DATA / "ecbplus"
needs_data = pytest.mark.skipif(not (ECBPLUS / "ECB+").is_dir(), reason="ECB+ data not available")

# A two-sentence document in the corpus format, written for this test.
TOY_XML = """<?xml version="1.0" encoding="UTF-8"?>
<Document doc_name="99_1ecbplus.xml" doc_id="DOC1">
<token t_id="1" sentence="0" number="0">example.org</token>
<token t_id="2" sentence="1" number="0">Rebels</token>
<token t_id="3" sentence="1" number="1">stormed</token>
<token t_id="4" sentence="1" number="2">the</token>
<token t_id="5" sentence="1" number="3">depot</token>
<token t_id="6" sentence="1" number="4">.</token>
<token t_id="7" sentence="2" number="0">The</token>
<token t_id="8" sentence="2" number="1">raid</token>
<token t_id="9" sentence="2" number="2">ended</token>
<token t_id="10" sentence="2" number="3">quickly</token>
<Markables>
<ACTION_OCCURRENCE m_id="1"><token_anchor t_id="3"/></ACTION_OCCURRENCE>
<ACTION_OCCURRENCE m_id="2"><token_anchor t_id="8"/></ACTION_OCCURRENCE>
<ACTION_ASPECTUAL m_id="3"><token_anchor t_id="9"/></ACTION_ASPECTUAL>
<HUMAN_PART_PER m_id="4"><token_anchor t_id="2"/></HUMAN_PART_PER>
<NEG_ACTION_OCCURRENCE m_id="5"><token_anchor t_id="9"/><token_anchor t_id="10"/></NEG_ACTION_OCCURRENCE>
<ACTION_OCCURRENCE m_id="9" RELATED_TO="" TAG_DESCRIPTOR="t99_raid" instance_id="ACT123"/>
</Markables>
<Relations>
<CROSS_DOC_COREF r_id="1" note="ACT123">
<source m_id="1"/><source m_id="2"/><target m_id="9"/></CROSS_DOC_COREF>
<INTRA_DOC_COREF r_id="2"><source m_id="3"/><target m_id="5"/></INTRA_DOC_COREF>
</Relations>
</Document>
"""


@pytest.fixture(scope="module")
def nlp() -> Language:
    name = model_available()
    if name is None:
        pytest.skip("spaCy model not installed")
    import spacy

    return spacy.load(name)


@pytest.fixture()
def toy_path(tmp_path: Path) -> Path:
    path = tmp_path / "99_1ecbplus.xml"
    path.write_text(TOY_XML, encoding="utf-8")
    return path


def test_reader_builds_offsets_and_gold_chains(toy_path: Path) -> None:
    document = read_document(toy_path)
    assert document.text.splitlines() == [
        "example.org",
        "Rebels stormed the depot .",
        "The raid ended quickly",
    ]
    by_id = {m.mention_id.split("#")[1]: m for m in document.mentions}
    assert "9" not in by_id  # the instance descriptor has no tokens: it is a link target, not a mention
    for mention in document.mentions:
        assert document.text[mention.start : mention.end] == mention.text
    assert by_id["1"].cluster_id == by_id["2"].cluster_id == "ACT123"
    assert by_id["3"].cluster_id == "99_1ecbplus#2"  # intra-document chain keyed by document and r_id
    assert by_id["5"].cluster_id.startswith("99_1ecbplus#singleton")  # a target only, so a singleton
    assert by_id["5"].text == "ended quickly" and by_id["5"].is_event
    assert not by_id["4"].is_event
    assert [m.mention_id for m in document.event_mentions] == [f"99_1ecbplus#{n}" for n in ("1", "2", "3", "5")]
    assert document.subtopic == "99_ecbplus"
    assert article_text(document) == "Rebels stormed the depot . The raid ended quickly"


def test_reader_keeps_only_validated_sentences(toy_path: Path) -> None:
    document = read_document(toy_path, validated=frozenset({1}))
    assert [m.text for m in document.mentions] == ["stormed", "Rebels"]


def test_validated_sentence_csv(tmp_path: Path) -> None:
    (tmp_path / "ECBplus_coreference_sentences.csv").write_text(
        "Topic,File,Sentence Number\n99,1ecbplus,1\n99,1ecbplus,2\n3,4ecb,0\n", encoding="utf-8"
    )
    assert load_validated_sentences(tmp_path) == {"99_1ecbplus": frozenset({1, 2}), "3_4ecb": frozenset({0})}


def test_document_names_and_split_topics() -> None:
    assert parse_doc_name("36_10ecbplus.xml") == (36, 10, "ecbplus")
    assert parse_doc_name("1_2ecb") == (1, 2, "ecb")
    with pytest.raises(ValueError, match="not an ECB"):
        parse_doc_name("notes.txt")
    assert (len(TRAIN_TOPICS), len(DEV_TOPICS), len(TEST_TOPICS)) == (25, 8, 10)
    assert not set(TRAIN_TOPICS) & set(DEV_TOPICS) and not set(TRAIN_TOPICS) & set(TEST_TOPICS)
    with pytest.raises(ValueError, match="unknown ECB"):
        load_split(ECBPLUS, "validation")
    assert set(SPLITS) == {"train", "dev", "test"}


# ------------------------------------------------------------------ linker pieces on hand-made records


def record(mention_id: str, doc: str, lemma: str, **arguments: frozenset[str]) -> EventMentionRecord:
    return EventMentionRecord(mention_id, doc, lemma, lemma, **arguments)


def test_time_keys_and_stems() -> None:
    assert time_keys("Thursday, May 3, 2012") == {"weekday:thursday", "month:may", "day:3", "year:2012"}
    assert time_keys("last week") == frozenset()
    assert stem_related("injure", "injury")
    assert not stem_related("arrest", "arrive")


def test_similarity_rewards_shared_arguments_and_punishes_clashing_years() -> None:
    weights = SimilarityWeights()
    a = record("a", "d1", "quake", places=frozenset({"indonesia"}), times=frozenset({"year:2009"}))
    b = record("b", "d2", "quake", places=frozenset({"indonesia"}), times=frozenset({"year:2009"}))
    c = record("c", "d3", "quake", times=frozenset({"year:2004"}))
    assert mention_similarity(a, b, weights) > 1.0 > mention_similarity(a, c, weights)
    assert mention_similarity(a, record("d", "d4", "flood"), weights) == 0.0
    related = frozenset({frozenset({"quake", "tremor"})})
    assert mention_similarity(a, record("e", "d5", "tremor"), weights, related) == weights.related_lemma


def test_lemma_baseline_and_linker_stay_inside_document_clusters() -> None:
    records = [
        record("m1", "d1", "arrest"),
        record("m2", "d2", "arrest"),
        record("m3", "d3", "arrest"),
        record("m4", "d2", "detain"),
    ]
    groups = [["d1", "d2"], ["d3"]]
    assert sorted(map(sorted, lemma_baseline(records, groups))) == [["m1", "m2"], ["m3"], ["m4"]]
    related = frozenset({frozenset({"arrest", "detain"})})
    linked = cluster_mentions(records, groups, 0.5, SimilarityWeights(related_lemma=0.7), related)
    assert sorted(map(sorted, linked)) == [["m1", "m2", "m4"], ["m3"]]


def test_document_clustering_separates_two_stories() -> None:
    documents = {
        "quake1": document_words("A strong earthquake struck Sumatra, Indonesia, killing dozens in Padang."),
        "quake2": document_words("Padang residents fled as the Sumatra earthquake toppled buildings in Indonesia."),
        "trade1": document_words("The club signed the striker from Lyon for a record transfer fee."),
        "trade2": document_words("Lyon confirmed the striker's record transfer to the club."),
    }
    clusters = cluster_documents(documents, 0.2)
    assert sorted(map(sorted, clusters)) == [["quake1", "quake2"], ["trade1", "trade2"]]


def test_related_lemmas_learned_from_gold_clusters() -> None:
    records = [record(f"m{i}", f"d{i}", lemma) for i, lemma in enumerate(["arrest", "detain"] * 3 + ["walk"])]
    gold = {f"m{i}": f"c{i // 2}" for i in range(6)} | {"m6": "c9"}
    assert learn_related_lemmas(records, gold, min_support=2) == {frozenset({"arrest", "detain"})}


def test_mention_record_reads_trigger_and_sentence_arguments(nlp: Language) -> None:
    doc = nlp("Police arrested Omar Haddad in Marseille on Friday, March 8, 2019.")
    start = doc.text.index("arrested")
    features = mention_record(doc, "m1", "d1", start, start + len("arrested"))
    assert features.trigger_lemma == "arrest"
    assert "haddad" in features.participants
    assert "marseille" in features.places
    assert {"year:2019", "month:march"} <= features.times


# ------------------------------------------------------------------ the corpus itself


@needs_data
def test_dev_split_matches_published_statistics() -> None:
    documents = load_split(ECBPLUS, "dev")
    assert len(documents) == 196
    assert len(event_mentions(documents)) == 1245
    assert len(gold_event_clusters(documents)) == 409
    for document in documents[:20]:
        for mention in document.mentions:
            assert document.text[mention.start : mention.end] == mention.text


@needs_data
def test_end_to_end_on_two_dev_topics(nlp: Language) -> None:
    documents = load_ecbplus(ECBPLUS, topics=(2, 5))
    records = mention_records(documents, nlp)
    gold = gold_event_clusters(documents)
    assert len(records) == sum(len(cluster) for cluster in gold) == 241
    assert score_partitions(gold, gold).conll_f1 == pytest.approx(1.0)

    words = {d.name: document_words(article_text(d)) for d in documents}
    document_clusters = cluster_documents(words, 0.2)
    topic_of = {d.name: d.topic for d in documents}
    # Topic pre-clustering never mixes the two topics here.
    assert all(len({topic_of[name] for name in cluster}) == 1 for cluster in document_clusters)

    baseline = score_partitions(gold, lemma_baseline(records, document_clusters)).conll_f1
    linked = score_partitions(
        gold, cluster_mentions(records, document_clusters, 0.6, SimilarityWeights(0.7, 0.0, 0.0, 0.0, 0.0))
    ).conll_f1
    singletons = score_partitions(gold, [[r.mention_id] for r in records]).conll_f1
    assert baseline > 0.6 and linked > 0.6
    assert min(baseline, linked) > singletons + 0.1
