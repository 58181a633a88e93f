"""The bundled recipes (package data, installed as `slm_recipes.recipes`); `slm --config demo.yaml` finds them by name."""
