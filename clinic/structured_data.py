"""schema.org data for search engines, built from the same rows the page shows."""

from django.urls import reverse
from django.utils.translation import gettext as _


def clinic_data(clinic, request, team=()):
    """The clinic, and with `team` (listed practitioners, photos selected) each of them as a Person."""
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
    if team:
        data["employee"] = [practitioner_data(practitioner, request) for practitioner in team]
    return data


def practitioner_data(practitioner, request):
    """A practitioner as a Person: their degree is a credential recognised by its institution, the cédula its number."""
    url = request.build_absolute_uri(practitioner.get_absolute_url())
    person = {"@type": "Person", "@id": url, "name": practitioner.name, "url": url}
    if practitioner.title:
        person["jobTitle"] = practitioner.title
    if practitioner.photo_id and practitioner.photo.image:
        person["image"] = request.build_absolute_uri(practitioner.photo.image.url)
    if practitioner.degree or practitioner.cedula:
        credential = {"@type": "EducationalOccupationalCredential", "credentialCategory": "degree"}
        if practitioner.degree:
            credential["name"] = practitioner.degree
        if practitioner.institution:
            credential["recognizedBy"] = {"@type": "EducationalOrganization", "name": practitioner.institution}
        if practitioner.cedula:
            credential["identifier"] = {
                "@type": "PropertyValue", "propertyID": "Cédula profesional", "value": practitioner.cedula,
            }
        person["hasCredential"] = credential
    if practitioner.language_list:
        person["knowsLanguage"] = practitioner.language_list
    if practitioner.speciality_list:
        person["knowsAbout"] = practitioner.speciality_list
    return person


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
