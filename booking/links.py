"""The booking's addresses on the public site, for emails and calendar files read away from any request."""

from django.urls import NoReverseMatch, reverse

from clinic.mail import absolute_url


def manage_url(booking):
    """The booking's private page, in the active language."""
    return absolute_url(booking.get_manage_url())


def book_url():
    """Where a patient books another time, in the active language."""
    return absolute_url(reverse("booking:start"))


def admin_url(booking):
    """The booking's page in the admin, for the clinic's own email."""
    try:
        path = reverse("admin:booking_booking_change", args=[booking.pk])
    except NoReverseMatch:  # the admin registration is not there yet
        path = f"/admin/booking/booking/{booking.pk}/change/"
    return absolute_url(path)
