"""``python -m dprkwatch`` runs the command line."""

from dprkwatch.cli import main

main()
