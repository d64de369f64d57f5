"""``python -m gamegen`` runs the CLI."""

from .cli import main

main()
