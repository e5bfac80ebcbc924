"""A staff sign-in lasts a working day, counted from the moment of signing in."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone


def end_staff_sessions_after_a_working_day(sender, request, user, **kwargs):
    """On user_logged_in: an absolute expiry, so neither activity nor the public site's SESSION_COOKIE_AGE changes it."""
    if user.is_staff and getattr(request, "session", None) is not None:
        request.session.set_expiry(timezone.now() + timedelta(hours=settings.STAFF_SESSION_HOURS))
