"""Plain text as staff type it in the admin."""

from django.utils.text import Truncator


def truncate(text, length=160):
    """Text cut at a word to fit a search result's snippet."""
    return Truncator(text).chars(length)


def paragraphs(text):
    """Plain text split at blank lines, as staff type it in the admin."""
    return [block.strip() for block in text.replace("\r\n", "\n").split("\n\n") if block.strip()]
