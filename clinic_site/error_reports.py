"""Error reports for the clinic's operator, with nothing in them a patient typed.

Two ways an error reaches the operator: Django's email to ADMINS for every
500 (settings.LOGGING's mail_admins), and Sentry when SENTRY_DSN is set. Both
keep the traceback and the page's path, private link written as [private];
neither carries a form's values, a query string, a cookie, local variables or
the values an exception's message quotes.
"""

import re
import warnings
from types import SimpleNamespace

from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

from .log_redaction import HIDDEN, redact, referrer_path, scrub, scrub_exception_message
from .request_id import current_request_id

# Request headers that say what went wrong and never who it happened to.
SAFE_META = {
    "CONTENT_LENGTH", "CONTENT_TYPE", "HTTP_ACCEPT", "HTTP_ACCEPT_LANGUAGE", "HTTP_HOST", "HTTP_USER_AGENT",
    "HTTP_X_FORWARDED_PROTO", "HTTP_X_REQUEST_ID", "REMOTE_ADDR", "REQUEST_METHOD", "SCRIPT_NAME", "SERVER_NAME",
    "SERVER_PORT", "SERVER_PROTOCOL", "wsgi.url_scheme",
}
SAFE_HEADERS = {name.lower() for name in ("Accept", "Accept-Language", "Content-Length", "Content-Type", "Host",
                                          "User-Agent", "X-Forwarded-Proto", "X-Request-Id")}
# The booking form's fields, for Sentry's own scrubber to hide wherever they turn up as a key.
PATIENT_FIELDS = ["patient_name", "phone", "email", "note", "condition", "reason"]
CREDENTIALS_IN_URL = re.compile(r"(?<=://)([^:/@\s]+):[^@/\s]+@")


class PatientSafeExceptionReporterFilter(SafeExceptionReporterFilter):
    """Every POST and GET value, cookie and identifying header hidden, whatever DEBUG says; the names kept.

    Local variables are hidden with DEBUG off, in every report that leaves
    the server; DEBUG's own error page, on a developer's machine, keeps them.
    """

    def get_post_parameters(self, request):
        if request is None:
            return {}
        return {name: self.cleansed_substitute for name in request.POST}

    def get_cleansed_multivaluedict(self, request, multivaluedict):
        return {name: self.cleansed_substitute for name in multivaluedict}

    def get_safe_cookies(self, request):
        return {name: self.cleansed_substitute for name in getattr(request, "COOKIES", {})}

    def get_safe_request_meta(self, request):
        meta = {}
        for name, value in getattr(request, "META", {}).items():
            if name == "PATH_INFO":
                meta[name] = redact(value)
            elif name == "HTTP_REFERER":
                meta[name] = referrer_path(value)
            elif name in SAFE_META:
                meta[name] = value
            else:
                meta[name] = self.cleansed_substitute
        return meta

    def get_traceback_frame_variables(self, request, tb_frame):
        if not self.is_active(request):
            return super().get_traceback_frame_variables(request, tb_frame)
        return [(name, self.cleansed_substitute) for name in tb_frame.f_locals]

    def cleanse_setting(self, key, value):
        cleansed = super().cleanse_setting(key, value)
        # CACHES' LOCATION and the like: redis://:password@host carries its password in the URL.
        if type(cleansed) is str:  # a lazy setting passes for a str, and is not one
            return CREDENTIALS_IN_URL.sub(rf"\1:{self.cleansed_substitute}@", cleansed)
        return cleansed


class PatientSafeExceptionReporter(ExceptionReporter):
    """Django's report, its request shown as method and path only, its exception messages scrubbed.

    The email's subject is the log message ("Internal Server Error: /path"),
    redacted by the mail handler's filter (settings.LOGGING).
    """

    def get_traceback_data(self):
        data = super().get_traceback_data()
        if self.request is not None:
            path = redact(self.request.path_info)
            data["request"] = SimpleNamespace(path_info=path, META={"REQUEST_METHOD": self.request.method})
            data["request_insecure_uri"] = f"{self.request.scheme}://{self.request._get_raw_host()}{redact(self.request.path)}"
            data["request_GET_items"] = [(name, self.filter.cleansed_substitute) for name in self.request.GET]
            data["request_FILES_items"] = [(name, self.filter.cleansed_substitute) for name in self.request.FILES]
        for key in ("exception_value", "exception_notes"):
            if data.get(key):
                data[key] = scrub_exception_message(data[key])
        data["unicode_hint"] = ""  # a few characters either side of a bad one, from whatever was being decoded
        for frame in data["frames"]:
            if frame.get("exc_cause"):
                frame["exc_cause"] = scrub_exception_message(str(frame["exc_cause"]))
        if data.get("template_info"):
            data["template_info"] = {**data["template_info"], "message": scrub_exception_message(str(data["template_info"]["message"]))}
        return data


# Sentry, when SENTRY_DSN is set (settings.py).


def start_sentry(dsn, *, environment, release, traces_sample_rate):
    """Send errors, and a sample of requests' timings if asked, to Sentry, without personal data."""
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.scrubber import DEFAULT_DENYLIST, EventScrubber

    with warnings.catch_warnings():
        # sentry-sdk would have data_collection instead, whose defaults collect
        # most of a request and turn the event scrubber below off; an explicit
        # send_default_pii=False is the stricter of the two.
        warnings.filterwarnings("ignore", message="The send_default_pii option is deprecated", category=DeprecationWarning)
        sentry_sdk.init(
            dsn=dsn,
            environment=environment,
            release=release or None,
            integrations=[DjangoIntegration()],
            send_default_pii=False,
            include_local_variables=False,
            max_request_body_size="never",
            traces_sample_rate=traces_sample_rate,
            event_scrubber=EventScrubber(denylist=DEFAULT_DENYLIST + PATIENT_FIELDS, recursive=True),
            before_send=scrub_event,
            before_send_transaction=scrub_transaction,
            before_breadcrumb=scrub_breadcrumb,
        )


def scrub_event(event, hint=None):
    """A Sentry event with its request cut down to method, path and a few headers, and its messages scrubbed."""
    request = event.get("request")
    if request:
        event["request"] = {
            "method": request.get("method"),
            "url": redact((request.get("url") or "").split("?")[0]),
            "headers": {
                name: redact(str(value)) for name, value in (request.get("headers") or {}).items()
                if name.lower() in SAFE_HEADERS
            },
        }
    event.pop("user", None)
    for value in (event.get("exception") or {}).get("values") or []:
        if value.get("value"):
            value["value"] = scrub_exception_message(value["value"])
    logentry = event.get("logentry") or {}
    if logentry:
        event["logentry"] = {"message": scrub(_formatted(logentry))}
    if isinstance(event.get("message"), str):
        event["message"] = scrub(event["message"])
    if event.get("transaction"):
        event["transaction"] = redact(event["transaction"])
    extra = event.get("extra") or {}
    event["extra"] = {name: _scrubbed(value) for name, value in extra.items() if name in ("request_id", "status_code", "sys.argv")}
    crumbs = event.get("breadcrumbs")
    if isinstance(crumbs, dict) and isinstance(crumbs.get("values"), list):
        crumbs["values"] = [crumb for crumb in (scrub_breadcrumb(crumb) for crumb in crumbs["values"]) if crumb]
    request_id = current_request_id.get()
    if request_id:
        event.setdefault("tags", {})["request_id"] = request_id
    return event


def scrub_transaction(event, hint=None):
    """A transaction (a request's timings) scrubbed as an event is, its spans' descriptions too and their data left out."""
    event = scrub_event(event, hint)
    for span in event.get("spans") or []:
        if span.get("description"):
            span["description"] = scrub(span["description"])
        span["data"] = {
            name: value for name, value in (span.get("data") or {}).items()
            if not any(word in name for word in ("param", "query", "cursor", "body", "url", "http.request"))
        }
    return event


def scrub_breadcrumb(crumb, hint=None):
    """A breadcrumb's message scrubbed and its data reduced to a few safe fields."""
    if crumb.get("message"):
        crumb["message"] = scrub(str(crumb["message"]))
    crumb["data"] = {
        name: _scrubbed(value) for name, value in (crumb.get("data") or {}).items()
        if name in ("request_id", "status_code", "method", "reason", "http.method", "db.executemany")
    }
    return crumb


def _formatted(logentry):
    if logentry.get("formatted"):
        return str(logentry["formatted"])
    message, params = str(logentry.get("message") or ""), logentry.get("params")
    if not params:
        return message
    try:
        return message % (tuple(params) if isinstance(params, list) else params)
    except (TypeError, ValueError, KeyError):
        return message


def _scrubbed(value):
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, (list, tuple)):
        return [_scrubbed(item) for item in value]
    if isinstance(value, (int, float, bool)) or value is None:
        return value
    return HIDDEN
