from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from clinic.models import Clinic
from clinic.structured_data import breadcrumbs, clinic_data

from .models import Practitioner


def team_index(request):
    practitioners = list(Practitioner.objects.listed().select_related("photo"))
    clinic = Clinic.load()
    return render(
        request,
        "team/index.html",
        {
            "practitioners": practitioners,
            "clinic": clinic,
            "meta_title": f"{_('Our team')} · {clinic.name}",
            "meta_description": _("The physiotherapists who will assess and treat you: what they studied, where, "
                                  "their cédula profesional and the languages they speak."),
            "structured_data": [
                clinic_data(clinic, request, team=practitioners),
                breadcrumbs(request, (_("Home"), reverse("conditions:home")), (_("Our team"), request.path)),
            ],
        },
    )
