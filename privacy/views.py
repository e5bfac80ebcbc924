"""The privacy notice, each version patients agreed to, and the form patients use to ask about their data."""

from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from clinic import throttle
from clinic.models import Clinic
from clinic.sessions import recalled, remember_briefly

from .forms import DataRequestForm
from .models import DataRequest, PrivacyNotice
from .tasks import queue_clinic_notice


def privacy_notice(request):
    notice = PrivacyNotice.current()
    if notice is None:
        raise Http404
    return _privacy_page(request, notice, current=notice)


def privacy_notice_version(request, version):
    """A version patients may have agreed to, so they can read it again; never one not yet published."""
    notice = get_object_or_404(PrivacyNotice.objects.published(), version=version)
    return _privacy_page(request, notice, current=PrivacyNotice.current())


def responsible_party(clinic):
    """(name, domicile lines) the notice gives for whoever is responsible for patients' data (LFPDPPP art. 16, I).

    The legal name and domicile from Clinic details, else the clinic's own name and address.
    """
    name = clinic.legal_name.strip() or clinic.name
    lines = [line.strip(" ,") for line in clinic.legal_address.splitlines() if line.strip(" ,")]
    return name, lines or clinic.address_lines


def _privacy_page(request, notice, current):
    published = PrivacyNotice.objects.published().only("version", "published_at")
    clinic = Clinic.load()
    responsible_name, responsible_address = responsible_party(clinic)
    return render(
        request,
        "privacy/notice.html",
        {
            "notice": notice,
            "clinic": clinic,
            "responsible_name": responsible_name,
            "responsible_address": responsible_address,
            "current": current,
            "is_current": notice == current,
            "other_versions": published.exclude(pk=notice.pk),
            "working_days": DataRequest.ANSWER_WITHIN_WORKING_DAYS,
            "meta_title": notice.title,
        },
    )


DATA_REQUEST = "privacy_data_request"


@never_cache
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def data_request(request):
    """A patient asks to see, correct or delete their data, or objects to a use of it."""
    if request.method == "POST":
        address = throttle.client_address(request)
        if throttle.is_limited("data_request", address):
            return render(request, "privacy/data_request_too_many.html", status=429)
        form = DataRequestForm(request.POST)
        if form.is_valid() or form.is_spam:
            throttle.count("data_request", address)
            if form.is_spam:
                return render(request, "privacy/data_request_refused.html", status=400)
            with transaction.atomic():
                received = form.save()
                queue_clinic_notice(received)
            # The confirmation page finds the request in the session: nothing about the patient goes in its URL.
            remember_briefly(request, DATA_REQUEST, received.pk)
            return redirect("privacy:data_request_received")
    else:
        form = DataRequestForm()
    return render(
        request,
        "privacy/data_request.html",
        {"form": form, "working_days": DataRequest.ANSWER_WITHIN_WORKING_DAYS},
        status=400 if request.method == "POST" else 200,
    )


@never_cache
def data_request_received(request):
    received = DataRequest.objects.filter(pk=recalled(request, DATA_REQUEST)).first()
    if received is None:
        return redirect("privacy:data_request")
    return render(
        request,
        "privacy/data_request_received.html",
        {"data_request": received, "working_days": DataRequest.ANSWER_WITHIN_WORKING_DAYS},
    )
