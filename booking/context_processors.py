from django.utils.functional import SimpleLazyObject

from .models import OpeningHours


def opening_hours(request):
    """The clinic's week of opening hours, for the footer of every page."""
    return {"opening_hours": SimpleLazyObject(OpeningHours.week)}
