"""The recipe: its files (the bundled base first), their one merge with the command line's overrides, the
typed sections every command reads, and one-line explanations of what is wrong with it.
"""
