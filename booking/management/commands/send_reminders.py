"""Queue reminders for confirmed assessments coming up. Run from cron every few minutes.

    */5 * * * *  python manage.py send_reminders

Safe to run on several hosts at once and as often as you like: each booking
is reminded once for each start time it has.
"""

from django.core.management.base import BaseCommand

from booking.services import send_due_reminders


class Command(BaseCommand):
    help = "Queue a reminder email for each confirmed assessment within the reminder lead time."

    def handle(self, *args, **options):
        sent = send_due_reminders()
        self.stdout.write(f"Queued {sent} reminder(s).")
