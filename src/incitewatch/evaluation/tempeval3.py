"""Reader for the TempEval-3 platinum test set (TimeML 1.2.1 ``.tml`` files).

A document's text is the character content of its ``<TEXT>`` element with all markup removed (identical to
the system input in ``input/*.TE3input``); gold TIMEX3 offsets are characters into that text. The document
creation time (``tid="t0"`` in ``<DCT>``) is kept apart: the official scorer never scores it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from xml.etree.ElementTree import Element

from defusedxml import ElementTree


@dataclass(frozen=True, slots=True)
class GoldTimex:
    tid: str
    start: int
    end: int
    text: str
    type: str
    value: str


@dataclass(frozen=True, slots=True)
class TimexDocument:
    doc_id: str
    text: str
    dct: str
    timexes: tuple[GoldTimex, ...]


def load_tempeval3(root: Path) -> list[TimexDocument]:
    """All gold documents of ``root/gold`` (the ``tempeval3-platinum`` folder), sorted by file name."""
    return [read_tml(path) for path in sorted((root / "gold").glob("*.tml"))]


def read_tml(path: Path) -> TimexDocument:
    tree = ElementTree.parse(path)
    text_element = tree.find("TEXT")
    if text_element is None:
        raise ValueError(f"{path}: no <TEXT> element")
    dct_timex = tree.find("DCT/TIMEX3")
    pieces: list[str] = []
    timexes: list[GoldTimex] = []
    _collect(text_element, pieces, timexes, is_root=True)
    return TimexDocument(
        doc_id=path.name.removesuffix(".tml"),
        text="".join(pieces),
        dct=dct_timex.get("value", "") if dct_timex is not None else "",
        timexes=tuple(timexes),
    )


def _collect(element: Element, pieces: list[str], timexes: list[GoldTimex], is_root: bool = False) -> None:
    """Append the element's text to ``pieces`` depth-first, recording TIMEX3 spans on the way."""
    start = sum(len(p) for p in pieces)
    pieces.append(element.text or "")
    for child in element:
        _collect(child, pieces, timexes)
    if element.tag == "TIMEX3" and not is_root:
        end = sum(len(p) for p in pieces)
        timexes.append(
            GoldTimex(
                tid=element.get("tid", ""),
                start=start,
                end=end,
                text="".join(pieces)[start:end],
                type=element.get("type", ""),
                value=element.get("value", ""),
            )
        )
    if not is_root:
        pieces.append(element.tail or "")
