"""Rate limits on booking, kept in Django's cache.

Keys are keyed hashes, so neither an address nor a phone number or email is
ever written to the cache in the clear.
"""

from django.conf import settings
from django.core.cache import cache
from django.utils.crypto import salted_hmac

# (what is counted, how many, within how many seconds)
LIMITS = {
    "address": (10, 60 * 60),  # booking attempts from one network address an hour
    "contact": (3, 24 * 60 * 60),  # bookings for one phone or email a day
    "data_request": (5, 24 * 60 * 60),  # privacy requests from one network address a day
}


def _key(kind, value):
    return "booking-limit:" + kind + ":" + salted_hmac("booking.throttle", str(value).lower()).hexdigest()[:32]


def client_address(request):
    # Behind the production proxy REMOTE_ADDR is the proxy's, and the proxy
    # appends the client's to X-Forwarded-For. Without a proxy that header is
    # the client's own words, so it is trusted only when settings say so.
    if settings.USE_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip()
        if forwarded:
            return forwarded
    return request.META.get("REMOTE_ADDR", "")


def is_limited(kind, *values):
    limit, _seconds = LIMITS[kind]
    return any((cache.get(_key(kind, value)) or 0) >= limit for value in values if value)


def count(kind, *values):
    _limit, seconds = LIMITS[kind]
    for value in values:
        if value:
            key = _key(kind, value)
            cache.add(key, 0, seconds)
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, seconds)
