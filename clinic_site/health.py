"""/healthz, for the proxy, a load balancer or a monitor: can this process serve pages right now?

It answers before every other middleware but the request id, so a probe over
plain HTTP, by IP address, is neither redirected to HTTPS nor refused for its
Host header. It says "ok" or "unavailable" and nothing else: no versions, no
names, nothing about why.
"""

import logging
from concurrent.futures import ThreadPoolExecutor, wait

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.utils.cache import add_never_cache_headers
from django.utils.crypto import get_random_string

logger = logging.getLogger(__name__)

PATH = "/healthz"
# The checks run beside the request, so a database or cache that never
# answers costs the probe HEALTH_TIMEOUT seconds, not the connection's own timeouts.
_checks = ThreadPoolExecutor(max_workers=4, thread_name_prefix="healthz")


def database_answers():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    finally:
        connection.close()  # the checking thread's own connection


def cache_answers():
    token = get_random_string(12)
    cache.set("healthz", token, 30)
    return cache.get("healthz") == token


CHECKS = {"database": database_answers, "cache": cache_answers}


def failing_checks():
    futures = {name: _checks.submit(check) for name, check in CHECKS.items()}
    wait(futures.values(), timeout=getattr(settings, "HEALTH_TIMEOUT", 2))
    failing = []
    for name, future in futures.items():
        if not future.done():
            failing.append(f"{name} (no answer)")
        elif future.exception() is not None:
            failing.append(f"{name} ({type(future.exception()).__name__})")
        elif not future.result():
            failing.append(f"{name} (wrong answer)")
    return failing


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info != PATH:
            return self.get_response(request)
        failing = failing_checks()
        if failing:
            logger.warning("Health check failing: %s", ", ".join(failing))
            response = HttpResponse("unavailable\n", content_type="text/plain", status=503)
        else:
            response = HttpResponse("ok\n", content_type="text/plain")
        add_never_cache_headers(response)
        return response
