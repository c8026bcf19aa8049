"""``python -m cevnsjax`` runs the command line."""

from .cli import run

run()
