"""Inter-coder agreement on the seed article: positions.csv (coding A) against a second coding.

    .venv/bin/python scripts/positions_agreement.py cohesion/data/coding_b.csv
    .venv/bin/python scripts/positions_agreement.py --own-evidence cohesion/data/coding_b.csv
    .venv/bin/python scripts/positions_agreement.py --export-a coding_a.csv

Prints Krippendorff's alpha (interval level) per issue and overall as a Markdown table,
then the cells to adjudicate (docs/positions.md, "Inter-coder agreement"). The second
coding follows docs/codebook.md. A bad coding file ends in one ``error:`` line, exit 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from cohesion.errors import InputError  # noqa: E402
from cohesion.positions_agreement import (  # noqa: E402
    agreement_table,
    article_coding,
    disagreements,
    markdown_table,
    quotes_not_in_article,
    read_coding,
    write_coding,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("coding_b", nargs="?", help="second coding, CSV member,issue,stance,quote")
    parser.add_argument("--export-a", help="also write coding A in the codebook's format to this path")
    parser.add_argument(
        "--own-evidence",
        action="store_true",
        help="compare only the cells where coding A has a member's own passage (not only a group statement)",
    )
    args = parser.parse_args(argv)
    coding_a = article_coding()
    if args.export_a:
        write_coding(coding_a, args.export_a)
        print(f"wrote coding A to {args.export_a}")
    if not args.coding_b:
        return 0
    try:
        coding_b = read_coding(args.coding_b)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    cells = ~np.isnan(article_coding(groups=False).stances) if args.own_evidence else None
    table = agreement_table(coding_a, coding_b, cells)
    print(markdown_table(table))
    print()
    to_adjudicate = disagreements(coding_a, coding_b)
    print(f"Cells to adjudicate ({len(to_adjudicate)}): coded by one coder only, or on different codebook values")
    print(markdown_table(to_adjudicate, digits=2) if len(to_adjudicate) else "(none)")
    unverified = quotes_not_in_article(coding_b)
    if unverified:
        print()
        print("Coding B quotes not verbatim in the article: " + ", ".join(f"{m} {i}" for m, i in unverified))
    return 0


if __name__ == "__main__":
    sys.exit(main())
