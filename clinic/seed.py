"""The clinic's details as the site starts with them, for staff to complete in the admin."""

from .models import Clinic
from .seeding import Row

DESCRIPTION = "Return-to-running physiotherapy in Zona Río, Tijuana."


def load(loader):
    if Clinic.objects.exists():
        return loader.report(Clinic, 0)
    Clinic.objects.create(
        name="Return to Running",
        description=DESCRIPTION,
        neighbourhood="Zona Río",
        city="Tijuana",
        region="Baja California",
        country_code="MX",
    )
    loader.report(Clinic, 1)


def load_spanish(loader, description_es):
    texts = {"description": (DESCRIPTION, description_es)}
    loader.translate(Clinic, [Row(Clinic.objects.all(), texts, "clinic details")])
