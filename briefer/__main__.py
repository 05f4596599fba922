"""`python -m briefer` runs the CLI."""

from .cli import main

main()
