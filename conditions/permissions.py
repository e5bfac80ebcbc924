"""The "Clinic editors" group: what a receptionist needs to edit the site's content."""

from django.contrib.auth.models import Group, Permission

CLINIC_EDITORS = "Clinic editors"

ALL = ("view", "add", "change", "delete")
EDIT_ONLY = ("view", "change")

# app label -> model -> actions. Nothing here touches users, groups or bookings.
EDITOR_PERMISSIONS = {
    "conditions": {
        "clinic": EDIT_ONLY,
        "servicepage": EDIT_ONLY,
        "condition": ALL,
        "stage": ALL,
        "patientkind": ALL,
        "page": ALL,
    },
    "faq": {
        "questiongroup": ALL,
        "question": ALL,
        "featuredquestion": ALL,
    },
}


def editor_permission_codenames():
    return {
        (app_label, f"{action}_{model}")
        for app_label, models in EDITOR_PERMISSIONS.items()
        for model, actions in models.items()
        for action in actions
    }


def create_clinic_editors_group(**kwargs):
    wanted = editor_permission_codenames()
    permissions = [
        permission
        for permission in Permission.objects.filter(
            content_type__app_label__in=EDITOR_PERMISSIONS
        ).select_related("content_type")
        if (permission.content_type.app_label, permission.codename) in wanted
    ]
    if len(permissions) < len(wanted):
        return  # not every app has migrated yet; the last post_migrate finishes the job
    group, _created = Group.objects.get_or_create(name=CLINIC_EDITORS)
    group.permissions.set(permissions)
