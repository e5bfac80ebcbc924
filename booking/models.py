"""Bookings of a first assessment, and the clinic's rules for open times."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField
from simple_history.models import HistoricalRecords

from clinic.clock import clinic_hours
from clinic.models import SingletonModel
from clinic.outbox import Delivery, DeliveryQuerySet
from conditions.models import Condition, PatientReason
from privacy.models import PrivacyNotice
from team.models import Practitioner


class BookingSettings(SingletonModel):
    """The clinic's booking rules: one row, edited in the admin."""

    assessment_minutes = models.PositiveSmallIntegerField(
        _("assessment length (minutes)"), default=60, help_text=_("How long a first assessment takes.")
    )
    minimum_notice_hours = models.PositiveSmallIntegerField(
        _("minimum notice (hours)"), default=12, help_text=_("How long before a time it stops being bookable online.")
    )
    horizon_days = models.PositiveSmallIntegerField(
        _("book up to (days ahead)"), default=28, help_text=_("How far ahead patients can book.")
    )
    cancellation_cutoff_hours = models.PositiveSmallIntegerField(
        _("online cancellation cut-off (hours)"),
        default=24,
        help_text=_("Closer to the time than this, patients are asked to call or message to cancel."),
    )
    reminder_lead_hours = models.PositiveSmallIntegerField(
        _("reminder (hours before)"), default=24, help_text=_("When confirmed patients are reminded of their assessment.")
    )
    retention_months = models.PositiveSmallIntegerField(
        _("keep patients' details for (months)"),
        default=24,
        help_text=_("After this long past the assessment, names, contact details and notes are removed."),
    )
    review_requests = models.BooleanField(
        _("review online bookings before confirming"),
        default=False,
        help_text=_(
            "Off: a patient booking an open time online is booked there and then. On: they send a request, "
            "and the clinic confirms it by the time below."
        ),
    )
    review_within_hours = models.PositiveSmallIntegerField(
        _("confirm requests within (opening hours)"),
        default=4,
        help_text=_("When reviewing requests: how many of the clinic's opening hours patients are promised an answer in."),
    )
    max_future_bookings = models.PositiveSmallIntegerField(
        _("future first assessments one person may hold"),
        default=2,
        validators=[MinValueValidator(1)],
        help_text=_(
            "Online, one phone or email can hold at most this many future first assessments at once; "
            "one internet connection, shared by a family or a mobile network, three times as many."
        ),
    )
    notification_email = models.EmailField(
        _("send new requests to"),
        blank=True,
        help_text=_("Where the clinic is told of each new request. Leave empty to use the clinic's email."),
    )
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta(SingletonModel.Meta):
        verbose_name = _("booking settings")
        verbose_name_plural = _("booking settings")
        constraints = [
            *SingletonModel.Meta.constraints,
            models.CheckConstraint(condition=Q(assessment_minutes__gte=5), name="assessment_at_least_five_minutes"),
            models.CheckConstraint(condition=Q(horizon_days__gte=1), name="booking_horizon_at_least_a_day"),
        ]

    def __str__(self):
        return str(_("Booking settings"))

    @property
    def assessment_length(self):
        return timedelta(minutes=self.assessment_minutes)


class OpeningHours(models.Model):
    class Weekday(models.IntegerChoices):
        MONDAY = 0, pgettext_lazy("weekday", "Monday")
        TUESDAY = 1, pgettext_lazy("weekday", "Tuesday")
        WEDNESDAY = 2, pgettext_lazy("weekday", "Wednesday")
        THURSDAY = 3, pgettext_lazy("weekday", "Thursday")
        FRIDAY = 4, pgettext_lazy("weekday", "Friday")
        SATURDAY = 5, pgettext_lazy("weekday", "Saturday")
        SUNDAY = 6, pgettext_lazy("weekday", "Sunday")

    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"), help_text=_("Clinic time (Tijuana)."))
    closes = models.TimeField(_("closes"), help_text=_("The last assessment ends by this time."))

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["weekday", "opens"]
        constraints = [
            models.CheckConstraint(condition=Q(closes__gt=F("opens")), name="opening_hours_close_after_open"),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"

    @classmethod
    def week(cls):
        """The week as (days, ranges) rows, days with the same hours run together.

        E.g. [("Monday to Friday", "8:00 am–1:00 pm, 3:00 pm–8:00 pm"), ("Saturday", "9:00 am–1:00 pm")].
        """
        def days(first, last):
            if first == last:
                return cls.Weekday(first).label
            last_label = str(cls.Weekday(last).label)
            if get_language() == "es":
                last_label = last_label.lower()  # "Lunes a viernes": a weekday inside a phrase is lowercase in Spanish
            return pgettext("weekdays", "%(first)s to %(last)s") % {"first": cls.Weekday(first).label, "last": last_label}

        ranges = {day: [] for day in cls.Weekday}
        for opening in cls.objects.all():
            ranges[cls.Weekday(opening.weekday)].append(clinic_hours(opening.opens, opening.closes))
        rows = []
        for day, day_ranges in ranges.items():
            hours = ", ".join(day_ranges)
            if rows and rows[-1]["hours"] == hours and rows[-1]["last"] == day - 1:
                rows[-1]["last"] = day
            else:
                rows.append({"first": day, "last": day, "hours": hours})
        return [
            (days(row["first"], row["last"]), row["hours"])
            for row in rows
            if row["hours"]
        ]

    def clean(self):
        if self.opens and self.closes and self.closes <= self.opens:
            raise ValidationError({"closes": _("Closing time must be after opening time.")})


class Closure(models.Model):
    """Days the clinic is closed: holidays, training days, leave."""

    first_day = models.DateField(_("first day"))
    last_day = models.DateField(_("last day"), help_text=_("The same as the first day for a single day."))
    reason = models.CharField(_("reason"), max_length=120, blank=True, help_text=_("For staff; not shown to patients."))
    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.CASCADE, null=True, blank=True, related_name="closures",
        verbose_name=_("practitioner"),
        help_text=_("Leave empty when the whole clinic is closed; choose someone for their leave."),
    )

    class Meta:
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        ordering = ["first_day"]
        constraints = [
            models.CheckConstraint(condition=Q(last_day__gte=F("first_day")), name="closure_ends_after_it_starts"),
        ]

    def __str__(self):
        if self.first_day == self.last_day:
            return f"{self.first_day:%Y-%m-%d} {self.reason}".strip()
        return f"{self.first_day:%Y-%m-%d} – {self.last_day:%Y-%m-%d} {self.reason}".strip()

    def clean(self):
        if self.first_day and self.last_day and self.last_day < self.first_day:
            raise ValidationError({"last_day": _("The last day cannot be before the first day.")})


class InvalidTransition(Exception):
    """A status change the booking's current status does not allow."""


def new_token():
    return secrets.token_urlsafe(32)


def likely_condition(reason):
    """The published condition a patient's answer points to, when exactly one does; else None.

    "Knee" fits three conditions, so it names none: staff see the patient's
    words and decide. "Heel or foot" fits one, and staff see it as likely.
    """
    if not reason:
        return None
    matches = list(Condition.objects.published().filter(patient_reason=reason)[:2])
    return matches[0] if len(matches) == 1 else None


# No 0/O, 1/I/L: a reference read out over the phone is never misheard.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_reference():
    return "RTR-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(5))


class BookingQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status__in=Booking.ACTIVE)

    def overlapping(self, starts_at, ends_at):
        return self.filter(starts_at__lt=ends_at, ends_at__gt=starts_at)


class BookingStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    CONFIRMED = "confirmed", _("Confirmed")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")
    ATTENDED = "attended", _("Attended")
    NO_SHOW = "no_show", _("Did not attend")


# The statuses that hold a practitioner's time. Outside the class, so that the
# database's guard against double booking (Booking.Meta) reads the same list.
ACTIVE_STATUSES = [BookingStatus.REQUESTED, BookingStatus.CONFIRMED]


class Booking(models.Model):
    Status = BookingStatus
    ACTIVE = ACTIVE_STATUSES
    # Where each status may go next; anything else is refused.
    TRANSITIONS = {
        # A request nobody confirmed before its time: say whether they came, or close it (cancel).
        Status.REQUESTED: {Status.CONFIRMED, Status.DECLINED, Status.CANCELLED, Status.ATTENDED, Status.NO_SHOW},
        Status.CONFIRMED: {Status.CANCELLED, Status.ATTENDED, Status.NO_SHOW},
        # A mistake at the desk can be put right the same day.
        Status.ATTENDED: {Status.NO_SHOW},
        Status.NO_SHOW: {Status.ATTENDED},
    }
    # Whether the patient came can only be known once the assessment has started.
    AFTER_THE_START = {Status.ATTENDED, Status.NO_SHOW}

    class Consent(models.TextChoices):
        ONLINE = "online", _("Ticked by the patient online")
        PHONE = "phone", _("Given by phone or at the desk, recorded by staff")

    class Source(models.TextChoices):
        ONLINE = "online", _("Online")
        PHONE = "phone", _("Phone or desk")

    class CancelledBy(models.TextChoices):
        PATIENT = "patient", _("The patient")
        CLINIC = "clinic", _("The clinic")

    reference = models.CharField(_("reference"), max_length=12, unique=True, default=new_reference, editable=False)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("practitioner")
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.REQUESTED)
    source = models.CharField(_("booked"), max_length=8, choices=Source.choices, default=Source.ONLINE)
    price = models.DecimalField(_("price (MXN)"), max_digits=8, decimal_places=2)

    patient_name = models.CharField(_("full name"), max_length=120)
    phone = PhoneNumberField(_("mobile phone"))
    # Empty for a patient booked at the desk who has no email: they are told by WhatsApp or phone.
    email = models.EmailField(_("email"), max_length=254, blank=True)
    reason = models.CharField(
        _("why they come"), max_length=16, choices=PatientReason.choices, blank=True,
        help_text=_("The patient's own answer: where it hurts, or what brings them."),
    )
    condition = models.ForeignKey(
        Condition,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="bookings",
        verbose_name=_("likely condition"),
        help_text=_("The condition the patient's answer points to, when only one does. Staff may set it."),
    )
    note = models.TextField(_("note"), blank=True, max_length=1000)
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="en",
        help_text=_("The language of the patient's emails, reminder and calendar file: the one they booked in."),
    )

    consent_given_at = models.DateTimeField(_("consent to health data given"))
    consent_method = models.CharField(_("consent given"), max_length=8, choices=Consent.choices, default=Consent.ONLINE)
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("consent recorded by"),
    )
    privacy_notice = models.ForeignKey(
        PrivacyNotice, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("privacy notice agreed to")
    )

    decline_reason = models.CharField(_("reason given to the patient"), max_length=300, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True, editable=False)
    cancelled_by = models.CharField(_("cancelled by"), max_length=8, choices=CancelledBy.choices, blank=True)
    cancellation_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    cancelled_late = models.BooleanField(
        _("cancelled late"), default=False, editable=False,
        help_text=_("Cancelled inside the cancellation cut-off before the assessment."),
    )
    patient_confirmed_at = models.DateTimeField(
        _("patient said they will come"), null=True, blank=True, editable=False,
        help_text=_("When the patient answered “I'll be there” to their reminder."),
    )
    reminded_for = models.DateTimeField(
        _("reminder sent for"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("The start time the last reminder was sent for; a moved booking is reminded again."),
    )
    anonymised_at = models.DateTimeField(_("personal data removed"), null=True, blank=True, editable=False)
    sequence = models.PositiveIntegerField(
        default=0, editable=False, help_text=_("Raised on every change, so calendars update their copy.")
    )
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    review_from = models.DateTimeField(
        _("answer counted from"), null=True, blank=True, editable=False,
        help_text=_("When the patient last moved their request: the promised answer counts from then."),
    )
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    objects = BookingQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["token", "updated_at"])

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["practitioner", "starts_at"],
                condition=Q(status__in=ACTIVE_STATUSES),
                name="one_active_booking_per_practitioner_and_time",
            ),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="booking_ends_after_it_starts"),
        ]
        indexes = [models.Index(fields=["starts_at", "status"])]

    def __str__(self):
        return self.reference

    def get_manage_url(self):
        """The patient's private page. Deliberately not get_absolute_url: the admin links to that for any staff user."""
        return reverse("booking:manage", kwargs={"token": self.token})

    @property
    def is_active(self):
        return self.status in self.ACTIVE

    @property
    def reason_label(self):
        """Why the patient comes, in their words ("Knee"), and the likely condition when staff know it.

        For lists that show one line per booking: "Knee · likely Patellofemoral pain".
        """
        words = self.reason_words
        if self.condition_id and self.reason:
            return _("%(reason)s · likely %(condition)s") % {"reason": words, "condition": self.condition.name}
        return words

    @property
    def reason_words(self):
        """The patient's own answer; a booking from before the question (or from the desk) shows its condition."""
        if self.reason:
            return self.get_reason_display()
        if self.condition_id:
            return self.condition.name
        return _("Not given")

    @property
    def likely_condition_name(self):
        """The likely condition's name, shown beside the patient's words; empty when none is known."""
        return self.condition.name if self.condition_id and self.reason else ""

    def can_change_to(self, status, now=None):
        return self.refusal_to_change_to(status, now) is None

    def refusal_to_change_to(self, status, now=None):
        """Why the booking cannot become `status` at `now`, or None when it can."""
        now = now or timezone.now()
        if status in self.AFTER_THE_START and self.starts_at > now:
            return _("The assessment has not started yet.")
        # Confirming or declining a request whose time has passed would email the patient about an hour gone by.
        past_request = self.status == self.Status.REQUESTED and self.starts_at <= now
        if past_request and status in {self.Status.CONFIRMED, self.Status.DECLINED}:
            return _("Its time has passed: mark whether the patient came, or close the request.")
        if status not in self.TRANSITIONS.get(self.status, ()):
            return _("A %(old)s booking cannot become %(new)s.") % {
                "old": self.get_status_display().lower(),
                "new": self.Status(status).label.lower(),
            }
        return None

    def change_status(self, status, now=None, **fields):
        """Move to `status` if the move is allowed at `now`; every change raises the calendar SEQUENCE."""
        refusal = self.refusal_to_change_to(status, now)
        if refusal:
            raise InvalidTransition(refusal)
        self.status = status
        self.sequence += 1
        for name, value in fields.items():
            setattr(self, name, value)
        self.save(update_fields=["status", "sequence", "updated_at", *fields])

    def can_be_cancelled_online(self, now=None, rules=None):
        """Still before the online cut-off. `rules`: the BookingSettings a page has already read."""
        now = now or timezone.now()
        cutoff = timedelta(hours=(rules or BookingSettings.load()).cancellation_cutoff_hours)
        return self.is_active and self.starts_at - now >= cutoff


class OutgoingEmailQuerySet(DeliveryQuerySet):
    def unsent(self):
        """Not sent and not overtaken by a later change: waiting, being sent, or failed for good."""
        return self.filter(sent_at__isnull=True, overtaken_at__isnull=True)

    def pending(self):
        return super().pending().filter(overtaken_at__isnull=True)


class OutgoingEmail(Delivery):
    """One email a booking causes, kept until it has gone out.

    The row is written in the booking's own transaction; a durable task sends
    it, retries with backoff while the mail server is unreachable, and sends
    it again if its worker dies (clinic.outbox).
    """

    class Kind(models.TextChoices):
        CLINIC_NEW_REQUEST = "clinic_new_request", _("New request (to the clinic)")
        CLINIC_NEW_BOOKING = "clinic_new_booking", _("New booking (to the clinic)")
        CLINIC_CHANGED = "clinic_changed", _("Moved by the patient (to the clinic)")
        CLINIC_CANCELLED = "clinic_cancelled", _("Cancelled by the patient (to the clinic)")
        RECEIVED = "received", _("Request received")
        CONFIRMED = "confirmed", _("Confirmed")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Cancelled")
        CHANGED = "changed", _("Changed")
        REMINDER = "reminder", _("Reminder")

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="emails", verbose_name=_("booking"))
    kind = models.CharField(_("email"), max_length=24, choices=Kind.choices)
    overtaken_at = models.DateTimeField(
        _("not sent: out of date"),
        null=True,
        blank=True,
        help_text=_("A later change made this email wrong before it could go out, e.g. a confirmation after a cancellation."),
    )

    message_id_label = "booking-email"
    task_path = "booking.tasks.deliver_email"

    objects = OutgoingEmailQuerySet.as_manager()

    class Meta:
        verbose_name = _("outgoing email")
        verbose_name_plural = _("outgoing emails")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["sent_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.booking_id}"

    @property
    def to_clinic(self):
        return self.kind in CLINIC_KINDS

    @property
    def state(self):
        return _("out of date") if self.overtaken_at and not self.sent_at else super().state

    @property
    def is_out_of_date(self):
        """True when the booking has moved on so far that this email would mislead the patient.

        Emails are built when they go out; while the mail server was down the
        booking may have changed. A cancellation or a decline always goes out.
        """
        booking = self.booking
        if self.kind == self.Kind.RECEIVED:
            return booking.status != Booking.Status.REQUESTED
        if self.kind == self.Kind.CONFIRMED:
            return booking.status != Booking.Status.CONFIRMED
        if self.kind == self.Kind.CHANGED:
            return not booking.is_active
        if self.kind == self.Kind.REMINDER:
            return booking.status != Booking.Status.CONFIRMED or booking.reminded_for != booking.starts_at
        return False


# The emails that go to the clinic's inbox, in English, rather than to the patient.
CLINIC_KINDS = {
    OutgoingEmail.Kind.CLINIC_NEW_REQUEST,
    OutgoingEmail.Kind.CLINIC_NEW_BOOKING,
    OutgoingEmail.Kind.CLINIC_CHANGED,
    OutgoingEmail.Kind.CLINIC_CANCELLED,
}


class WaitlistEntryQuerySet(models.QuerySet):
    def waiting(self, today):
        """Still waiting on `today` (a clinic date): not booked, not left, last day not yet gone."""
        return self.filter(closed_at__isnull=True, last_day__gte=today)

    def for_days(self, first_day, last_day):
        """Whose days overlap first_day … last_day."""
        return self.filter(first_day__lte=last_day, last_day__gte=first_day)

    def for_contact(self, phone, email):
        return self.filter(Q(phone=phone) | Q(email__iexact=email))


class WaitlistEntry(models.Model):
    """A patient waiting for a time on the days they want: told by email, in the order they joined, when one opens."""

    class Closed(models.TextChoices):
        BOOKED = "booked", _("Booked a time")
        LEFT = "left", _("Left the waitlist")
        EXPIRED = "expired", _("Their last day went by")

    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    patient_name = models.CharField(_("full name"), max_length=120)
    phone = PhoneNumberField(_("mobile phone"))
    email = models.EmailField(_("email"), max_length=254)
    first_day = models.DateField(_("from"))
    last_day = models.DateField(_("to"))
    reason = models.CharField(_("why they come"), max_length=16, choices=PatientReason.choices, blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="en",
        help_text=_("The language of the patient's emails: the one they joined in."),
    )
    consent_given_at = models.DateTimeField(_("consent to health data given"))
    privacy_notice = models.ForeignKey(
        PrivacyNotice, on_delete=models.PROTECT, related_name="waitlist_entries",
        verbose_name=_("privacy notice agreed to"),
    )
    created_at = models.DateTimeField(_("joined at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    closed_why = models.CharField(_("ended"), max_length=8, choices=Closed.choices, blank=True)
    booking = models.ForeignKey(
        Booking, on_delete=models.SET_NULL, null=True, blank=True, related_name="waitlist_entries",
        verbose_name=_("booking made"),
    )

    objects = WaitlistEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("waitlist entry")
        verbose_name_plural = _("waitlist")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(last_day__gte=F("first_day")), name="waitlist_ends_after_it_starts"),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True, closed_why="") | Q(closed_at__isnull=False) & ~Q(closed_why=""),
                name="waitlist_closed_with_a_reason",
            ),
        ]
        indexes = [models.Index(fields=["closed_at", "last_day"])]

    def __str__(self):
        if self.first_day == self.last_day:
            return f"{self.first_day:%Y-%m-%d}"
        return f"{self.first_day:%Y-%m-%d} – {self.last_day:%Y-%m-%d}"

    def get_private_url(self):
        """The patient's own waitlist page. Not get_absolute_url: the admin would hand it to every staff user."""
        return reverse("booking:waitlist_entry", kwargs={"token": self.token})

    def is_waiting(self, today):
        return self.closed_at is None and self.last_day >= today

    def covers(self, day):
        return self.first_day <= day <= self.last_day


class WaitlistEmailQuerySet(DeliveryQuerySet):
    def pending(self):
        return super().pending().filter(overtaken_at__isnull=True)


class WaitlistEmail(Delivery):
    """An email to a patient on the waitlist: that they joined, or that a time on their days has opened.

    The database holds at most one unsent notice of each time to each entry; a
    time booked and freed again is told again.
    """

    class Kind(models.TextChoices):
        JOINED = "joined", _("On the waitlist")
        TIME_OPENED = "time_opened", _("A time opened")

    entry = models.ForeignKey(
        WaitlistEntry, on_delete=models.CASCADE, related_name="emails", verbose_name=_("waitlist entry")
    )
    kind = models.CharField(_("email"), max_length=16, choices=Kind.choices)
    starts_at = models.DateTimeField(_("time offered"), null=True, blank=True)
    overtaken_at = models.DateTimeField(
        _("not sent: out of date"), null=True, blank=True,
        help_text=_("The time was booked, or the patient left the waitlist, before the email could go out."),
    )

    message_id_label = "waitlist-email"
    task_path = "booking.tasks.deliver_waitlist_email"

    objects = WaitlistEmailQuerySet.as_manager()

    class Meta:
        verbose_name = _("waitlist email")
        verbose_name_plural = _("waitlist emails")
        ordering = ["created_at", "pk"]
        constraints = [
            # One notice waiting to go per entry and time; once sent, a time that is taken and frees again is news.
            models.UniqueConstraint(
                fields=["entry", "starts_at"],
                condition=Q(kind="time_opened", sent_at__isnull=True, overtaken_at__isnull=True, failed_at__isnull=True),
                name="one_waiting_notice_per_entry_and_time",
            ),
            models.UniqueConstraint(fields=["entry"], condition=Q(kind="joined"), name="one_welcome_per_entry"),
            models.CheckConstraint(
                condition=Q(kind="joined") | Q(starts_at__isnull=False), name="waitlist_notice_names_its_time"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.entry_id}"

    @property
    def state(self):
        return _("out of date") if self.overtaken_at and not self.sent_at else super().state
