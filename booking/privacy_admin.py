"""Admin for the privacy notice and for patients' data requests (ARCO rights)."""

from django.contrib import admin

from .models import PrivacyNotice


@admin.register(PrivacyNotice)
class PrivacyNoticeAdmin(admin.ModelAdmin):
    list_display = ["version", "title", "published_at"]
    readonly_fields = []

    def get_readonly_fields(self, request, obj=None):
        # A version patients agreed to is never rewritten: publish a new version instead.
        return ["version", "title", "body", "published_at"] if obj and obj.bookings.exists() else []
