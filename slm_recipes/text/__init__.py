"""Text rules shared by every stage: numbers and their units, Chinese numerals, word boundaries, headings,
character shingles, and the lexicon (the word lists of a language and kind of document, read from a file).
"""
