"""The clinic's privacy notice, in every version patients agreed to, and patients' requests about their data."""

from datetime import timedelta
from typing import NamedTuple

from django.conf import settings
from django.db import models
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from clinic.outbox import Delivery, DeliveryQuerySet
from clinic.text import paragraphs

HEADING_MARK = "## "


class NoticeSection(NamedTuple):
    heading: str
    anchor: str
    paragraphs: list


# The notice page's own ids (templates/privacy/notice.html), which no heading of the notice may take.
PAGE_ANCHORS = {"contents-heading", "responsible", "your-data"}


def unique_anchor(heading, sections):
    base = slugify(heading) or "section"
    taken = PAGE_ANCHORS | {section.anchor for section in sections}
    anchor, number = base, 2
    while anchor in taken:
        anchor, number = f"{base}-{number}", number + 1
    return anchor


class PrivacyNoticeQuerySet(models.QuerySet):
    def published(self):
        """The versions patients can have been shown: none whose publishing time is still to come."""
        return self.filter(published_at__lte=timezone.now())

    def latest_version(self):
        """The highest version number, published or scheduled; 0 when there is none."""
        return self.aggregate(latest=Max("version"))["latest"] or 0


class PrivacyNotice(models.Model):
    """The privacy notice ("aviso de privacidad"). Each version is kept: bookings point to the one shown."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(
        _("text"),
        help_text=_("Separate paragraphs with a blank line. Start a paragraph with “## ” to make it a heading, "
                    "e.g. “## What we collect”. The responsible party and its domicile come from Clinic details."),
    )
    published_at = models.DateTimeField(_("published"), default=timezone.now)

    objects = PrivacyNoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("privacy notice")
        verbose_name_plural = _("privacy notices")
        ordering = ["-version"]
        get_latest_by = "version"

    def __str__(self):
        return f"{self.title} (v{self.version})"

    def get_absolute_url(self):
        return reverse("privacy:notice")

    @classmethod
    def current(cls):
        """The version shown to patients now."""
        return cls.objects.published().order_by("-version").first()

    @property
    def is_scheduled(self):
        """Whether this version is still to be published, so nobody can have agreed to it yet."""
        # An admin form that failed validation may have emptied published_at on the instance.
        return self.published_at is not None and self.published_at > timezone.now()

    @property
    def paragraphs(self):
        return paragraphs(self.body)

    @property
    def introduction(self):
        """The paragraphs before the first heading."""
        return self.sections[0].paragraphs if self.sections and not self.sections[0].heading else []

    @property
    def headed_sections(self):
        return [section for section in self.sections if section.heading]

    @property
    def sections(self):
        """The text as NoticeSection(heading, anchor, paragraphs): a paragraph starting "## " opens a section."""
        sections = []
        for paragraph in paragraphs(self.body):
            if paragraph.startswith(HEADING_MARK):
                heading = paragraph.removeprefix(HEADING_MARK).strip()
                sections.append(NoticeSection(heading, unique_anchor(heading, sections), []))
            elif sections:
                sections[-1].paragraphs.append(paragraph)
            else:
                sections.append(NoticeSection("", "", [paragraph]))
        return sections


def working_days_after(day, count):
    """The date `count` working days (Monday to Friday) after `day`."""
    while count:
        day += timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


class DataRequest(models.Model):
    """A patient's request to see, correct or delete their data, or to object to its use (ARCO rights)."""

    # The law gives 20 working days to answer.
    ANSWER_WITHIN_WORKING_DAYS = 20

    class Kind(models.TextChoices):
        ACCESS = "access", _("See the data the clinic holds about me")
        RECTIFICATION = "rectification", _("Correct my data")
        CANCELLATION = "cancellation", _("Delete my data")
        OPPOSITION = "opposition", _("Stop using my data for a purpose")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ANSWERED = "answered", _("Answered")

    kind = models.CharField(_("request"), max_length=16, choices=Kind.choices)
    full_name = models.CharField(_("full name"), max_length=120)
    email = models.EmailField(_("email"), max_length=254)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    details = models.TextField(_("details"), max_length=2000, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    answer_by = models.DateField(_("answer by"), editable=False)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("answered by"),
    )
    staff_notes = models.TextField(
        _("notes for staff"), blank=True,
        help_text=_("How the request was answered. Write nothing here about the person: a deletion keeps these notes."),
    )
    erased_at = models.DateTimeField(_("personal data deleted"), null=True, blank=True, editable=False)
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("personal data deleted by"), editable=False,
    )
    # What the deletion removed, as counts and booking references: nothing about the person.
    erasure_report = models.JSONField(_("what was deleted"), default=dict, blank=True, editable=False)

    class Meta:
        verbose_name = _("data request (ARCO)")
        verbose_name_plural = _("data requests (ARCO)")
        ordering = ["status", "answer_by"]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.received_at:%Y-%m-%d}"

    @property
    def asks_for_deletion(self):
        return self.kind == self.Kind.CANCELLATION

    @property
    def is_erased(self):
        return self.erased_at is not None

    def mark_answered(self, by):
        """Record that `by` answered the request, now. The caller saves it."""
        self.status = self.Status.ANSWERED
        self.answered_at = timezone.now()
        self.answered_by = by

    def reopen(self):
        """Open the request again, forgetting when and by whom it was answered. The caller saves it."""
        self.status = self.Status.OPEN
        self.answered_at = None
        self.answered_by = None

    def save(self, *args, **kwargs):
        if not self.answer_by:
            received = timezone.localtime(self.received_at).date()
            self.answer_by = working_days_after(received, self.ANSWER_WITHIN_WORKING_DAYS)
        super().save(*args, **kwargs)


class ClinicNoticeQuerySet(DeliveryQuerySet):
    def pending(self):
        """A request answered before its notice went out needs no notice."""
        return super().pending().filter(data_request__status=DataRequest.Status.OPEN)


class ClinicNotice(Delivery):
    """The email telling the clinic a data request has arrived: its kind, deadline and admin link, nothing about the person."""

    data_request = models.OneToOneField(
        DataRequest, on_delete=models.CASCADE, related_name="clinic_notice", verbose_name=_("data request")
    )

    objects = ClinicNoticeQuerySet.as_manager()

    message_id_label = "data-request"
    task_path = "privacy.tasks.notify_clinic_of_data_request"

    class Meta:
        verbose_name = _("notice to the clinic")
        verbose_name_plural = _("notices to the clinic")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return str(self.data_request)
