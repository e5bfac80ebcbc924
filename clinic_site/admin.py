"""The clinic's admin site: the stock one, with what needs doing today on its front page,
and behind a second factor for staff (staff_access) while STAFF_REQUIRE_2FA is on."""

from functools import update_wrapper

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.urls import path, reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from clinic_site.launch_checklist import missing as missing_before_launch
from staff_access import views as second_factor_views
from staff_access.second_factor import awaits_second_factor, is_required, is_verified


class ClinicAdminSite(admin.AdminSite):
    def has_permission(self, request):
        """Active staff, and, while the clinic requires it, a session that has given its second factor."""
        return super().has_permission(request) and (not is_required() or is_verified(request.user))

    def admin_view(self, view, cacheable=False):
        """Every admin page (the site's own and every ModelAdmin's) sends staff who owe a code to give it first."""
        admin_page = super().admin_view(view, cacheable)

        def inner(request, *args, **kwargs):
            if awaits_second_factor(request.user):
                return self.second_factor_first(request, request.get_full_path())
            return admin_page(request, *args, **kwargs)

        return update_wrapper(inner, admin_page)

    def second_factor_first(self, request, going_to):
        response = redirect_to_login(going_to, reverse("admin:second_factor", current_app=self.name))
        add_never_cache_headers(response)
        return response

    def login(self, request, extra_context=None):
        """Signed in with the password but owing a code: on to the code, not back to this form."""
        if request.method == "GET" and awaits_second_factor(request.user):
            return self.second_factor_first(request, request.GET.get("next", ""))
        return super().login(request, extra_context)

    def get_urls(self):
        # The stock sign-out runs through admin_view, which would turn back
        # staff who have not given their code yet; here it is open, as login is.
        urls = [url for url in super().get_urls() if getattr(url, "name", None) != "logout"]
        return [
            path("logout/", self.logout, name="logout"),
            path("second-factor/", self.before_second_factor(second_factor_views.enter_code), name="second_factor"),
            path(
                "second-factor/set-up/",
                self.before_second_factor(second_factor_views.set_up),
                name="set_up_second_factor",
            ),
            path("second-factor/recovery-codes/", self.admin_view(self.recovery_codes), name="recovery_codes"),
            *urls,
        ]

    def before_second_factor(self, view):
        """A page between the password and the admin: for signed-in staff, verified or not."""

        def inner(request):
            if not (request.user.is_active and request.user.is_staff):
                return redirect_to_login(request.get_full_path(), reverse("admin:login", current_app=self.name))
            request.current_app = self.name
            # Nothing of the admin (its apps, its recent actions) before the code.
            context = {**self.each_context(request), "available_apps": [], "log_entries": [], "is_nav_sidebar_enabled": False}
            return view(request, context)

        return update_wrapper(csrf_protect(never_cache(inner)), view)

    def recovery_codes(self, request):
        request.current_app = self.name
        return second_factor_views.recovery_codes(request, self.each_context(request))

    def get_app_list(self, request, app_label=None):
        """The clinic's details sit with the rest of the site's content, though their model is the shared core's."""
        app_list = super().get_app_list(request, app_label)
        apps = {app["app_label"]: app for app in app_list}
        if "clinic" in apps and "conditions" in apps:
            content = apps["conditions"]
            content["models"] = sorted(apps["clinic"]["models"] + content["models"], key=lambda model: model["name"])
            app_list.remove(apps["clinic"])
        return app_list

    def index(self, request, extra_context=None):
        """The front page, plus whatever each model's admin puts there (e.g. requests waiting to be confirmed)."""
        context = {"launch_checklist": missing_before_launch(request, self.name)}
        for model_admin in self._registry.values():
            front_page_context = getattr(model_admin, "front_page_context", None)
            if front_page_context:
                context.update(front_page_context(request))
        return super().index(request, {**context, **(extra_context or {})})
