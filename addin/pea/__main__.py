"""`python -m pea` equivale al comando `pea`."""

from pea.cli.app import main

main()
