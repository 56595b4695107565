"""`python -m console` runs the `acuerdo` command line."""

from console.cli import main

main()
