"""Where the tests find the data shared beside the repository (``../shared``), in one place.

``INCITEWATCH_SHARED`` moves the whole folder, ``INCITEWATCH_SHARED_DATA`` only its ``data``. Tests that need a
file from here skip cleanly when it is absent (a clone without ``../shared``).
"""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("INCITEWATCH_SHARED", REPO.parent / "shared"))
SHARED_DATA = Path(os.environ.get("INCITEWATCH_SHARED_DATA", SHARED / "data"))
SEEDS = SHARED / "seeds"
DESIGNATIONS = SHARED_DATA / "designations"
