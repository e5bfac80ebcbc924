"""Nothing a patient typed, and no private link, reaches a log line.

A booking's private link (/book/manage/<token>/, /es/reservar/gestionar/<token>/)
opens and cancels the booking, so anyone who can read a log line holding it
could too. Every long random string in a message is written as [private]
instead: the site's tokens are 43 such characters, and nothing else the site
serves has a path segment anywhere near that long. Query strings are dropped
(staff search the admin for patients by name, ?q=…), and so are email
addresses and phone numbers wherever a message happens to quote one.

Names and health notes have no shape to recognise, so they are kept out at
the source: no record carries the request (and with it request.POST), an
exception's message keeps none of the values it quotes, tracebacks never
show local variables, and while a request is handled whatever its form or
query held is hidden wherever a message repeats it.

Used by the site's own logging (settings.LOGGING) and by gunicorn's logs
(gunicorn.conf.py). No Django imports: gunicorn loads this before Django.
"""

import logging
import os
import re
import traceback
from contextvars import ContextVar
from datetime import datetime, timezone
from urllib.parse import urlsplit

from gunicorn.glogging import Logger
from pythonjsonlogger.json import JsonFormatter as BaseJsonFormatter

PRIVATE = "[private]"
HIDDEN = "[hidden]"
TOKEN = re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{32,}(?![A-Za-z0-9_-])")
# A task's id (django_tasks_db's are UUIDs) opens nothing, and ties a worker's lines together.
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# A path or URL's query string: from its "?" to the next space or quote.
QUERY = re.compile(r"((?:https?://[^\s/?#\"']+)?/[^\s?#\"']*)\?[^\s#\"']*")
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# +526641234567, +52 664 123 4567, 664 123 4567, (664) 123-4567, 664.123.4567:
# ten digits or more in the groups phones are written in, never a date or a time.
PHONE = re.compile(
    r"(?<![\w+])(?:\+\d{8,15}|(?:\+\d{1,3}[ .-]?)?\(?\d{2,3}\)?[ .-]?\d{3,4}[ .-]?\d{4})(?!\w)"
)
# In an exception's message: a quoted value ('María', "664 123 4567", “…”)
# and PostgreSQL's DETAIL line, which quotes the failing row whole.
QUOTED = re.compile(r"'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"|“[^”\n]*”|‘[^’\n]*’|«[^»\n]*»")
# What a quote may still hold: a dotted or underscored name, a path, an address
# ("booking_booking", "127.0.0.1", 'django.db'): code and configuration, never
# what a patient types.
IDENTIFIER = re.compile(r"[A-Za-z0-9_-]*[_./:][A-Za-z0-9_./:-]*")
DETAIL = re.compile(r"^(\s*DETAIL:).*$", re.MULTILINE)
# A request id the site accepts from the proxy (clinic_site.request_id), and writes.
REQUEST_ID = re.compile(r"[A-Za-z0-9-]{8,64}")
TRACEBACK_HEADERS = (
    "Traceback (most recent call last):",
    "During handling of the above exception, another exception occurred:",
    "The above exception was the direct cause of the following exception:",
)


# What the person being served typed (a form's values, a search), while their
# request is handled (clinic_site.request_id): a callable giving the values,
# each hidden wherever a message repeats it, quoted or not.
typed_values = ContextVar("typed_values", default=None)


def hide_typed(text):
    source = typed_values.get()
    try:
        values = sorted(set(source()), key=len, reverse=True) if source else ()
    except Exception:  # noqa: BLE001 - a request that cannot be read has nothing more to hide
        values = ()
    for value in values:
        text = re.sub(rf"(?<!\w){re.escape(value)}(?!\w)", HIDDEN, text, flags=re.IGNORECASE)
    return text


def redact(text):
    """`text` with its private links written as [private] and its query strings left off."""
    return TOKEN.sub(_private, QUERY.sub(r"\1", text))


def _private(match):
    return match.group(0) if UUID.fullmatch(match.group(0)) else PRIVATE


def scrub(text):
    """`text` without private links, query strings, email addresses, phone numbers or what was typed."""
    return PHONE.sub("[phone]", EMAIL.sub("[email]", redact(hide_typed(text))))


def scrub_exception_message(text):
    """An exception's message with the values it quotes hidden; the words around them say what failed."""
    text = DETAIL.sub(rf"\1 {HIDDEN}", scrub(text))

    def hide(match):
        quoted = match.group(0)
        return quoted if IDENTIFIER.fullmatch(quoted[1:-1]) else HIDDEN

    return QUOTED.sub(hide, text)


def safe_traceback(exc_info):
    """The traceback of `exc_info`, every exception in its chain with its message scrubbed.

    Python's tracebacks show code, never local variables; only the messages
    can hold data ("Field 'phone' expected a number but got '664…'").
    """
    text = "".join(traceback.format_exception(*exc_info))
    seen = set()
    error = exc_info[1]
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        message = "".join(traceback.format_exception_only(type(error), error))
        text = text.replace(message, scrub_exception_message(message))
        error = error.__cause__ or (None if error.__suppress_context__ else error.__context__)
    # Whatever the chain walk missed (an exception group's members): every
    # line at the margin is an exception's message, the indented ones are code.
    lines = [
        line if line.startswith((" ", "\t")) or line in TRACEBACK_HEADERS else scrub_exception_message(line)
        for line in text.splitlines()
    ]
    return "\n".join(lines)


def _looks_like_a_request(value):
    """A request, its POST or GET, or a form's data: by class name, as Django may not be loaded."""
    names = {cls.__name__ for cls in type(value).__mro__}
    return bool(names & {"HttpRequest", "WSGIRequest", "ASGIRequest", "MultiValueDict", "QueryDict"})


class RedactPrivateLinks(logging.Filter):
    """A logging filter that rewrites the record's message without its private links and query strings."""

    clean = staticmethod(redact)

    def filter(self, record):
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed record is logging's to report, not ours
            return True
        cleaned = self.clean(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


class KeepPatientDataOut(RedactPrivateLinks):
    """RedactPrivateLinks, and no request, POST data, email address or phone number on the record.

    django.request and django.server pass the request in `extra`; a JSON
    formatter would write it out. The record is changed in place: handlers on
    the logger that logged it (the operator's email on django.request, which
    needs the request for its report) have already had it by the time it
    reaches the root's handler, which this filter is for.
    """

    clean = staticmethod(scrub)

    def filter(self, record):
        record.__dict__.pop("request", None)
        for name, value in list(vars(record).items()):
            if name not in ("args", "msg") and _looks_like_a_request(value):
                del record.__dict__[name]
        if _looks_like_a_request(record.args):  # logger.info("%s", request.POST): logging unpacks a lone mapping
            try:
                record.msg, record.args = str(record.msg) % (HIDDEN,), ()
            except (TypeError, ValueError, KeyError):
                record.msg, record.args = str(record.msg), ()
        elif isinstance(record.args, dict):
            record.args = {key: HIDDEN if _looks_like_a_request(value) else value for key, value in record.args.items()}
        elif record.args:
            record.args = tuple(HIDDEN if _looks_like_a_request(value) else value for value in record.args)
        return super().filter(record)


def timestamp(created):
    """A record's time in UTC, to the millisecond: one clock for gunicorn, the site and the worker."""
    moment = datetime.fromtimestamp(created, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class TextFormatter(logging.Formatter):
    """time level logger [request id] message, for a person reading a terminal."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s", defaults={"request_id": "-"})

    def formatTime(self, record, datefmt=None):
        return timestamp(record.created)

    def formatException(self, ei):
        return safe_traceback(ei)


class JsonFormatter(BaseJsonFormatter):
    """One JSON object a line: timestamp, level, logger, message, request_id, and nothing unplanned.

    Any other attribute a library puts on a record (`extra=`) is left out
    rather than serialised, whatever it holds.
    """

    FIELDS = frozenset({
        "timestamp", "level", "logger", "message", "request_id", "exc_info", "stack_info", "status_code",
        # gunicorn's access log (GunicornLogger.access)
        "remote_addr", "method", "path", "status", "bytes", "duration_ms", "referrer", "user_agent",
    })

    def __init__(self):
        super().__init__(
            ["levelname", "name", "message", "request_id"],
            rename_fields={"levelname": "level", "name": "logger"},
            json_ensure_ascii=False,
        )

    def add_fields(self, log_data, record, message_dict):
        log_data["timestamp"] = timestamp(record.created)
        super().add_fields(log_data, record, message_dict)
        for key in [key for key in log_data if key not in self.FIELDS]:
            del log_data[key]
        if log_data.get("request_id") is None:
            log_data["request_id"] = "-"

    def formatException(self, ei):
        return safe_traceback(ei)


def log_format(environ=os.environ):
    """"json" or "text": LOG_FORMAT if set, else text with DEBUG on, JSON off (as settings.LOG_FORMAT)."""
    chosen = environ.get("LOG_FORMAT", "").strip().lower()
    if chosen in ("json", "text"):
        return chosen
    # django-environ's spelling of true, which settings.DEBUG is read with.
    debug = environ.get("DEBUG", "").strip().lower() in ("true", "on", "ok", "y", "yes", "1")
    return "text" if debug else "json"


def formatter(kind):
    return TextFormatter() if kind == "text" else JsonFormatter()


def _printable(value):
    """A header's value for a text line: one line, its quotes escaped."""
    return value.encode("unicode_escape").decode("ascii").replace('"', '\\"')


def referrer_path(referrer):
    """The path of the page that linked here, without its query, host or private link."""
    if not referrer or referrer == "-":
        return "-"
    return redact(urlsplit(referrer).path or "/")


class GunicornLogger(Logger):
    """gunicorn's logger, writing its error and access logs in the site's own style (LOG_FORMAT).

    The access log's fields are chosen here rather than by access_log_format,
    so no setting can bring back the query string (%(q)s, or the request line
    %(r)s that holds it) or a referrer's full address.
    """

    def setup(self, cfg):
        super().setup(cfg)
        self.log_format = log_format()
        for handler in self.error_log.handlers + self.access_log.handlers:
            handler.setFormatter(formatter(self.log_format))
            handler.addFilter(KeepPatientDataOut())

    def access(self, resp, req, environ, request_time):
        cfg = self.cfg
        if not (cfg.accesslog or cfg.logconfig or cfg.logconfig_dict or cfg.logconfig_json
                or (cfg.syslog and not cfg.disable_redirect_access_to_syslog)):
            return
        try:
            atoms = super().atoms(resp, req, environ, request_time)
            request_id = atoms.get("{x-request-id}o", "-")
            fields = {
                "request_id": request_id if REQUEST_ID.fullmatch(request_id) else "-",
                "remote_addr": atoms["h"],
                "method": atoms["m"],
                "path": redact(atoms["U"] or "/"),
                "status": int(atoms["s"]) if str(atoms["s"]).isdigit() else atoms["s"],
                "bytes": atoms["B"] or 0,
                "duration_ms": atoms["M"],
                "referrer": referrer_path(atoms["f"]),
                "user_agent": redact(atoms["a"]),
            }
            if self.log_format == "text":
                line = (
                    f'{fields["remote_addr"]} "{fields["method"]} {fields["path"]}" {fields["status"]} {fields["bytes"]} '
                    f'{fields["duration_ms"]}ms "{fields["referrer"]}" "{_printable(fields["user_agent"])}"'
                )
                self.access_log.info("%s", line, extra=fields)
            else:
                self.access_log.info("%s %s %s", fields["method"], fields["path"], fields["status"], extra=fields)
        except Exception:  # noqa: BLE001 - as gunicorn's own access(): a bad line must not break the response
            self.error(traceback.format_exc())
