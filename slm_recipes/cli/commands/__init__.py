"""The `slm` commands other than fit and validate: one typed function each (see slm_recipes.cli.command)."""
