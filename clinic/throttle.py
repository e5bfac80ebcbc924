"""Rate limits on booking, kept in Django's cache: counts, and the bookings made from each address.

Keys are keyed hashes, so neither an address nor a phone number or email is
ever written to the cache in the clear. A cache that is down never stops a
booking: the limits are off (and the log says so) until it answers again.
"""

import functools
import ipaddress
import logging

from django.conf import settings
from django.core.cache import cache
from django.utils.crypto import salted_hmac

logger = logging.getLogger(__name__)

# (what is counted, how many, within how many seconds)
LIMITS = {
    "address": (10, 60 * 60),  # booking attempts from one network address an hour
    "contact": (3, 24 * 60 * 60),  # bookings for one phone or email a day
    "data_request": (5, 24 * 60 * 60),  # privacy requests from one network address a day
}


def _key(kind, value):
    return "booking-limit:" + kind + ":" + salted_hmac("booking.throttle", str(value).lower()).hexdigest()[:32]


def client_address(request):
    """The address of the person making the request, as far as it can be trusted.

    Behind the proxy the README describes, REMOTE_ADDR is the proxy's and the
    proxy appends the address it saw to X-Forwarded-For. Reading that header
    from the right, every hop that is one of TRUSTED_PROXIES is skipped; the
    first that is not is the client. A client can write anything it likes at
    the left of the header, but never to the right of what our own proxy
    appended, so a made-up header changes nothing. Without a trusted proxy in
    front (REMOTE_ADDR not in TRUSTED_PROXIES) the header is ignored.

    The booking rate limits and django-axes's admin lock-out both use this.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    if not _is_trusted_proxy(remote):
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    address = remote
    for hop in reversed(hops):
        if not _is_address(hop):
            break  # a malformed hop: nothing to its left can be trusted
        address = hop
        if not _is_trusted_proxy(hop):
            break
    return address


def _is_address(value):
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def _is_trusted_proxy(value):
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return False
    return any(address in network for network in _trusted_networks(tuple(settings.TRUSTED_PROXIES)))


@functools.lru_cache(maxsize=4)
def _trusted_networks(proxies):
    return [ipaddress.ip_network(proxy, strict=False) for proxy in proxies]


def is_limited(kind, *values):
    limit, _seconds = LIMITS[kind]
    try:
        return any((cache.get(_key(kind, value)) or 0) >= limit for value in values if value)
    except Exception:  # noqa: BLE001 - whatever the cache's client raises, the patient goes on
        logger.warning("Rate limits are off: the cache is not answering", exc_info=True)
        return False


def count(kind, *values):
    _limit, seconds = LIMITS[kind]
    try:
        for value in values:
            if value:
                _count(_key(kind, value), seconds)
    except Exception:  # noqa: BLE001 - as in is_limited
        logger.warning("Rate limits are off: the cache is not answering", exc_info=True)


def _count(key, seconds):
    cache.add(key, 0, seconds)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, seconds)


# The held-bookings cap (booking/services.py) also counts the future bookings
# made from one network address. No address is stored with a booking, so the
# cache keeps each address's latest booking pks under its keyed hash; the
# service counts which of them are still future and active.
BOOKINGS_FROM_ADDRESS_KEPT = 20


def bookings_from(address):
    """The pks of the bookings last made from `address` (oldest first); none when the cache is not answering."""
    if not address:
        return []
    try:
        return list(cache.get(_key("held", address)) or [])
    except Exception:  # noqa: BLE001 - as in is_limited
        logger.warning("The per-address booking limit is off: the cache is not answering", exc_info=True)
        return []


def remember_booking_from(address, booking_pk, seconds):
    """Add `booking_pk` to the bookings made from `address`, kept for `seconds` after the latest one."""
    if not address:
        return
    key = _key("held", address)
    try:
        held = [*(cache.get(key) or [])[-(BOOKINGS_FROM_ADDRESS_KEPT - 1):], booking_pk]
        cache.set(key, held, timeout=seconds)
    except Exception:  # noqa: BLE001 - as in is_limited
        logger.warning("The per-address booking limit is off: the cache is not answering", exc_info=True)
