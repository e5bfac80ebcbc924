"""The clinic's admin site: the stock one, with what needs doing today on its front page."""

from django.contrib import admin


class ClinicAdminSite(admin.AdminSite):
    def index(self, request, extra_context=None):
        """The front page, plus whatever each model's admin puts there (e.g. requests waiting to be confirmed)."""
        context = {}
        for model_admin in self._registry.values():
            front_page_context = getattr(model_admin, "front_page_context", None)
            if front_page_context:
                context.update(front_page_context(request))
        return super().index(request, {**context, **(extra_context or {})})
