"""schema.org data for a condition's page."""

from django.utils.translation import gettext as _


def condition_data(condition, request):
    return {
        "@context": "https://schema.org",
        "@type": "MedicalCondition",
        "name": condition.name,
        "description": condition.summary,
        "url": request.build_absolute_uri(condition.get_absolute_url()),
        "possibleTreatment": {"@type": "MedicalTherapy", "name": _("Graduated return-to-running rehabilitation")},
    }
