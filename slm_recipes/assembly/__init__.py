"""What the commands and the page share: a recipe's data stages, its DataModule, its open book, the model to
answer with and the callbacks of a run, each built from the `Recipe` in one place.
"""
