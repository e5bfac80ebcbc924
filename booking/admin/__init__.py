"""The booking app's admin. Importing a module registers its admins, so each is imported here by name."""

from . import bookings, data_requests, emails, rules, waitlist  # noqa: F401
