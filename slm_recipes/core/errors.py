"""Errors a user can act on: the CLI prints them as one line, without a traceback."""

#: How the command line starts the one line it prints for an error (the page finds a job's error by it).
ERROR_PREFIX = "error: "


def error_line(message: object) -> str:
    return f"{ERROR_PREFIX}{message}"


class RecipeError(Exception):
    """Bad input (recipe, data file, model path): the message names the file and what to do. Exit status 2."""


class RunFailed(RecipeError):
    """The work ran but part of it failed (chunks no teacher answered, nothing kept): the message sums it up
    and says where the details are. Exit status 1."""
