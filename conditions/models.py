"""The return-to-running page and everything on it, as content staff edit."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from clinic.models import LocalisedSlugMixin, Picture, PublishedQuerySet, SingletonModel
from clinic.text import paragraphs, truncate
from team.models import Practitioner


class PatientReason(models.TextChoices):
    """Why a patient comes, in their words: where it hurts, or what brings them. Never a diagnosis."""

    KNEE = "knee", _("Knee")
    SHIN = "shin", _("Shin")
    ACHILLES_CALF = "achilles_calf", _("Achilles or calf")
    HEEL_FOOT = "heel_foot", _("Heel or foot")
    HIP_HAMSTRING = "hip_hamstring", _("Hip or hamstring")
    AFTER_SURGERY = "after_surgery", _("After surgery")
    SPORT = "sport", _("For my sport")
    NOT_SURE = "not_sure", _("Not sure")


def picture_field(verbose_name):
    return models.ForeignKey(
        Picture, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=verbose_name
    )


class ServicePage(SingletonModel):
    """A service's page: its opening and the headings and intros of each section."""

    slug = models.SlugField(_("slug"), unique=True)
    title = models.CharField(_("title"), max_length=120)
    strapline = models.CharField(_("strapline"), max_length=250, help_text=_("The lead line under the title."))
    summary = models.TextField(_("summary"), help_text=_("The opening paragraph."))
    meta_title = models.CharField(
        _("search title"), max_length=70, blank=True, help_text=_("The title in search results. Leave empty to use the title.")
    )
    meta_description = models.CharField(
        _("search description"),
        max_length=160,
        blank=True,
        help_text=_("The snippet in search results. Leave empty to use the strapline and summary."),
    )

    opening_picture = picture_field(_("opening photo"))
    case_picture = picture_field(_("case example photo"))

    conditions_label = models.CharField(_("“What we treat” label"), max_length=80)
    conditions_heading = models.CharField(_("“What we treat” heading"), max_length=200)

    pattern_label = models.CharField(_("“The pattern” label"), max_length=80)
    pattern_heading = models.CharField(_("“The pattern” heading"), max_length=200)
    pattern_body = models.TextField(_("“The pattern” text"), help_text=_("Separate paragraphs with a blank line."))
    pattern_cycle = models.TextField(
        _("the cycle"),
        blank=True,
        help_text=_("The steps of the cycle drawn under the text, one per line, e.g. “Reduce load”."),
    )

    stages_label = models.CharField(_("“The framework” label"), max_length=80)
    stages_heading = models.CharField(_("“The framework” heading"), max_length=200)

    patients_label = models.CharField(_("“Who we see” label"), max_length=80)
    patients_heading = models.CharField(_("“Who we see” heading"), max_length=200)

    case_label = models.CharField(_("case example label"), max_length=80)
    case_heading = models.CharField(_("case example heading"), max_length=200)
    case_body = models.TextField(_("case example"), help_text=_("Separate paragraphs with a blank line."))
    case_timeline = models.TextField(
        _("case timeline"),
        blank=True,
        help_text=_("One milestone per line: when, a colon, then what happened, e.g. “Week 7: first symptom-free run”."),
    )
    case_consent = models.CharField(_("consent line"), max_length=250)

    questions_label = models.CharField(_("questions label"), max_length=80)
    questions_heading = models.CharField(_("questions heading"), max_length=200)
    faq_link_text = models.CharField(_("link to the full FAQ"), max_length=120)
    related_label = models.CharField(
        _("related pages label"), max_length=80, help_text=_("Shown before the links to related pages.")
    )
    related_pages = models.ManyToManyField(
        "Page",
        blank=True,
        related_name="service_pages",
        verbose_name=_("related pages"),
        help_text=_("Only published pages are linked."),
    )

    booking_label = models.CharField(_("booking label"), max_length=80)
    booking_heading = models.CharField(_("booking heading"), max_length=200)
    booking_text = models.CharField(
        _("booking text"),
        max_length=250,
        help_text=_("Mentions the price and the place: update it when the clinic details change."),
    )

    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta(SingletonModel.Meta):
        verbose_name = _("service page")
        verbose_name_plural = _("service pages")
        ordering = ["pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("conditions:home")

    def search_title(self, clinic):
        return self.meta_title or _("%(title)s: physiotherapy in %(place)s") % {
            "title": self.title,
            "place": clinic.locality,
        }

    @property
    def search_description(self):
        return self.meta_description or truncate(f"{self.strapline} {self.summary}")

    @property
    def pattern_paragraphs(self):
        return paragraphs(self.pattern_body)

    @property
    def case_paragraphs(self):
        return paragraphs(self.case_body)

    @property
    def cycle_steps(self):
        return [line.strip() for line in self.pattern_cycle.splitlines() if line.strip()]

    @property
    def milestones(self):
        """The case timeline as (when, what) pairs."""
        pairs = []
        for line in self.case_timeline.splitlines():
            when, _sep, what = line.partition(":")
            if line.strip():
                pairs.append((when.strip(), what.strip()) if what else ("", when.strip()))
        return pairs


class Condition(LocalisedSlugMixin, models.Model):
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), unique=True, help_text=_("The end of the page's address, as in /conditions/achilles-tendinopathy/."))
    summary = models.TextField(_("summary"), help_text=_("Shown on the card on the home page and at the top of its page."))
    body = models.TextField(
        _("body"), blank=True, help_text=_("The longer text of the condition's page. Separate paragraphs with a blank line.")
    )
    patient_reason = models.CharField(
        _("what patients say"), max_length=16, choices=PatientReason.choices, blank=True,
        help_text=_(
            "The answer a patient booking gives for this condition, e.g. “Achilles or calf”. When only one published "
            "condition has that answer, staff see it on the booking."
        ),
    )
    picture = picture_field(_("photo"))
    # The page's sections, each shown only when filled. Separate paragraphs with a blank line; one line per item in lists.
    feels_like = models.TextField(_("what it feels like, and where"), blank=True)
    who_gets_it = models.TextField(_("who gets it, and why"), blank=True)
    assessment_checks = models.TextField(_("what the first assessment checks"), blank=True, help_text=_("One per line."))
    treatment = models.TextField(_("what treatment looks like"), blank=True)
    timeline = models.TextField(_("a typical timeline"), blank=True)
    this_week = models.TextField(_("what you can do this week"), blank=True, help_text=_("One per line."))
    red_flags = models.TextField(
        _("see a doctor now if…"), blank=True, help_text=_("One sign per line: signs that need a doctor today, not physiotherapy.")
    )
    signs = models.TextField(
        _("signs and symptoms"), blank=True, help_text=_("One per line, short, for search engines' structured data.")
    )
    meta_title = models.CharField(_("search title"), max_length=70, blank=True)
    meta_description = models.CharField(
        _("search description"), max_length=160, blank=True, help_text=_("Leave empty to use the summary.")
    )
    reviewed_on = models.DateField(
        _("last reviewed"), null=True, blank=True, help_text=_("When a clinician last checked this page.")
    )
    reviewed_by = models.ForeignKey(
        Practitioner, on_delete=models.SET_NULL, null=True, blank=True, related_name="reviewed_conditions",
        limit_choices_to={"is_listed": True},  # the page links to their profile on the team page
        verbose_name=_("reviewed by"),
        help_text=_("The clinician who last checked this page, from those shown on the team page."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0, db_index=True)
    is_published = models.BooleanField(_("published"), default=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    objects = PublishedQuerySet.as_manager()

    class Meta(LocalisedSlugMixin.Meta):
        verbose_name = _("condition")
        verbose_name_plural = _("conditions")
        ordering = ["position", "pk"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("conditions:condition", kwargs={"slug": self.localised_slug})

    @property
    def search_description(self):
        return self.meta_description or truncate(self.summary)

    @property
    def body_paragraphs(self):
        return paragraphs(self.body)


class Stage(models.Model):
    """One stage of the return-to-running framework."""

    page = models.ForeignKey(ServicePage, on_delete=models.CASCADE, related_name="stages")
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        ordering = ["position", "pk"]

    def __str__(self):
        return self.title


class PatientKind(models.Model):
    """One kind of patient the clinic sees."""

    page = models.ForeignKey(ServicePage, on_delete=models.CASCADE, related_name="patient_kinds")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_published = models.BooleanField(_("published"), default=True)

    objects = PublishedQuerySet.as_manager()

    class Meta:
        verbose_name = _("kind of patient")
        verbose_name_plural = _("kinds of patient")
        ordering = ["position", "pk"]

    def __str__(self):
        return self.title


class Page(LocalisedSlugMixin, models.Model):
    """A page the clinic writes itself, such as an article or another service.

    Links to a page appear only once it is published, so the clinic can name a
    page before it is written without sending patients to an empty one.
    """

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), unique=True, help_text=_("The end of the page's address, as in /knee-pain/."))
    summary = models.TextField(_("summary"), blank=True, help_text=_("The opening paragraph."))
    body = models.TextField(_("body"), blank=True, help_text=_("Separate paragraphs with a blank line."))
    meta_title = models.CharField(_("search title"), max_length=70, blank=True)
    meta_description = models.CharField(_("search description"), max_length=160, blank=True)
    is_published = models.BooleanField(
        _("published"), default=False, help_text=_("Publish once the page is written; until then nothing links to it.")
    )
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    objects = PublishedQuerySet.as_manager()

    class Meta(LocalisedSlugMixin.Meta):
        verbose_name = _("page")
        verbose_name_plural = _("pages")
        ordering = ["title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("conditions:page", kwargs={"slug": self.localised_slug})

    @property
    def search_description(self):
        return self.meta_description or truncate(self.summary or self.body)

    @property
    def body_paragraphs(self):
        return paragraphs(self.body)


class PatientStory(models.Model):
    """A patient's own words about their care, shown with their consent: no ratings, no stars."""

    quote = models.TextField(_("quote"), max_length=600, help_text=_("Short, in the patient's words."))
    patient = models.CharField(
        _("patient"), max_length=40, help_text=_("First name and initial only, e.g. “María F.”.")
    )
    condition = models.ForeignKey(
        Condition, on_delete=models.SET_NULL, null=True, blank=True, related_name="stories",
        verbose_name=_("condition"), help_text=_("The story is shown on this condition's page too."),
    )
    consent_recorded_on = models.DateField(
        _("consent recorded on"), help_text=_("The day the patient agreed in writing to their words being shown.")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_published = models.BooleanField(_("published"), default=True)

    objects = PublishedQuerySet.as_manager()

    class Meta:
        verbose_name = _("patient story")
        verbose_name_plural = _("patient stories")
        ordering = ["position", "pk"]

    def __str__(self):
        return self.patient
