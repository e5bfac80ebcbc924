"""Publishing the privacy notice: every version patients can have seen stays as it was."""

import enum
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import PrivacyNotice

# The texts a correction of a scheduled version replaces, in both languages (modeltranslation's fields).
NOTICE_TEXTS = ["title_en", "title_es", "body_en", "body_es"]


class Outcome(enum.Enum):
    UNCHANGED = "unchanged"  # nothing was saved
    CORRECTED = "corrected"  # a scheduled version, changed in place
    PUBLISHED = "published"  # a new version, shown from now
    SCHEDULED = "scheduled"  # a new version, shown from its date


@dataclass(frozen=True)
class Publication:
    """What publishing did, to the notice given: the version it is now, and the one it replaced."""

    outcome: Outcome
    notice: PrivacyNotice
    replaces_version: int | None = None  # set when an edit of a version became the next version


def publish_notice(notice, publish_at=None, *, changed=True):
    """Save `notice`, a new text or an edit of the latest version, to be shown from `publish_at` (default now).

    A version nobody can have seen yet (scheduled) is corrected in place; any
    other edit becomes the next version, and `notice` is then that new row. An
    edit with nothing `changed` saves nothing.
    """
    notice.published_at = publish_at or timezone.now()
    if notice.pk is not None and not changed:
        return Publication(Outcome.UNCHANGED, notice)
    replaces_version = None
    if notice.pk is not None:
        # The condition is checked by the database, so a version published meanwhile is not corrected.
        corrected = PrivacyNotice.objects.filter(pk=notice.pk, published_at__gt=timezone.now()).update(
            published_at=notice.published_at, **{field: getattr(notice, field) for field in NOTICE_TEXTS}
        )
        if corrected:
            return Publication(Outcome.CORRECTED, notice)
        replaces_version = notice.version
    _save_as_next_version(notice)
    outcome = Outcome.SCHEDULED if notice.is_scheduled else Outcome.PUBLISHED
    return Publication(outcome, notice, replaces_version)


def _save_as_next_version(notice):
    # Two people publishing at once both pick the same number; the unique version lets one through.
    for attempt in range(3):
        notice.pk = None
        notice._state.adding = True
        notice.version = PrivacyNotice.objects.latest_version() + 1
        try:
            with transaction.atomic():
                notice.save(force_insert=True)
            return
        except IntegrityError:
            if attempt == 2:
                raise
