"""Errors a user can act on: the CLI prints them as one line, without a traceback."""


class RecipeError(Exception):
    """Bad input (recipe, data file, model path): the message names the file and what to do."""
