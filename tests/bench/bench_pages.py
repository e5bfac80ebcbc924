"""Benchmarks, run by `make bench`: how fast the busiest pages and the open-times
calculation are, and how they grow with the number of bookings.

They print figures and assert nothing about time (the machine decides that);
the fixed query counts are pinned by the test suite. bench_http.py times the
page cache against gunicorn.
"""

import gzip
import statistics
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from booking.availability import open_times
from booking.models import Booking, BookingSettings
from privacy.models import PrivacyNotice
from team.models import Practitioner

RUNS = 30


def measure(action, runs=RUNS):
    action()  # warm up
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings), max(timings)


def fill_month(total):
    """Active bookings, hour after hour across the practitioners, until there are `total`."""
    practitioners = list(Practitioner.objects.all())
    notice = PrivacyNotice.objects.first()
    start = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
    Booking.objects.bulk_create(
        Booking(
            practitioner=practitioners[n % len(practitioners)],
            starts_at=start + timedelta(hours=n // len(practitioners)),
            ends_at=start + timedelta(hours=n // len(practitioners) + 1),
            price=750, patient_name=f"Patient {n}", phone="+526641234567", email=f"p{n}@example.com",
            consent_given_at=timezone.now(), privacy_notice=notice,
        )
        for n in range(Booking.objects.count(), total)
    )


@pytest.mark.django_db
def test_report(client, clinic_content, booking_rules):
    BookingSettings.objects.update(horizon_days=31)
    for n in range(2, 5):
        Practitioner.objects.create(name=f"Practitioner {n}", position=n)
    rows = []
    for bookings in (0, 500, 2000):
        fill_month(bookings)
        for label, action in [
            ("open_times(month)", open_times),
            ("GET /book/", lambda: client.get("/book/")),
            # A query string keeps the page cache out of it: the page as rendered for every miss.
            ("GET / rendered", lambda: client.get("/?from=bench")),
            ("GET /es/ rendered", lambda: client.get("/es/?from=bench")),
            ("GET / cached", lambda: client.get("/")),
        ]:
            median, worst = measure(action)
            rows.append((bookings, label, median, worst))
    home = client.get("/").content
    css = open("static/css/site.css", "rb").read()
    print("\n\nbookings  what                 median ms   max ms")
    for bookings, label, median, worst in rows:
        print(f"{bookings:>8}  {label:<20} {median:>9.1f} {worst:>8.1f}")
    print(f"\n/ on the wire: HTML {len(gzip.compress(home)) / 1024:.1f} KB + CSS {len(gzip.compress(css)) / 1024:.1f} KB gzipped "
          f"({len(home) / 1024:.1f} KB + {len(css) / 1024:.1f} KB raw)")
