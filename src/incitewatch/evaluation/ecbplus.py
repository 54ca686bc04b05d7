"""Reader for ECB+ 1.0 (Cybulska & Vossen 2014): documents, mentions and gold cross-document clusters.

Setting read here, and scored by ``benchmarks/ecbplus_eval.py``: the *Cybulska setup* used by Cybulska &
Vossen (2015), Kenyon-Dean et al. (2018), Barhom et al. (2019) and Cattan et al. (2021):

* splits by topic: dev = 2, 5, 12, 18, 21, 23, 34, 35; test = 36–45; train = the other topics of 1–35
  (Barhom et al.'s ``make_dataset.py``, "Cybulska setup"). The older Yang/Choubey split (train 1–22,
  dev 23–25) is a different setting and is not mixed in;
* only mentions in the validated sentences of ``ECBplus_coreference_sentences.csv`` (upstream asks that
  evaluation be restricted to them), singletons kept;
* gold mentions; a mention's gold cluster is the corpus-wide ``note`` of its ``CROSS_DOC_COREF`` relation,
  else ``doc#r_id`` of its ``INTRA_DOC_COREF`` chain, else a singleton of its own.

Each document gets one canonical text: its tokens joined by single spaces, one sentence per line. Mentions
carry character offsets into it (``text == document.text[start:end]``; a discontinuous mention spans from its
first to its last token).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.etree.ElementTree import Element

from defusedxml import ElementTree
from spacy.language import Language

from incitewatch.link.event_coref import EventMentionRecord, mention_record

DEV_TOPICS: tuple[int, ...] = (2, 5, 12, 18, 21, 23, 34, 35)
TEST_TOPICS: tuple[int, ...] = tuple(range(36, 46))
# Topics 15 and 17 do not exist in ECB+.
TRAIN_TOPICS: tuple[int, ...] = tuple(t for t in range(1, 36) if t not in DEV_TOPICS and t not in (15, 17))
SPLITS: dict[str, tuple[int, ...]] = {"train": TRAIN_TOPICS, "dev": DEV_TOPICS, "test": TEST_TOPICS}

EVENT_TAG_PREFIXES = ("ACTION_", "NEG_ACTION_")
ENTITY_TAG_PREFIXES = ("HUMAN_PART", "NON_HUMAN_PART", "LOC_", "TIME_")
VALIDATED_SENTENCES_FILE = "ECBplus_coreference_sentences.csv"
_DOC_NAME = re.compile(r"^(?P<topic>\d+)_(?P<number>\d+)(?P<kind>ecbplus|ecb)$")


@dataclass(frozen=True, slots=True)
class EcbToken:
    token_id: int
    sentence: int
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class EcbMention:
    """One annotated mention; ``mention_id`` is unique in the corpus (``<doc_name>#<m_id>``)."""

    mention_id: str
    doc_name: str
    tag: str
    sentence: int
    start: int
    end: int
    text: str
    token_ids: tuple[int, ...]
    cluster_id: str

    @property
    def is_event(self) -> bool:
        return self.tag.startswith(EVENT_TAG_PREFIXES)


@dataclass(frozen=True, slots=True)
class EcbDocument:
    """One ECB+ article, ``name`` like ``36_1ecbplus``; ``subtopic`` is the gold seminal event."""

    name: str
    topic: int
    text: str
    tokens: tuple[EcbToken, ...]
    mentions: tuple[EcbMention, ...]
    validated_sentences: frozenset[int]

    @property
    def subtopic(self) -> str:
        return f"{self.topic}_{'ecbplus' if self.name.endswith('ecbplus') else 'ecb'}"

    @property
    def event_mentions(self) -> tuple[EcbMention, ...]:
        return tuple(m for m in self.mentions if m.is_event)

    def sentence_span(self, sentence: int) -> tuple[int, int]:
        """Character span of one sentence (its first token's start to its last token's end)."""
        tokens = [t for t in self.tokens if t.sentence == sentence]
        if not tokens:
            raise KeyError(f"{self.name} has no sentence {sentence}")
        return tokens[0].start, tokens[-1].end


def parse_doc_name(name: str) -> tuple[int, int, str]:
    """``"36_1ecbplus"`` → (36, 1, "ecbplus")."""
    match = _DOC_NAME.match(name.removesuffix(".xml"))
    if match is None:
        raise ValueError(f"not an ECB+ document name: {name!r}")
    return int(match["topic"]), int(match["number"]), match["kind"]


def load_validated_sentences(root: Path) -> dict[str, frozenset[int]]:
    """``{"36_1ecbplus": {1, 3, 4}, ...}`` from ``ECBplus_coreference_sentences.csv``."""
    sentences: dict[str, set[int]] = {}
    with (root / VALIDATED_SENTENCES_FILE).open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            doc_name = f"{row['Topic'].strip()}_{row['File'].strip()}"
            sentences.setdefault(doc_name, set()).add(int(row["Sentence Number"]))
    return {name: frozenset(numbers) for name, numbers in sentences.items()}


def _read_tokens(root: Element) -> tuple[str, tuple[EcbToken, ...]]:
    """Join the tokens into the canonical text, remembering each token's character span."""
    parts: list[str] = []
    tokens: list[EcbToken] = []
    offset = 0
    previous_sentence: int | None = None
    for element in root.iter("token"):
        sentence = int(element.get("sentence", "0"))
        if previous_sentence is not None:
            separator = " " if sentence == previous_sentence else "\n"
            parts.append(separator)
            offset += 1
        word = element.text or ""
        tokens.append(EcbToken(int(element.get("t_id", "0")), sentence, offset, offset + len(word), word))
        parts.append(word)
        offset += len(word)
        previous_sentence = sentence
    return "".join(parts), tuple(tokens)


def _cluster_ids(root: Element, doc_name: str) -> dict[str, str]:
    """Mention id → gold chain: CROSS_DOC_COREF's corpus-wide ``note``, else INTRA_DOC_COREF's doc#r_id."""
    clusters: dict[str, str] = {}
    relations = root.find("Relations")
    if relations is None:
        return clusters
    for relation in relations:
        if relation.tag == "CROSS_DOC_COREF":
            chain = relation.get("note") or f"{doc_name}#{relation.get('r_id')}"
        elif relation.tag == "INTRA_DOC_COREF":
            chain = f"{doc_name}#{relation.get('r_id')}"
        else:
            continue
        for source in relation.iter("source"):
            clusters.setdefault(source.get("m_id", ""), chain)
    return clusters


def _read_mentions(root: Element, doc_name: str, text: str, tokens: Sequence[EcbToken]) -> tuple[EcbMention, ...]:
    by_id = {token.token_id: token for token in tokens}
    clusters = _cluster_ids(root, doc_name)
    markables = root.find("Markables")
    mentions: list[EcbMention] = []
    for element in markables if markables is not None else ():
        anchors = [int(a.get("t_id", "0")) for a in element.iter("token_anchor")]
        if not anchors:
            continue  # an instance descriptor (a coreference target), not a mention
        anchored = sorted((by_id[t] for t in anchors if t in by_id), key=lambda token: token.start)
        start, end = anchored[0].start, anchored[-1].end
        m_id = element.get("m_id", "")
        mentions.append(
            EcbMention(
                mention_id=f"{doc_name}#{m_id}",
                doc_name=doc_name,
                tag=element.tag,
                sentence=anchored[0].sentence,
                start=start,
                end=end,
                text=text[start:end],
                token_ids=tuple(t.token_id for t in anchored),
                cluster_id=clusters.get(m_id, f"{doc_name}#singleton-{m_id}"),
            )
        )
    return tuple(mentions)


def read_document(path: Path, validated: frozenset[int] | None = None) -> EcbDocument:
    """One XML file. With ``validated``, only mentions in those sentences are kept (tokens are all kept)."""
    name = path.name.removesuffix(".xml")
    topic, _, _ = parse_doc_name(name)
    root = ElementTree.parse(path).getroot()
    text, tokens = _read_tokens(root)
    mentions = _read_mentions(root, name, text, tokens)
    if validated is not None:
        mentions = tuple(m for m in mentions if m.sentence in validated)
    return EcbDocument(name, topic, text, tokens, mentions, validated or frozenset())


def load_ecbplus(root: Path, topics: Iterable[int] | None = None, validated_only: bool = True) -> list[EcbDocument]:
    """Documents of the given topics (all by default), ordered by topic then document name.

    ``root`` is the corpus folder holding ``ECB+/`` and the validated-sentence CSV. With ``validated_only``
    (the standard setting), documents without any validated sentence are left out (there are 6 of them).
    """
    validated = load_validated_sentences(root)
    wanted = set(topics) if topics is not None else None
    documents: list[EcbDocument] = []
    for path in sorted((root / "ECB+").glob("*/*.xml"), key=lambda p: _sort_key(p.name)):
        topic, _, _ = parse_doc_name(path.name)
        if wanted is not None and topic not in wanted:
            continue
        name = path.name.removesuffix(".xml")
        if validated_only and name not in validated:
            continue
        documents.append(read_document(path, validated.get(name) if validated_only else None))
    return documents


def load_split(root: Path, split: str, validated_only: bool = True) -> list[EcbDocument]:
    if split not in SPLITS:
        raise ValueError(f"unknown ECB+ split {split!r}; expected one of {sorted(SPLITS)}")
    return load_ecbplus(root, SPLITS[split], validated_only)


def _sort_key(file_name: str) -> tuple[int, str, int]:
    topic, number, kind = parse_doc_name(file_name)
    return topic, kind, number


def event_mentions(documents: Iterable[EcbDocument]) -> list[EcbMention]:
    return [mention for document in documents for mention in document.event_mentions]


def gold_event_clusters(documents: Iterable[EcbDocument]) -> list[frozenset[str]]:
    """The gold partition of all event mentions of ``documents`` (singletons included), as mention ids."""
    clusters: dict[str, set[str]] = {}
    for mention in event_mentions(documents):
        clusters.setdefault(mention.cluster_id, set()).add(mention.mention_id)
    return [frozenset(members) for members in clusters.values()]


# ---------------------------------------------------------------- adapters to the event linker


def article_text(document: EcbDocument) -> str:
    """The article words for topic clustering: sentence 0 of an ``ecbplus`` file (its source URL) left out."""
    skip_url = document.name.endswith("ecbplus")
    return " ".join(t.text for t in document.tokens if not (skip_url and t.sentence == 0))


def mention_records(documents: Sequence[EcbDocument], nlp: Language) -> list[EventMentionRecord]:
    """Linker records for every event mention, each parsed within its own sentence by ``nlp``."""
    sentences: list[tuple[EcbDocument, int, int]] = []
    for document in documents:
        for sentence in sorted({m.sentence for m in document.event_mentions}):
            start, end = document.sentence_span(sentence)
            sentences.append((document, sentence, start))
    texts = [doc.text[start : doc.sentence_span(sentence)[1]] for doc, sentence, start in sentences]
    records: list[EventMentionRecord] = []
    for (document, sentence, offset), parsed in zip(sentences, nlp.pipe(texts, batch_size=64), strict=True):
        for mention in document.event_mentions:
            if mention.sentence == sentence:
                # A mention running past its first sentence (rare) is cut at the sentence end.
                end = min(mention.end - offset, len(parsed.text))
                records.append(mention_record(parsed, mention.mention_id, document.name, mention.start - offset, end))
    return records
