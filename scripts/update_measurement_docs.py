"""Rewrite the generated loadings blocks of docs/model.md and docs/data.md from the stored drivers.

Run after ``cohesion measure``: ``python scripts/update_measurement_docs.py``.
"""

from __future__ import annotations

from pathlib import Path

from cohesion.measurement.store import load_measurement
from cohesion.measurement.tables import DOC_BLOCK, markdown_tables

DOCS = [Path(__file__).resolve().parents[1] / "docs" / name for name in ("model.md", "data.md")]


def main() -> None:
    tables = markdown_tables(load_measurement())
    start, end = DOC_BLOCK
    for doc in DOCS:
        head, rest = doc.read_text(encoding="utf-8").split(start, 1)
        _, tail = rest.split(end, 1)
        doc.write_text(f"{head}{start}\n{tables}\n{end}{tail}", encoding="utf-8")
        print(f"updated {doc}")


if __name__ == "__main__":
    main()
