"""Errors a user can act on: the CLI prints them as one line, without a traceback."""


class RecipeError(Exception):
    """Bad input (recipe, data file, model path): the message names the file and what to do. Exit status 2."""


class RunFailed(RecipeError):
    """The work ran but part of it failed (chunks no teacher answered, nothing kept): the message sums it up
    and says where the details are. Exit status 1."""
