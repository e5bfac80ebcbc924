"""The patient record page: a booking's person, with every booking of theirs, visits and no-shows, and "book again"."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..patients import PatientRecord


class PatientRecordPages:
    """Reached from a booking (/admin/booking/booking/<id>/patient/): the address names a booking, never a phone or name."""

    def get_urls(self):
        return [
            path("<int:booking_id>/patient/", self.admin_site.admin_view(self.patient_record_view),
                 name="booking_booking_patient"),
            path("patient-lookup/", self.admin_site.admin_view(require_POST(self.patient_lookup_view)),
                 name="booking_booking_patient_lookup"),
        ] + super().get_urls()

    def patient_lookup_view(self, request):
        """The "booked before" notice for the phone or email being typed into a desk booking.

        A POST, so what is typed never lands in an address or a log line.
        """
        if not self.has_add_permission(request):
            raise PermissionDenied
        record = PatientRecord.of_typed(request.POST.get("phone", ""), request.POST.get("email", ""))
        return TemplateResponse(request, "admin/booking/booking/includes/known_patient.html", {"known_patient": record})

    def patient_record_view(self, request, booking_id):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        booking = self.get_object(request, str(booking_id))
        if booking is None or booking.anonymised_at is not None:
            raise Http404
        record = PatientRecord.of(booking)
        add_url = reverse("admin:booking_booking_add", current_app=self.admin_site.name)
        return self.render_page(
            request, "patient_record.html", _("Patient record: %(name)s") % {"name": record.name},
            record=record, booking=booking,
            book_again_url=f"{add_url}?patient={booking.pk}" if self.has_add_permission(request) else "",
        )
