"""Deployment checks (`manage.py check --deploy`): the settings that, left at their defaults, lose or leak mail.

With the console backend the worker prints every email, health notes
included, to its log; with a localhost SITE_URL every link in an email is
dead; with a @localhost sender mail servers refuse or bin the email; with no
inbox the clinic never hears of a new request.
"""

from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.db import DatabaseError

from booking.models import BookingSettings
from clinic.models import Clinic

# Backends that deliver nothing to anybody.
NOWHERE_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend": "prints every email to the log",
    "django.core.mail.backends.dummy.EmailBackend": "throws every email away",
    "django.core.mail.backends.locmem.EmailBackend": "keeps every email in memory",
    "django.core.mail.backends.filebased.EmailBackend": "writes every email to files on the server",
}
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0", "testserver"}


def _is_local(host):
    return not host or host in LOCAL_HOSTS or host.endswith((".localhost", ".local"))


@register(Tags.security, deploy=True)
def check_email_backend(app_configs, **kwargs):
    does = NOWHERE_BACKENDS.get(settings.EMAIL_BACKEND)
    if does is None:
        return []
    return [Error(
        f"EMAIL_URL is not set: the email backend {does}, so no patient or clinic receives one.",
        hint="Set EMAIL_URL to the clinic's mail server, e.g. smtp+tls://user:password@smtp.example.com:587.",
        id="clinic.E001",
    )]


@register(Tags.security, deploy=True)
def check_site_url(app_configs, **kwargs):
    parts = urlsplit(settings.SITE_URL)
    if _is_local(parts.hostname):
        return [Error(
            f"SITE_URL is {settings.SITE_URL!r}: every link in an email and calendar file would point at this machine.",
            hint="Set SITE_URL to the site's public address, e.g. https://clinic.example.",
            id="clinic.E002",
        )]
    if parts.scheme != "https":
        return [Error(
            "SITE_URL does not start with https://: links to patients' private booking pages must be encrypted.",
            hint="Set SITE_URL to the https:// address the proxy serves.",
            id="clinic.E003",
        )]
    return []


@register(Tags.security, deploy=True)
def check_sender(app_configs, **kwargs):
    errors = []
    for name in ("DEFAULT_FROM_EMAIL", "SERVER_EMAIL"):
        address = parseaddr(getattr(settings, name))[1]
        domain = address.rpartition("@")[2].lower()
        if "@" not in address or _is_local(domain):
            errors.append(Error(
                f"{name} is {getattr(settings, name)!r}: mail servers refuse or bin email from a local address.",
                hint=f"Set {name} to an address at the clinic's own domain, e.g. \"Return to Running <citas@clinic.example>\".",
                id="clinic.E004",
            ))
    return errors


@register(Tags.security, deploy=True)
def check_clinic_inbox(app_configs, **kwargs):
    if getattr(settings, "CLINIC_NOTIFICATION_EMAIL", ""):
        return []
    try:
        has_inbox = bool(BookingSettings.load().notification_email or Clinic.load().email)
    except DatabaseError:
        return [Warning(
            "Could not read the clinic's details to check where new requests are emailed.",
            hint="Run `manage.py migrate` first, or set CLINIC_NOTIFICATION_EMAIL.",
            id="clinic.W001",
        )]
    if has_inbox:
        return []
    return [Error(
        "The clinic has no address to receive new requests: nobody would hear of a booking or a data request.",
        hint="Set CLINIC_NOTIFICATION_EMAIL, or the email in the admin's Clinic details or Booking settings.",
        id="clinic.E005",
    )]


@register(Tags.caches, deploy=True)
def check_shared_cache(app_configs, **kwargs):
    if settings.CACHES["default"]["BACKEND"] != "django.core.cache.backends.locmem.LocMemCache":
        return []
    return [Warning(
        "CACHE_URL is not set: each gunicorn worker keeps its own rate limits and cached pages, and an edit "
        "in the admin is not seen by the other workers until their copy expires.",
        hint="Set CACHE_URL to the Redis every app host shares, e.g. redis://127.0.0.1:6379/0.",
        id="clinic.W002",
    )]
