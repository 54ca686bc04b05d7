"""Print the REST API's OpenAPI schema (the golden file tests/golden/openapi.json is this output).

    .venv/bin/python -m incitewatch.api.openapi > tests/golden/openapi.json
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any


def openapi_schema() -> dict[str, Any]:
    """The schema of a desk over a throwaway store (the schema does not depend on the data)."""
    from incitewatch.api import Settings, create_app

    with tempfile.TemporaryDirectory(prefix="incitewatch-openapi-") as folder:
        app = create_app(Settings(db_path=Path(folder) / "schema.sqlite"))
        schema: dict[str, Any] = app.openapi()
        app.state.desk.close()
    return schema


def render_schema(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main() -> None:
    sys.stdout.write(render_schema(openapi_schema()))


if __name__ == "__main__":
    main()
