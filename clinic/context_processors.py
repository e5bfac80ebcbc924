from django.utils.functional import SimpleLazyObject

from .models import Clinic


def clinic(request):
    """The clinic's details for the header, footer and booking prompts on every page."""
    return {"clinic": SimpleLazyObject(Clinic.load)}
