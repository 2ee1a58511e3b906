"""Rewrite the generated loadings block of docs/model.md from the stored measured drivers.

Run after ``cohesion measure``: ``python scripts/update_measurement_docs.py``.
"""

from __future__ import annotations

from pathlib import Path

from cohesion.measurement.store import load_measurement
from cohesion.measurement.tables import DOC_BLOCK, markdown_tables

DOC = Path(__file__).resolve().parents[1] / "docs" / "model.md"


def main() -> None:
    text = DOC.read_text(encoding="utf-8")
    start, end = DOC_BLOCK
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    DOC.write_text(f"{head}{start}\n{markdown_tables(load_measurement())}\n{end}{tail}", encoding="utf-8")
    print(f"updated {DOC}")


if __name__ == "__main__":
    main()
