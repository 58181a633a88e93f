"""`python -m slm_recipes.cli`: the `slm` command (the page starts its jobs this way)."""

from slm_recipes.cli.main import cli_main

cli_main()
