"""schema.org data for a condition's page."""

from django.urls import reverse
from django.utils.translation import gettext as _

from clinic.structured_data import assessment_offer


def condition_data(condition, request, clinic):
    """The condition, its signs and treatment, and the clinic's assessment for it, with its price in MXN."""
    home = request.build_absolute_uri(reverse("conditions:home"))
    url = request.build_absolute_uri(condition.get_absolute_url())
    data = {
        "@context": "https://schema.org",
        "@type": "MedicalCondition",
        "@id": url + "#condition",
        "name": condition.name,
        "description": condition.summary,
        "url": url,
        "relevantSpecialty": "https://schema.org/Physiotherapy",
        "possibleTreatment": {"@type": "PhysicalTherapy", "name": _("Graduated return-to-running rehabilitation")},
    }
    signs = [line.strip() for line in condition.signs.splitlines() if line.strip()]
    if signs:
        data["signOrSymptom"] = [{"@type": "MedicalSignOrSymptom", "name": sign} for sign in signs]
    page = {
        "@type": "MedicalWebPage",
        "url": url,
        "about": {"@id": url + "#condition"},
        "publisher": {"@id": home + "#clinic"},
        # The assessment, offered by the clinic (its full record is on the home page, under the same @id).
        "offers": {**assessment_offer(clinic, request), "offeredBy": {"@id": home + "#clinic", "name": clinic.name}},
    }
    if condition.reviewed_on:
        page["lastReviewed"] = condition.reviewed_on.isoformat()
    if condition.reviewed_by:
        page["reviewedBy"] = {"@type": "Person", "name": condition.reviewed_by.name,
                              "url": request.build_absolute_uri(condition.reviewed_by.get_absolute_url())}
    data["subjectOf"] = page
    return data
