"""Entry point for ``python -m cohesion``."""

from cohesion.cli import main

if __name__ == "__main__":
    main()
