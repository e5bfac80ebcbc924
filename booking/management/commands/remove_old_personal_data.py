"""Remove patients' details from bookings past the retention period. Run daily from cron.

    30 3 * * *  python manage.py remove_old_personal_data

The period is "keep patients' details for (months)" in Booking settings
(24 by default). What the accounts need stays: date, price, status, reference.
"""

from django.core.management.base import BaseCommand

from booking.retention import remove_old_personal_data


class Command(BaseCommand):
    help = "Remove names, contact details and health notes from bookings older than the retention period."

    def handle(self, *args, **options):
        cleared = remove_old_personal_data()
        self.stdout.write(f"Removed personal data from {cleared} booking(s).")
