"""What every app of the clinic's site shares: the clinic itself, and what published, translated content is made of."""

from decimal import Decimal
from urllib.parse import quote_plus

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


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
