"""Remove a staff member's second factor, for when the owner cannot use the admin to do it (their own phone is lost).

    python manage.py reset_second_factor <username>

They set up a new authenticator app at their next sign-in, so run it just
before they sign in, and give them a new password too if anyone else might know it.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from staff_access.second_factor import reset_second_factor


class Command(BaseCommand):
    help = "Delete a user's authenticator app and recovery codes; they set up new ones at their next sign-in."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        User = get_user_model()
        try:
            user = User.objects.get_by_natural_key(username)
        except User.DoesNotExist:
            raise CommandError(f"There is no user called {username!r}.")
        removed = reset_second_factor(user)
        self.stdout.write(
            f"Removed {removed} second-factor device(s) of {username}: "
            "they set up a new authenticator app when they next sign in."
        )
