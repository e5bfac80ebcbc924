from django.utils.functional import SimpleLazyObject

from booking.models import OpeningHours

from .models import Clinic


def clinic(request):
    """The clinic's details and hours for the header, footer and booking prompts on every page."""
    return {
        "clinic": SimpleLazyObject(Clinic.load),
        "opening_hours": SimpleLazyObject(OpeningHours.week),
    }
