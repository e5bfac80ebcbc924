"""schema.org data for search engines, built from the same rows the page shows."""

from django.urls import reverse
from django.utils.translation import gettext as _


def clinic_data(clinic, request):
    home = request.build_absolute_uri(reverse("conditions:home"))
    address = {
        "@type": "PostalAddress",
        "addressLocality": clinic.city,
        "addressRegion": clinic.region,
        "addressCountry": clinic.country_code,
    }
    if clinic.street_address:
        address["streetAddress"] = f"{clinic.street_address}, {clinic.neighbourhood}".strip(", ")
    else:
        address["streetAddress"] = clinic.neighbourhood
    if clinic.postal_code:
        address["postalCode"] = clinic.postal_code
    data = {
        "@context": "https://schema.org",
        "@type": ["MedicalClinic", "Physiotherapy"],
        "@id": home + "#clinic",
        "name": clinic.name,
        "url": home,
        "address": address,
        "priceRange": f"${clinic.assessment_price:.0f} MXN",
        "currenciesAccepted": "MXN",
        "makesOffer": assessment_offer(clinic, request),
    }
    if clinic.description:
        data["description"] = clinic.description
    if clinic.phone:
        data["telephone"] = clinic.phone
    if clinic.email:
        data["email"] = clinic.email
    data["hasMap"] = clinic.maps_link
    return data


def assessment_offer(clinic, request):
    return {
        "@type": "Offer",
        "name": _("Return-to-running assessment"),
        "description": _("First assessment and treatment from session one."),
        "price": f"{clinic.assessment_price:.2f}",
        "priceCurrency": "MXN",
        "url": request.build_absolute_uri(reverse("booking:start")),
        "availability": "https://schema.org/InStock",
    }


def breadcrumbs(request, *trail):
    """A BreadcrumbList from (name, path) pairs, the home page first."""
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": number, "name": name, "item": request.build_absolute_uri(path)}
            for number, (name, path) in enumerate(trail, start=1)
        ],
    }
