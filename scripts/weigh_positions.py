"""Recompute the ``weight`` and ``weight_rationale`` columns of cohesion/data/positions.csv.

Run after adding or editing positions, inspect the diff and commit it with the change:

    .venv/bin/python scripts/weigh_positions.py

The rule is ``cohesion.position_weights`` (docs/positions.md, "Weights");
tests/test_positions.py checks that the shipped file matches it.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cohesion.inputs import POSITION_OPTIONAL, POSITION_REQUIRED, data_path, read_positions  # noqa: E402
from cohesion.position_weights import weigh_positions  # noqa: E402

COLUMNS = (*POSITION_REQUIRED, *POSITION_OPTIONAL)


def write_positions(positions, path: Path) -> None:
    """Write positions in the shipped column order (stance and weight as short decimals)."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for pos in positions:
            row = {name: getattr(pos, name) for name in COLUMNS}
            row["stance"] = f"{pos.stance:.2f}"
            row["weight"] = f"{pos.weight:.6g}"
            writer.writerow(row)


def main() -> None:
    path = data_path("positions.csv")
    positions = weigh_positions(read_positions(path))
    write_positions(positions, path)
    print(f"wrote {path} ({len(positions)} rows)")


if __name__ == "__main__":
    main()
