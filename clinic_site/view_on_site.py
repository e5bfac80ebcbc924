"""The admin's "view on site" shortcut (/admin/r/<content type>/<id>/), made safe for patients' data.

Django's own shortcut redirects any staff user to an object's
get_absolute_url(). Bookings have no public address (their only page is the
patient's private link), so here the shortcut opens an object only for staff
allowed to see that kind of object: a public page for content that has one,
the admin's own page for anything else.
"""

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.http import Http404
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse


def view_on_site(request, content_type_id, object_id):
    try:
        content_type = ContentType.objects.get_for_id(content_type_id)
    except ContentType.DoesNotExist:
        raise Http404
    model = content_type.model_class()
    model_admin = admin.site._registry.get(model)
    if model is None or model_admin is None or not model_admin.has_view_or_change_permission(request):
        raise Http404  # the same answer whether or not the object exists
    if hasattr(model, "get_absolute_url"):
        return shortcut(request, content_type_id, object_id)
    if not model._default_manager.filter(pk=object_id).exists():
        raise Http404
    try:
        url = reverse(
            f"{admin.site.name}:{content_type.app_label}_{content_type.model}_change",
            args=[object_id],
            current_app=admin.site.name,
        )
    except NoReverseMatch:
        raise Http404
    return redirect(url)
