"""Staff groups and exactly the permissions each job needs.

"Clinic editors" edit the site's content; "Reception" runs the bookings.
Neither can touch users, groups or the booking rules. A person can be in
both; the clinic's owner is a superuser and can do everything.
"""

from django.contrib.auth.models import Group, Permission

CLINIC_EDITORS = "Clinic editors"
RECEPTION = "Reception"

ALL = ("view", "add", "change", "delete")
EDIT_ONLY = ("view", "change")
READ_ONLY = ("view",)

# group -> app label -> model -> actions.
STAFF_GROUPS = {
    CLINIC_EDITORS: {
        "clinic": {"clinic": EDIT_ONLY, "picture": ALL},
        "conditions": {
            "servicepage": EDIT_ONLY,
            "condition": ALL,
            "stage": ALL,
            "patientkind": ALL,
            "page": ALL,
            "patientstory": ALL,
        },
        # Profiles only: adding someone, and whether they take bookings, is the owner's (team/admin.py).
        "team": {"practitioner": EDIT_ONLY},
        "faq": {
            "questiongroup": ALL,
            "question": ALL,
            "featuredquestion": ALL,
        },
    },
    RECEPTION: {
        "booking": {
            # Bookings are never deleted: cancelled, declined or, in time, anonymised.
            "booking": ("view", "add", "change"),
            "historicalbooking": READ_ONLY,
            # Change is only "send again" for an email that failed for good: nothing in an email is typed.
            "outgoingemail": EDIT_ONLY,
            "closure": ALL,
            "openinghours": READ_ONLY,
            "bookingsettings": READ_ONLY,
            "waitlistentry": READ_ONLY, "waitlistemail": READ_ONLY,  # who waits for which days, and what was sent
        },
        "privacy": {
            "privacynotice": READ_ONLY,
            # Requests also come by phone, email or at the desk. None is deleted: it is answered, and a
            # request to delete data clears its own details with the rest.
            "datarequest": ("view", "add", "change"),
            "clinicnotice": EDIT_ONLY,
        },
        "clinic": {"clinic": READ_ONLY},
        "team": {"practitioner": READ_ONLY},
        "conditions": {"condition": READ_ONLY},
    },
}


def group_permission_codenames(group_name):
    return {
        (app_label, f"{action}_{model}")
        for app_label, models in STAFF_GROUPS[group_name].items()
        for model, actions in models.items()
        for action in actions
    }


def create_staff_groups(**kwargs):
    """Build each group once every permission it needs exists (after the last app's migrate)."""
    for group_name, apps in STAFF_GROUPS.items():
        wanted = group_permission_codenames(group_name)
        permissions = [
            permission
            for permission in Permission.objects.filter(content_type__app_label__in=apps).select_related("content_type")
            if (permission.content_type.app_label, permission.codename) in wanted
        ]
        if len(permissions) < len(wanted):
            continue  # not every app has migrated yet; a later post_migrate finishes the job
        group, _created = Group.objects.get_or_create(name=group_name)
        group.permissions.set(permissions)
