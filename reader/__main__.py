"""``python -m reader`` runs the command-line interface."""

from reader.cli import main

# Guarded: worker processes started with "spawn" import the main module again.
if __name__ == "__main__":
    raise SystemExit(main())
