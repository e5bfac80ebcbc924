"""What every app of the clinic's site shares: the clinic itself, and what published, translated content is made of."""

import secrets
from decimal import Decimal
from urllib.parse import quote_plus

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

# A cédula profesional, the licence Mexico's SEP gives each graduate: the practitioners' and the responsable sanitario's.
cedula_validator = RegexValidator(r"^\d{7,8}$", _("A cédula profesional is 7 or 8 digits."))


class SingletonModel(models.Model):
    """A model with one row: its primary key is always 1, and the database refuses any other."""

    SINGLETON_PK = 1

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="%(app_label)s_%(class)s_single_row"),
        ]

    def save(self, *args, **kwargs):
        self.pk = self.SINGLETON_PK
        super().save(*args, **kwargs)

    @classmethod
    def load(cls):
        """The row, or an unsaved one with the defaults before anything is saved."""
        return cls.objects.filter(pk=cls.SINGLETON_PK).first() or cls(pk=cls.SINGLETON_PK)


class PublishedQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def with_slug(self, slug):
        """Rows whose English or Spanish slug is `slug`: old and new addresses both find the page."""
        return self.filter(Q(slug=slug) | (Q(slug_es=slug) & ~Q(slug_es="")))


class LocalisedSlugMixin(models.Model):
    """A page address in each language: /conditions/<slug>/ and /es/padecimientos/<slug_es>/."""

    slug_es = models.SlugField(
        _("Spanish slug"),
        blank=True,
        help_text=_("The address of the Spanish page. Leave empty to use the English one."),
    )

    class Meta:
        abstract = True
        constraints = [
            models.UniqueConstraint(
                fields=["slug_es"], condition=~Q(slug_es=""), name="%(app_label)s_%(class)s_unique_spanish_slug"
            ),
        ]

    @property
    def localised_slug(self):
        return self.slug_es if get_language() == "es" and self.slug_es else self.slug


def picture_upload_to(picture, filename):
    """A random name under pictures/: nothing of the name the file was uploaded with is kept."""
    extension = filename.rpartition(".")[2].lower() if "." in filename else "jpg"
    return f"pictures/{secrets.token_hex(16)}.{extension}"


PERCENT = [MinValueValidator(0), MaxValueValidator(100)]


class Picture(models.Model):
    """A photo staff upload: the opening, the team, the clinic's rooms, a condition or the case example.

    Stored re-encoded, with nothing but its pixels, under a random name
    (clinic.pictures); shown in several widths, cropped around its focal point.
    """

    image = models.ImageField(
        _("image"), upload_to=picture_upload_to, width_field="width", height_field="height",
        help_text=_("A JPEG, PNG, WebP or HEIC photo. Location and camera details are removed."),
    )
    width = models.PositiveIntegerField(_("width"), editable=False, default=0)
    height = models.PositiveIntegerField(_("height"), editable=False, default=0)
    alt_text = models.CharField(
        _("alt text"), max_length=250, blank=True,
        help_text=_("What the photo shows, for people who cannot see it. Required unless the photo is decorative."),
    )
    is_decorative = models.BooleanField(
        _("decorative"), default=False, help_text=_("Tick only when the photo adds nothing a reader would miss.")
    )
    caption = models.CharField(_("caption"), max_length=250, blank=True)
    focal_x = models.PositiveSmallIntegerField(
        _("focal point across (%)"), default=50, validators=PERCENT,
        help_text=_("Where the photo's subject is, from the left edge (0) to the right (100): crops keep it in view."),
    )
    focal_y = models.PositiveSmallIntegerField(
        _("focal point down (%)"), default=50, validators=PERCENT,
        help_text=_("From the top edge (0) to the bottom (100)."),
    )
    in_gallery = models.BooleanField(
        _("in the clinic's gallery"), default=False, help_text=_("Show it among the photos of the clinic on the home page.")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("picture")
        verbose_name_plural = _("pictures")
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(focal_x__lte=100) & Q(focal_y__lte=100), name="picture_focal_point_inside_the_image"
            ),
        ]

    def __str__(self):
        return self.alt_text or self.caption or self.image.name


class Clinic(SingletonModel):
    """The clinic's own details: one row, edited in the admin as "Clinic details"."""

    name = models.CharField(
        _("name"), max_length=120, help_text=_("Shown in the header, page titles and search results.")
    )
    description = models.CharField(
        _("short description"),
        max_length=200,
        blank=True,
        help_text=_("One line for search engines, e.g. “Physiotherapy clinic in Zona Río, Tijuana”."),
    )
    assessment_price = models.DecimalField(
        _("assessment price (MXN)"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("750"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("The full price of a first assessment in Mexican pesos. Nothing is added at the clinic."),
    )
    street_address = models.CharField(
        _("street address"), max_length=200, blank=True, help_text=_("Street and number, e.g. “Paseo de los Héroes 9350”.")
    )
    neighbourhood = models.CharField(_("neighbourhood"), max_length=100, default="Zona Río")
    city = models.CharField(_("city"), max_length=100, default="Tijuana")
    region = models.CharField(_("state"), max_length=100, default="Baja California")
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    country_code = models.CharField(
        _("country code"), max_length=2, default="MX", help_text=_("Two letters, e.g. MX.")
    )
    phone = models.CharField(
        _("phone"), max_length=30, blank=True, help_text=_("With country code, e.g. +52 664 123 4567.")
    )
    whatsapp = models.CharField(
        _("WhatsApp number"),
        max_length=30,
        blank=True,
        help_text=_("With country code, e.g. +52 664 123 4567. Leave empty to hide the WhatsApp link."),
    )
    email = models.EmailField(_("email"), blank=True)
    map_url = models.URLField(
        _("map link"),
        blank=True,
        help_text=_("A link to the clinic on a map. Leave empty to search the address on Google Maps."),
    )

    # Who the clinic is in law: Mexican rules for health advertising and the privacy law ask for these.
    legal_name = models.CharField(
        _("legal name"), max_length=200, blank=True,
        help_text=_("The person or company responsible for the clinic and its patients' data, as the privacy notice names it."),
    )
    legal_address = models.TextField(
        _("legal domicile"), blank=True, help_text=_("The address the privacy notice gives for the responsible party.")
    )
    advertising_notice = models.CharField(
        _("COFEPRIS advertising notice or permit"), max_length=120, blank=True,
        help_text=_("The number of the advertising notice or permit. Shown in the footer when filled."),
    )
    health_officer = models.CharField(
        _("responsable sanitario"), max_length=200, blank=True,
        help_text=_("The name of the clinic's responsible health officer. Shown in the footer when filled."),
    )
    health_officer_cedula = models.CharField(
        _("responsable sanitario's cédula profesional"), max_length=8, blank=True, validators=[cedula_validator],
    )

    # Practical answers for a patient crossing town or the border. Each is shown only when filled.
    first_assessment = models.TextField(
        _("what happens in the first assessment"), blank=True, help_text=_("Separate paragraphs with a blank line.")
    )
    follow_up_price = models.DecimalField(
        _("follow-up session price (MXN)"), max_digits=8, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    usual_sessions = models.CharField(
        _("usual number of sessions"), max_length=200, blank=True, help_text=_("E.g. “Most runners come 4 to 8 times.”")
    )
    payment = models.TextField(
        _("how to pay"), blank=True, help_text=_("Cash, card, transfer, US dollars: what the clinic takes.")
    )
    invoices = models.TextField(
        _("invoices and receipts"), blank=True,
        help_text=_("Facturas (CFDI), and receipts patients can send to a US insurer."),
    )
    getting_there = models.TextField(
        _("getting there"), blank=True, help_text=_("From San Ysidro and from downtown. Separate paragraphs with a blank line.")
    )
    parking = models.TextField(_("parking and the entrance"), blank=True)
    cancellation_policy = models.TextField(_("cancellation and no-show policy"), blank=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta(SingletonModel.Meta):
        verbose_name = _("clinic details")
        verbose_name_plural = _("clinic details")

    def __str__(self):
        return self.name

    @classmethod
    def load(cls):
        """The clinic's row, or an unsaved default before any content is loaded."""
        return cls.objects.filter(pk=cls.SINGLETON_PK).first() or cls(pk=cls.SINGLETON_PK, name="Return to Running")

    @property
    def locality(self):
        return ", ".join(part for part in (self.neighbourhood, self.city) if part)

    @property
    def address_lines(self):
        lines = [self.street_address, self.neighbourhood, f"{self.postal_code} {self.city}".strip(), self.region]
        return [line for line in lines if line]

    @property
    def maps_link(self):
        if self.map_url:
            return self.map_url
        query = ", ".join(self.address_lines + ["México" if self.country_code == "MX" else self.country_code])
        return f"https://www.google.com/maps/search/?api=1&query={quote_plus(query)}"

    @property
    def phone_link(self):
        return "tel:" + "".join(ch for ch in self.phone if ch.isdigit() or ch == "+") if self.phone else ""

    @property
    def whatsapp_link(self):
        digits = "".join(ch for ch in self.whatsapp if ch.isdigit())
        return f"https://wa.me/{digits}" if digits else ""
