"""``python -m mesosim`` runs the command line."""

from mesosim.cli import main

main()
