"""Carrying out a request to delete a patient's data, from the request's page in the Privacy section.

The request and its admin belong to privacy; the data to delete is the
bookings', so this app extends privacy's admin with the action.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from privacy.admin import DataRequestAdmin as PrivacyDataRequestAdmin
from privacy.models import DataRequest

from ..erasure import ErasureRefused, erase_personal_data, find_personal_data


class DataRequestAdmin(PrivacyDataRequestAdmin):
    # Deleting a person's data, from their request's page: a confirmation page, then one POST.

    def get_urls(self):
        erase = self.admin_site.admin_view(self.erase_view)
        return [
            path("<path:object_id>/delete-personal-data/", erase, name="privacy_datarequest_erase"),
        ] + super().get_urls()

    def _erase_url(self, data_request):
        return reverse("admin:privacy_datarequest_erase", args=[data_request.pk], current_app=self.admin_site.name)

    def _change_url(self, data_request):
        return reverse("admin:privacy_datarequest_change", args=[data_request.pk], current_app=self.admin_site.name)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        data_request = self.get_object(request, unquote(object_id))
        context = {}
        if (
            data_request is not None and data_request.asks_for_deletion and not data_request.is_erased
            and self.has_change_permission(request, data_request)
        ):
            context["erase_url"] = self._erase_url(data_request)
        return super().change_view(request, object_id, form_url, {**context, **(extra_context or {})})

    def erase_view(self, request, object_id):
        data_request = self.get_object(request, unquote(object_id))
        if data_request is None:
            raise Http404
        if not self.has_change_permission(request, data_request):
            raise PermissionDenied
        if not data_request.asks_for_deletion or data_request.is_erased:
            self.message_user(
                request,
                _("This person's data has already been deleted.") if data_request.is_erased
                else _("Only a request to delete data can delete it."),
                messages.WARNING,
            )
            return redirect(self._change_url(data_request))
        if request.method == "POST":
            try:
                data_request = erase_personal_data(data_request, by=request.user)
            except ErasureRefused as refused:
                for reason in refused.reasons:
                    self.message_user(request, reason, messages.ERROR)
                return redirect(self._erase_url(data_request))
            summary = self.erasure_summary(data_request)
            self.log_change(request, data_request, _("Deleted the person's data: %(summary)s") % {"summary": summary})
            self.message_user(
                request, _("The person's data is deleted: %(summary)s") % {"summary": summary}, messages.SUCCESS
            )
            return redirect(self._change_url(data_request))
        found = find_personal_data(data_request)
        return TemplateResponse(request, "admin/privacy/datarequest/erase.html", {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Delete this person's data"),
            "data_request": data_request,
            "found": found,
            "refusals": found.refusals(),
            "back_url": self._change_url(data_request),
        })


# Privacy's own admin for the requests, replaced by this one with the bookings' part of the job.
admin.site.unregister(DataRequest)
admin.site.register(DataRequest, DataRequestAdmin)
