"""Regenerate the golden baseline of tests/test_golden.py.

Run after an intended change of the model's numbers, inspect the diff of
tests/golden/*.csv, and commit it with the change that explains it:

    .venv/bin/python scripts/update_golden.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.test_golden import GOLDEN, golden_tables  # noqa: E402


def main() -> None:
    GOLDEN.mkdir(parents=True, exist_ok=True)
    for name, frame in golden_tables().items():
        frame.to_csv(GOLDEN / name, index=False, float_format="%.12g")
        print(f"wrote {GOLDEN / name} ({len(frame)} rows)")


if __name__ == "__main__":
    main()
