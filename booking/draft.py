"""What the booking flow keeps in the patient's session between its steps.

The answers are kept server-side, so the flow works without JavaScript, a
patient can go back and change anything, and nothing they typed is lost when
a step has an error or their time is taken. All of it lives under one
session key, which goes as soon as the booking is made: from then on the
session holds only which booking this browser made, for a few minutes.
"""

import secrets
import time

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from clinic.clock import CLINIC_TZ
from clinic.sessions import recalled, remember_briefly
from conditions.models import PatientReason
from privacy.models import PrivacyNotice


def parse_time(value):
    """An aware datetime from what a browser sent, or None for anything else."""
    try:
        parsed = parse_datetime(str(value)[:40])
        if parsed and parsed.tzinfo:
            parsed.astimezone(CLINIC_TZ)  # year 9999 at UTC-12 is past the calendar's end in Tijuana
    except (ValueError, OverflowError):
        return None
    return parsed if parsed and parsed.tzinfo else None


class BookingDraft:
    """A patient's answers so far, read from and written to their session."""

    SESSION_KEY = "booking_draft"
    # Which booking this browser has just made ({"pk", "until"}, by clinic.sessions): never the patient's details.
    LAST_BOOKING_KEY = "booking_last"
    # The steps in order, each with the answer that says it is done; the check page comes once all are.
    STEPS = [("booking:start", "starts_at"), ("booking:details", "email"), ("booking:reason", "reason")]
    CHECK = "booking:check"
    # What was typed on a step but not yet sent, kept across a change of language.
    TYPED = "typed"
    # The time that was taken from under the patient, for the choose-time page to offer the nearest ones.
    TIME_TAKEN = "time_taken"

    def __init__(self, request):
        self.request = request
        self.answers = request.session.get(self.SESSION_KEY, {})

    def _save(self):
        self.request.session[self.SESSION_KEY] = self.answers

    # Where the patient is.

    @property
    def next_step(self):
        """The name of the first step not yet answered, or of the check page."""
        for step, answer in self.STEPS:
            if answer not in self.answers:
                return step
        return self.CHECK

    @property
    def is_complete(self):
        """Every step answered: the patient can check their answers and book."""
        return self.next_step == self.CHECK

    @property
    def has_time(self):
        return "starts_at" in self.answers

    @property
    def starts_at(self):
        """The chosen time on the clinic's clock, or None."""
        starts_at = parse_time(self.answers.get("starts_at", ""))
        return timezone.localtime(starts_at, CLINIC_TZ) if starts_at else None

    # Answering.

    def choose_time(self, starts_at):
        self.answers["starts_at"] = starts_at.isoformat()
        # The clock for the minimum time to book starts at the first time chosen.
        self.answers.setdefault("started", time.time())
        self._save()

    def answer(self, answers):
        """Keep a step's answers; what was typed for them before a change of language is no longer needed."""
        self.answers.update(answers)
        for name in answers:
            self.answers.get(self.TYPED, {}).pop(name, None)
        self._save()

    def keep_typed(self, typed):
        """Keep what was typed on a step without sending it, e.g. to show it again in the other language."""
        self.answers.setdefault(self.TYPED, {}).update(typed)
        self._save()

    def initial(self, fields):
        """What a step's form starts with: its answers, or what was typed for them and not yet sent."""
        initial = {name: self.answers[name] for name in fields if name in self.answers}
        initial.update({name: value for name, value in self.answers.get(self.TYPED, {}).items() if name in fields})
        return initial

    def forget(self, answer):
        self.answers.pop(answer, None)
        self._save()

    # The reason for coming.

    @property
    def reason(self):
        """The patient's answer as a PatientReason; None if not answered, or kept from an older form of the question."""
        reason = self.answers.get("reason")
        return PatientReason(reason) if reason in PatientReason.values else None

    @property
    def reason_is_offered(self):
        """False for an answer the question no longer offers, such as a condition's id from before: ask again."""
        return self.reason is not None

    # Checking and booking.

    def submission(self):
        """The token the check page's form carries, so a form sent twice books once."""
        self.answers.setdefault("submission", secrets.token_urlsafe(16))
        self._save()
        return self.answers["submission"]

    def is_sent_again(self, submission):
        """True for a check form sent before (a double tap, or the back button): the first one counted."""
        return bool(submission) and submission != self.answers.get("submission")

    def show_privacy_notice(self, privacy_notice):
        """Record the notice the check page links to: the consent is to that one, even if a newer one comes out."""
        self.answers["privacy_notice"] = privacy_notice.pk if privacy_notice else None
        self._save()

    @property
    def privacy_notice(self):
        """The notice the patient was shown, or None."""
        return PrivacyNotice.objects.filter(pk=self.answers.get("privacy_notice")).first()

    def was_sent_too_soon(self):
        """Sent sooner after choosing a time than a person can fill in the steps: most likely a bot."""
        return time.time() - self.answers.get("started", 0) < settings.BOOKING_MINIMUM_SECONDS

    def time_was_taken(self):
        """The time is gone: the patient chooses another, keeping everything else they answered."""
        self.answers[self.TIME_TAKEN] = self.answers.pop("starts_at")
        self.answers.pop("submission", None)
        self._save()

    def pop_time_taken(self):
        """The time that was just taken, once: None if there was none."""
        if self.TIME_TAKEN not in self.answers:
            return None
        taken = self.answers.pop(self.TIME_TAKEN)
        self._save()
        return parse_time(taken)

    def booked(self, booking):
        """The booking holds the answers now: forget them, and remember which booking this browser made."""
        self.request.session.pop(self.SESSION_KEY, None)
        self.answers = {}
        remember_briefly(self.request, self.LAST_BOOKING_KEY, booking.pk)

    @property
    def last_booking_id(self):
        """The booking this browser has just made, while the confirmation page may still show it."""
        return recalled(self.request, self.LAST_BOOKING_KEY)
