"""`python -m bench` (or `make bench`): see the package's docstring."""

from bench.cli import main

main()
