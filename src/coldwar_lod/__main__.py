"""``python -m coldwar_lod`` runs the command-line tool."""

from .cli import main

main()
