"""Admin for the privacy notice and for patients' data requests (ARCO rights)."""

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Subquery
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin

from clinic.admin import DeliveryAdmin
from clinic.admin_translation import SpanishHintsMixin

from .models import ClinicNotice, DataRequest, PrivacyNotice
from .services import NOTICE_TEXTS, Outcome, publish_notice


class PrivacyNoticeForm(forms.ModelForm):
    # The browser's own date and time pickers, sending 2027-03-04: "03/04/2027"
    # would be 4 March in the English admin and 3 April in the Spanish one.
    # (booking/admin/widgets.py does the same for the booking admin's dates;
    # privacy cannot import booking.)
    published_at = forms.SplitDateTimeField(
        label=_("Publish at"),
        required=False,
        input_date_formats=["%Y-%m-%d"],
        input_time_formats=["%H:%M", "%H:%M:%S"],
        widget=forms.SplitDateTimeWidget(
            date_attrs={"type": "date"}, time_attrs={"type": "time"}, date_format="%Y-%m-%d", time_format="%H:%M"
        ),
        help_text=_("Leave empty to publish as soon as you save, or choose a later date and time (Tijuana time)."),
    )

    class Meta:
        model = PrivacyNotice
        fields = ["title", "body", "published_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.is_scheduled:
            # A published version's date stays with it; the new version gets its own.
            self.initial["published_at"] = None

    def clean_published_at(self):
        published_at = self.cleaned_data["published_at"]
        if published_at and published_at <= timezone.now():
            # Patients who booked before then agreed to the version shown at the time.
            raise ValidationError(
                _("Choose a date and time after now, or leave both empty to publish now."), code="past"
            )
        return published_at


@admin.register(PrivacyNotice)
class PrivacyNoticeAdmin(SpanishHintsMixin, TranslationAdmin):
    """Every published version is kept as it was: saving a change publishes the next version."""

    form = PrivacyNoticeForm
    list_display = ["version", "title", "published_at", "shown_to_patients", "bookings_agreed"]
    list_display_links = ["version", "title"]
    readonly_fields = ["version", "public_page"]
    view_on_site = False  # get_absolute_url is the current notice; each version has its own page, shown in the form

    def get_queryset(self, request):
        current = PrivacyNotice.objects.published().order_by("-version")
        return super().get_queryset(request).annotate(
            booking_count=Count("bookings"),
            current_version=Subquery(current.values("version")[:1]),
        )

    def get_fieldsets(self, request, obj=None):
        fields = ["version", "public_page", "title", "body", "published_at"] if obj else ["title", "body", "published_at"]
        if obj is not None and not self.has_change_permission(request, obj):
            return self.translation_fieldsets([(None, {"fields": fields})])
        next_version = PrivacyNotice.objects.latest_version() + 1
        if obj is not None and obj.is_scheduled:
            description = _(
                "This version is not published yet, so nobody has agreed to it: saving corrects it. "
                "Leave the date as it is to publish it then, or empty both parts to publish it now."
            )
        else:
            description = _(
                "Saving publishes your text as version %(next)s. Every earlier version stays as it was, "
                "with the bookings whose patients agreed to it."
            ) % {"next": next_version}
        return self.translation_fieldsets([(None, {"fields": fields, "description": description})])

    def get_changeform_initial_data(self, request):
        # A new version usually changes a few lines of the last one.
        latest = PrivacyNotice.objects.order_by("-version").first()
        initial = super().get_changeform_initial_data(request)
        if latest:
            for field in NOTICE_TEXTS:
                initial.setdefault(field, getattr(latest, field))
        return initial

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.version != PrivacyNotice.objects.latest_version():
            return False  # earlier versions are read-only: patients agreed to them as they are
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        # A published version is the record of what patients were shown; only a scheduled one may be withdrawn.
        return obj is not None and obj.is_scheduled and super().has_delete_permission(request, obj)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "show_save_and_add_another": False}
        return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        # The admin's later steps (its history entry, its message) ask what publishing did.
        obj.publication = publish_notice(
            obj, form.cleaned_data.get("published_at"), changed=not change or form.has_changed()
        )

    def log_change(self, request, obj, message):
        publication = obj.publication
        if publication.outcome is Outcome.UNCHANGED:
            return None
        if publication.replaces_version:
            return self.log_addition(request, obj, [{"added": {}}])
        return super().log_change(request, obj, message)

    def response_change(self, request, obj):
        publication = obj.publication
        if publication.outcome is Outcome.UNCHANGED:
            self.message_user(request, _("Nothing was changed, so no new version was published."), messages.INFO)
            return HttpResponseRedirect(reverse("admin:privacy_privacynotice_changelist"))
        if not publication.replaces_version:
            return super().response_change(request, obj)
        if publication.outcome is Outcome.SCHEDULED:
            message = _("Version %(new)s will be published on %(when)s. Version %(old)s stays as it was.")
        else:
            message = _("Published version %(new)s. Version %(old)s stays as it was, with the bookings that agreed to it.")
        when = timezone.localtime(obj.published_at)
        self.message_user(
            request,
            message % {
                "new": obj.version, "old": publication.replaces_version, "when": date_format(when, "DATETIME_FORMAT"),
            },
            messages.SUCCESS,
        )
        if "_continue" in request.POST:
            return HttpResponseRedirect(reverse("admin:privacy_privacynotice_change", args=[obj.pk]))
        return HttpResponseRedirect(reverse("admin:privacy_privacynotice_changelist"))

    @admin.display(description=_("public page"))
    def public_page(self, notice):
        if notice.is_scheduled:
            return _("Not published yet")
        url = reverse("privacy:notice_version", kwargs={"version": notice.version})
        return format_html('<a href="{}">{}</a>', url, url)

    @admin.display(description=_("shown to patients"))
    def shown_to_patients(self, notice):
        if notice.is_scheduled:
            return _("Scheduled")
        if notice.version == notice.current_version:
            return _("Current version")
        return _("Earlier version")

    @admin.display(description=_("bookings that agreed to it"), ordering="booking_count")
    def bookings_agreed(self, notice):
        return notice.booking_count


class DeadlineFilter(admin.SimpleListFilter):
    title = _("deadline")
    parameter_name = "deadline"

    def lookups(self, request, model_admin):
        return [("overdue", _("Overdue")), ("this_week", _("Due in the next 7 days"))]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        still_open = queryset.filter(status=DataRequest.Status.OPEN)
        if self.value() == "overdue":
            return still_open.filter(answer_by__lt=today)
        if self.value() == "this_week":
            return still_open.filter(answer_by__gte=today, answer_by__lte=today + timedelta(days=7))
        return queryset


@admin.register(DataRequest)
class DataRequestAdmin(admin.ModelAdmin):
    list_display = ["kind", "received_at", "answer_by", "time_left", "status"]
    list_filter = [DeadlineFilter, "status", "kind"]
    search_fields = ["full_name", "email"]
    # "open" sorts after "answered": open requests first, the most urgent at the top.
    ordering = ["-status", "answer_by"]
    actions = ["mark_answered"]

    def front_page_context(self, request):
        """Open data requests on the admin's front page: the law gives 20 working days."""
        if not self.has_view_or_change_permission(request):
            return {}
        counts = DataRequest.objects.filter(status=DataRequest.Status.OPEN).aggregate(
            open=Count("pk"), overdue=Count("pk", filter=Q(answer_by__lt=timezone.localdate()))
        )
        changelist = reverse("admin:privacy_datarequest_changelist", current_app=self.admin_site.name)
        return {
            "data_requests_open": counts["open"],
            "data_requests_overdue": counts["overdue"],
            "data_requests_url": changelist + "?status__exact=open",
        }
    fieldsets = [
        (None, {
            "fields": ["kind", "status", "received_at", "answer_by"],
            "description": _(
                "The law gives 20 working days to answer. Check who is asking before you show, change or "
                "delete anything, for example by asking for an official photo ID. A request that came by "
                "email, phone or at the desk can be added here with the day it arrived."
            ),
        }),
        (_("Who is asking"), {"fields": ["full_name", "email", "phone", "details"]}),
        (_("Answer"), {"fields": ["answered_at", "answered_by", "staff_notes"]}),
    ]
    erasure_fieldset = (
        _("Personal data deleted"), {"fields": ["erased_at", "erased_by", "erasure_summary"]},
    )

    def get_fieldsets(self, request, obj=None):
        if obj is not None and obj.is_erased:
            return [*self.fieldsets, self.erasure_fieldset]
        return self.fieldsets

    def get_readonly_fields(self, request, obj=None):
        # The deadline is counted from the day the request arrived, so that day stays as recorded.
        fixed = ["answer_by", "answered_at", "answered_by"]
        if obj is not None and obj.is_erased:
            # Done and recorded: only the notes on how it was answered can still change.
            return [*fixed, "received_at", "kind", "status", "full_name", "email", "phone", "details",
                    "erased_at", "erased_by", "erasure_summary"]
        return fixed + ["received_at"] if obj else fixed

    @admin.display(description=_("what was deleted"))
    def erasure_summary(self, data_request):
        """Counts and booking references only: nothing about the person."""
        report = data_request.erasure_report
        bookings, deleted = report.get("bookings", []), report.get("deleted_bookings", [])
        history_rows, emails = report.get("history_rows", 0), report.get("emails_not_sent", 0)
        sessions, other_requests = report.get("sessions", 0), report.get("other_requests", 0)
        waitlist_entries = report.get("waitlist_entries", 0)
        parts = [
            ngettext("the details in %(count)d booking", "the details in %(count)d bookings", len(bookings))
            % {"count": len(bookings)} + (f" ({', '.join(bookings)})" if bookings else ""),
        ]
        if deleted:
            parts.append(
                ngettext("%(count)d booking deleted earlier", "%(count)d bookings deleted earlier", len(deleted))
                % {"count": len(deleted)} + f" ({', '.join(deleted)})"
            )
        parts += [
            ngettext("%(count)d history row", "%(count)d history rows", history_rows) % {"count": history_rows},
            ngettext("%(count)d email not sent", "%(count)d emails not sent", emails) % {"count": emails},
            ngettext("%(count)d place on the waitlist", "%(count)d places on the waitlist", waitlist_entries)
            % {"count": waitlist_entries},
            ngettext(
                "%(count)d website visit still holding their details",
                "%(count)d website visits still holding their details",
                sessions,
            ) % {"count": sessions},
            ngettext(
                "%(count)d other data request from them", "%(count)d other data requests from them", other_requests
            ) % {"count": other_requests},
            str(_("this request's name, email, phone and details")),
        ]
        return "; ".join(parts) + "."

    def save_model(self, request, obj, form, change):
        if "status" in form.changed_data:
            if obj.status == DataRequest.Status.ANSWERED:
                obj.mark_answered(by=request.user)
            else:
                obj.reopen()
        super().save_model(request, obj, form, change)

    @admin.display(description=_("time left"), ordering="answer_by")
    def time_left(self, data_request):
        if data_request.status == DataRequest.Status.ANSWERED:
            return _("Answered")
        days = (data_request.answer_by - timezone.localdate()).days
        if days < 0:
            overdue = ngettext("Overdue by %(days)d day", "Overdue by %(days)d days", -days) % {"days": -days}
            return format_html("<strong>{}</strong>", overdue)
        if days == 0:
            return format_html("<strong>{}</strong>", _("Due today"))
        return ngettext("%(days)d day left", "%(days)d days left", days) % {"days": days}

    @admin.action(description=_("Mark selected requests as answered"), permissions=["change"])
    def mark_answered(self, request, queryset):
        still_open = list(queryset.filter(status=DataRequest.Status.OPEN))
        for data_request in still_open:
            data_request.mark_answered(by=request.user)
            data_request.save(update_fields=["status", "answered_at", "answered_by"])
            self.log_change(request, data_request, _("Marked as answered."))
        self.message_user(
            request,
            ngettext("Marked %(count)d request as answered.", "Marked %(count)d requests as answered.", len(still_open))
            % {"count": len(still_open)},
            messages.SUCCESS,
        )


@admin.register(ClinicNotice)
class ClinicNoticeAdmin(DeliveryAdmin):
    list_display = ["data_request_link", "state", "attempts", "last_error", "created_at", "sent_at"]
    list_select_related = ["data_request"]
    fields = ["data_request_link", *DeliveryAdmin.delivery_fields]

    @admin.display(description=_("data request"))
    def data_request_link(self, notice):
        url = reverse("admin:privacy_datarequest_change", args=[notice.data_request_id], current_app=self.admin_site.name)
        return format_html('<a href="{}">{}</a>', url, notice.data_request)
