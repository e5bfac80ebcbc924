"""The patient record page: a booking's person, with every booking of theirs, visits and no-shows, and "book again"."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import path, reverse
from django.utils.translation import gettext as _

from ..patients import PatientRecord


class PatientRecordPages:
    """Reached from a booking (/admin/booking/booking/<id>/patient/): the address names a booking, never a phone or name."""

    def get_urls(self):
        return [
            path("<int:booking_id>/patient/", self.admin_site.admin_view(self.patient_record_view),
                 name="booking_booking_patient"),
        ] + super().get_urls()

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
