"""The clinic's practitioners: their public profile, and whether patients can book them."""

import re

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from clinic.models import Picture, cedula_validator
from clinic.text import paragraphs

# "Spanish and English", "Español e inglés", "English, Spanish / Portuguese": one language each.
LANGUAGE_SEPARATORS = re.compile(r"\s*(?:,|/|;|\band\b|\by\b|\be\b)\s*", re.IGNORECASE)


class PractitionerQuerySet(models.QuerySet):
    def taking_assessments(self):
        return self.filter(takes_assessments=True)

    def listed(self):
        """The practitioners shown on the site's team section and page."""
        return self.filter(is_listed=True)


class Practitioner(models.Model):
    name = models.CharField(_("name"), max_length=120, help_text=_("As patients know them, e.g. “Lic. Ana Pérez”."))
    takes_assessments = models.BooleanField(
        _("takes first assessments"), default=True, help_text=_("Untick to stop new online bookings with this person.")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    is_listed = models.BooleanField(
        _("shown on the site"), default=True, help_text=_("Untick to leave this person off the team section and page.")
    )
    photo = models.ForeignKey(
        Picture, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("photo")
    )
    title = models.CharField(_("title"), max_length=120, blank=True, help_text=_("E.g. “Physiotherapist”."))
    degree = models.CharField(
        _("degree"), max_length=200, blank=True, help_text=_("E.g. “Licenciatura en Fisioterapia”.")
    )
    institution = models.CharField(
        _("institution"), max_length=200, blank=True, help_text=_("The university or school that granted the degree.")
    )
    cedula = models.CharField(
        _("cédula profesional"),
        max_length=8,
        blank=True,
        validators=[cedula_validator],
        help_text=_("The professional licence number, 7 or 8 digits. Mexican rules require it on the clinic's advertising."),
    )
    specialities = models.TextField(_("specialities"), blank=True, help_text=_("One per line."))
    languages = models.CharField(
        _("languages spoken"), max_length=200, blank=True, help_text=_("E.g. “Spanish and English”.")
    )
    bio = models.TextField(_("short bio"), blank=True, help_text=_("A few sentences. Separate paragraphs with a blank line."))
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)  # the team page's lastmod in the sitemap

    objects = PractitionerQuerySet.as_manager()

    class Meta:
        # The table it had when practitioners belonged to the booking app: moved without copying a row.
        db_table = "booking_practitioner"
        verbose_name = _("practitioner")
        verbose_name_plural = _("practitioners")
        ordering = ["position", "pk"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("team:index") + f"#{self.anchor}"

    @property
    def anchor(self):
        return f"practitioner-{self.pk}"

    @property
    def speciality_list(self):
        return [line.strip() for line in self.specialities.splitlines() if line.strip()]

    @property
    def language_list(self):
        return [part for part in LANGUAGE_SEPARATORS.split(self.languages.strip()) if part]

    @property
    def bio_paragraphs(self):
        return paragraphs(self.bio)

    @property
    def initials(self):
        """Two letters for the placeholder beside a profile with no photo: "Lic. Ana Pérez" gives "AP"."""
        words = [word for word in self.name.split() if not word.endswith(".") and word[:1].isalpha()]
        if len(words) > 1:
            words = [words[0], words[-1]]
        return "".join(word[0] for word in words).upper()
