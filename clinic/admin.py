from django import forms
from django.contrib import admin, messages
from django.db import models
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin

from .admin_translation import SpanishHintsMixin, english_name, spanish_name
from .models import Clinic, Picture
from .pictures import PictureFileField, shown


@admin.register(Clinic)
class ClinicAdmin(SpanishHintsMixin, TranslationAdmin):
    # A map link typed without a scheme is an https one.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (None, {"fields": ["name", "description", "assessment_price"]}),
        (_("Address"), {"fields": ["street_address", "neighbourhood", "postal_code", "city", "region", "country_code", "map_url"]}),
        (_("Contact"), {"fields": ["phone", "whatsapp", "email"]}),
        (_("Legal details"), {
            "fields": ["legal_name", "legal_address", "advertising_notice", ("health_officer", "health_officer_cedula")],
            "description": _("Mexican rules for health advertising ask for the COFEPRIS notice and the responsable "
                             "sanitario in the footer; the privacy notice names the legal name and domicile, or "
                             "the clinic's name and address while these are empty."),
        }),
        (_("Visiting us"), {
            "fields": ["first_assessment", "follow_up_price", "usual_sessions", "payment", "invoices",
                       "getting_there", "parking", "cancellation_policy"],
            "description": _("The practical answers on the home page. Each is shown only when filled in."),
        }),
    ]

    def has_add_permission(self, request):
        # One clinic: its details are edited, never added twice.
        return not Clinic.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False


class DeliveryStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"
    FAILED, WAITING, SENT = "failed", "waiting", "sent"

    def lookups(self, request, model_admin):
        return [(self.FAILED, _("Failed for good")), (self.WAITING, _("Not sent yet")), (self.SENT, _("Sent"))]

    def queryset(self, request, queryset):
        if self.value() == self.FAILED:
            return queryset.failed()
        if self.value() == self.WAITING:
            return queryset.pending()
        if self.value() == self.SENT:
            return queryset.filter(sent_at__isnull=False)
        return queryset


class DeliveryAdmin(admin.ModelAdmin):
    """Emails on their way out (clinic.outbox): what became of each, and "send again" for those that failed for good.

    Nothing here can be typed into: the email is built from its booking or
    request when it goes out, and the only thing staff do is send it again.
    """

    list_filter = [DeliveryStateFilter]
    date_hierarchy = "created_at"
    actions = ["send_again"]
    delivery_fields = ["state", "created_at", "attempts", "last_error", "next_attempt_at", "sent_at", "failed_at"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [field for field in self.get_fields(request, obj)]

    @admin.display(description=_("state"))
    def state(self, delivery):
        return delivery.state

    @admin.action(description=_("Send again"), permissions=["change"])
    def send_again(self, request, queryset):
        failed = list(queryset.failed())
        for delivery in failed:
            delivery.send_again()
        if failed:
            self.message_user(
                request,
                ngettext("%(count)d email queued to be sent again.", "%(count)d emails queued to be sent again.",
                         len(failed)) % {"count": len(failed)},
                messages.SUCCESS,
            )
        skipped = queryset.count() - len(failed)
        if skipped:
            self.message_user(
                request,
                ngettext("%(count)d email had not failed and was left as it was.",
                         "%(count)d emails had not failed and were left as they were.", skipped) % {"count": skipped},
                messages.WARNING,
            )

    def front_page_context(self, request):
        """Emails that failed for good, on the admin's front page, for staff who can send them again."""
        if not self.has_change_permission(request):
            return {}
        opts = self.model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist", current_app=self.admin_site.name)
        return {
            f"{opts.model_name}_failed": self.model.objects.failed().count(),
            f"{opts.model_name}_failed_url": f"{changelist}?{DeliveryStateFilter.parameter_name}={DeliveryStateFilter.FAILED}",
        }


def picture_preview(picture, width=240):
    """A small copy of `picture` for the admin, e.g. beside a photo chosen on another page; "—" when there is none."""
    if picture is None or not picture.image:
        return "—"
    return format_html(
        '<img class="picture-preview" src="{}" width="{}" height="{}" alt="{}">',
        shown(picture).src, width, round(width * picture.height / picture.width) if picture.width else width,
        picture.alt_text if not picture.is_decorative else "",
    )


class PictureAdminForm(forms.ModelForm):
    """The upload is checked and cleaned (clinic.pictures); alt text in both languages unless the photo is decorative."""

    image = PictureFileField(
        label=_("image"), help_text=Picture._meta.get_field("image").help_text, widget=forms.ClearableFileInput,
    )

    class Meta:
        model = Picture
        fields = "__all__"

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("is_decorative"):
            return cleaned
        for name in (english_name("alt_text"), spanish_name("alt_text")):
            if name in self.fields and not (cleaned.get(name) or "").strip():
                self.add_error(name, forms.ValidationError(
                    _("Describe what the photo shows, or tick “decorative” if it adds nothing a reader would miss."),
                    code="alt_text_required",
                ))
        return cleaned


@admin.register(Picture)
class PictureAdmin(SpanishHintsMixin, TranslationAdmin):
    form = PictureAdminForm
    list_display = ["thumbnail", "__str__", "in_gallery", "position", "is_decorative", "size", "created_at"]
    list_display_links = ["thumbnail", "__str__"]
    list_editable = ["in_gallery", "position"]
    list_filter = ["in_gallery", "is_decorative"]
    search_fields = ["alt_text_en", "alt_text_es", "caption_en", "caption_es"]
    readonly_fields = ["preview", "size"]
    fieldsets = [
        (None, {"fields": ["image", "preview", "size"]}),
        (_("For people who cannot see it"), {
            "fields": ["alt_text", "is_decorative"],
            "description": _("Screen readers read the alt text aloud instead of the photo, in the page's language."),
        }),
        (_("Caption"), {"fields": ["caption"]}),
        (_("Focal point"), {
            "fields": [("focal_x", "focal_y")],
            "description": _("Where a cropped copy (a square team photo, a gallery tile) keeps its centre. "
                             "50 and 50 is the middle."),
        }),
        (_("The clinic's gallery"), {"fields": ["in_gallery", "position"]}),
    ]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Saving makes the renditions (clinic.pictures.after_save); when the storage failed, the photo is kept.
        if getattr(obj, "renditions_failed", False):
            self.message_user(request, _(
                "The photo is saved, but its copies for the pages could not be made just now, so it may not show "
                "on the site yet. “python manage.py make_picture_renditions” makes them, and runs on every deploy; "
                "ask whoever looks after the site to run it if the photo still does not show."
            ), messages.WARNING)

    @admin.display(description=_("photo"))
    def thumbnail(self, picture):
        return picture_preview(picture, width=96)

    @admin.display(description=_("preview"))
    def preview(self, picture):
        return picture_preview(picture, width=360)

    @admin.display(description=_("size in pixels"))
    def size(self, picture):
        return f"{picture.width} × {picture.height}" if picture.pk else "—"
