"""Private links never reach a log.

A booking's private link (/book/manage/<token>/, /es/reservar/gestionar/<token>/)
opens and cancels the booking, so anyone who can read a log line holding it
could too. Every long random string in a path, query or referrer is written as
[private] instead: the site's tokens are 43 such characters, and nothing else
the site serves has a path segment anywhere near that long.

Used by the site's own logging (settings.LOGGING) and by gunicorn's access log
(gunicorn.conf.py). No Django imports: gunicorn loads this before Django.
"""

import logging
import re

from gunicorn.glogging import Logger

PRIVATE = "[private]"
TOKEN = re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{32,}(?![A-Za-z0-9_-])")


def redact(text):
    return TOKEN.sub(PRIVATE, text)


class RedactPrivateLinks(logging.Filter):
    """A logging filter that rewrites the record's message without its private links."""

    def filter(self, record):
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


class GunicornLogger(Logger):
    """gunicorn's logger, with every part of an access-log line redacted."""

    def atoms(self, resp, req, environ, request_time):
        return {
            name: redact(value) if isinstance(value, str) else value
            for name, value in super().atoms(resp, req, environ, request_time).items()
        }
