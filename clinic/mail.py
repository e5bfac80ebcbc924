"""What every email the site sends shares: links to the public site, the clinic's inbox, and when to try again."""

from datetime import timedelta

from django.conf import settings
from django.utils.module_loading import import_string

FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=1)


def site_url():
    return getattr(settings, "SITE_URL", "http://127.0.0.1:8000").rstrip("/")


def absolute_url(path):
    """`path` on the public site: emails and calendars are read away from any request."""
    return site_url() + path


def retry_delay(attempts):
    """1, 2, 4, 8 … minutes between tries, never more than an hour."""
    return min(FIRST_RETRY * 2 ** min(max(attempts - 1, 0), 10), LONGEST_WAIT)


def clinic_inbox():
    """Where the clinic is told of new requests: the callable settings.CLINIC_INBOX names.

    The booking app knows the address staff chose (Booking settings); this
    app, which every other imports, must not import it, so settings connect them.
    """
    return import_string(settings.CLINIC_INBOX)()
