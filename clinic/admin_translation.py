"""English and Spanish side by side in the admin, and what still needs its Spanish.

Every content admin and inline mixes in SpanishHintsMixin before modeltranslation's
TranslationAdmin or TranslationTabularInline/TranslationStackedInline:

- each translated field's English and Spanish boxes share one line of the form
  ("name [en]" beside "name [es]");
- an empty Spanish box shows the English the site falls back to, as its help text
  and as its placeholder (the placeholder is what a tabular inline's row shows);
- the list of items has a "Spanish" column (✓ or what is missing) and a
  "Spanish: missing / complete" filter.

A field counts as missing its Spanish when the English is filled in and the Spanish is not:
the page then shows the English (MODELTRANSLATION_FALLBACK_LANGUAGES).
"""

from django.contrib import admin
from django.db.models import Q
from django.utils.html import escape, format_html, format_html_join
from django.utils.text import Truncator
from django.utils.translation import gettext, gettext_noop, ngettext_lazy
from django.utils.translation import gettext_lazy as _
from modeltranslation.translator import NotRegistered, translator
from modeltranslation.utils import build_localized_fieldname

ENGLISH, SPANISH = "en", "es"

# The admin's own sentences that wrap a model's name. Django's Spanish puts a
# masculine "El" before every name ("El cita", "El solicitud de datos") and
# writes "fué". Named here, makemessages keeps them in our catalogue, and
# LOCALE_PATHS outranks Django's: our Spanish words them so that nothing in the
# sentence depends on the model's gender ("Se guardaron los cambios: cita …").
DJANGO_ADMIN_SENTENCES = [
    gettext_noop("The {name} “{obj}” was added successfully."),
    gettext_noop("You may edit it again below."),
    gettext_noop("The {name} “{obj}” was added successfully. You may add another {name} below."),
    gettext_noop("The {name} “{obj}” was changed successfully."),
    gettext_noop("The {name} “{obj}” was changed successfully. You may edit it again below."),
    gettext_noop("The {name} “{obj}” was changed successfully. You may add another {name} below."),
    gettext_noop("The %(name)s “%(obj)s” was deleted successfully."),
    gettext_noop("Successfully deleted %(count)d %(items)s."),
    ngettext_lazy("%(count)s %(name)s was changed successfully.", "%(count)s %(name)s were changed successfully.", "count"),
    gettext_noop(
        'Are you sure you want to delete the %(object_name)s "%(escaped_object)s"? '
        "All of the following related items will be deleted:"
    ),
    gettext_noop(
        "Are you sure you want to delete the selected %(objects_name)s? "
        "All of the following objects and their related items will be deleted:"
    ),
]
HINT_LENGTH = 160
# The changelist names this many missing fields, then counts the rest.
LISTED_IN_COLUMN = 3


def translated_fields(model):
    """The model's translated fields (e.g. ["name", "summary"]), in the model's order."""
    try:
        names = translator.get_options_for_model(model).all_fields
    except NotRegistered:
        return []
    return [field.name for field in model._meta.fields if field.name in names]


def english_name(field):
    return build_localized_fieldname(field, ENGLISH)


def spanish_name(field):
    return build_localized_fieldname(field, SPANISH)


def missing_spanish(obj):
    """The translated fields of `obj` whose English is filled in and whose Spanish is empty."""
    return [
        field
        for field in translated_fields(type(obj))
        if getattr(obj, english_name(field)) and not getattr(obj, spanish_name(field))
    ]


def missing_spanish_q(model):
    """Rows with at least one field missing its Spanish, as a Q object (empty Q if nothing is translated)."""
    missing = Q()
    for field in translated_fields(model):
        english, spanish = english_name(field), spanish_name(field)
        missing |= Q(**{f"{english}__gt": ""}) & (Q(**{f"{spanish}__isnull": True}) | Q(**{spanish: ""}))
    return missing


def field_labels(model, fields):
    return [str(model._meta.get_field(field).verbose_name) for field in fields]


def spanish_hint(english):
    """What an empty Spanish box says: the English that shows instead, shortened (plain text)."""
    return gettext("Empty: the English shows — “%(english)s”") % {"english": Truncator(english).chars(HINT_LENGTH)}


def add_spanish_hints(form):
    """Under each empty Spanish box of `form`, the English the page shows until it is filled in."""
    for field in translated_fields(form._meta.model):
        spanish = form.fields.get(spanish_name(field))
        english = form.initial.get(english_name(field))
        if spanish is None or not english or form.initial.get(spanish_name(field)):
            continue
        hint = spanish_hint(english)
        # The admin renders help text as HTML, so the English is escaped here.
        spanish.help_text = format_html("{}<br>{}", spanish.help_text, hint) if spanish.help_text else escape(hint)
        # A tabular inline shows no help text on its rows: the English shows in the box, greyed.
        spanish.widget.attrs["placeholder"] = f"[{ENGLISH}] {Truncator(english).chars(HINT_LENGTH)}"


def with_spanish_hints(form_class):
    """`form_class`, adding the English hints to each form made from it."""

    class SpanishHintsForm(form_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            add_spanish_hints(self)

    SpanishHintsForm.__name__ = SpanishHintsForm.__qualname__ = form_class.__name__
    return SpanishHintsForm


def side_by_side(fields, translated):
    """Each ["x_en", "x_es"] pair in a fieldset's fields as one line: ("x_en", "x_es")."""
    pairs = {english_name(field): spanish_name(field) for field in translated}
    lines, fields = [], list(fields)
    while fields:
        field = fields.pop(0)
        if isinstance(field, str) and fields and pairs.get(field) == fields[0]:
            field = (field, fields.pop(0))
        lines.append(field)
    return lines


class SpanishFilter(admin.SimpleListFilter):
    title = _("Spanish")
    parameter_name = "spanish"

    def lookups(self, request, model_admin):
        return [("missing", _("Missing")), ("complete", _("Complete"))]

    def queryset(self, request, queryset):
        missing = missing_spanish_q(queryset.model)
        if self.value() == "missing":
            return queryset.filter(missing)
        if self.value() == "complete":
            return queryset.exclude(missing)
        return queryset


class SpanishHintsMixin:
    """English and Spanish side by side, the English as a hint, and what lacks its Spanish.

    For TranslationAdmin and modeltranslation's inlines; put it first among the bases.
    """

    def translation_fieldsets(self, fieldsets):
        """`fieldsets` with each translated field as its English and Spanish boxes on one line."""
        translated = translated_fields(self.model)
        return [
            (name, {**options, "fields": side_by_side(self.replace_orig_field(options["fields"]), translated)})
            for name, options in fieldsets
        ]

    def get_fieldsets(self, request, obj=None):
        return self.translation_fieldsets(super().get_fieldsets(request, obj))

    def get_form(self, request, obj=None, **kwargs):
        return with_spanish_hints(super().get_form(request, obj, **kwargs))

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = with_spanish_hints(formset.form)
        return formset

    # The list of items

    def get_list_display(self, request):
        # After the item's name (its link), where a long row does not push it out of sight.
        columns = list(super().get_list_display(request))
        links = self.get_list_display_links(request, columns) or columns[:1]
        after = 1
        while after < len(columns) and columns[after] in links:
            after += 1
        return [*columns[:after], "spanish", *columns[after:]]

    def get_list_filter(self, request):
        return [*super().get_list_filter(request), SpanishFilter]

    @admin.display(description=_("Spanish"))
    def spanish(self, obj):
        missing = field_labels(type(obj), missing_spanish(obj))
        if not missing:
            return "✓"
        if len(missing) > LISTED_IN_COLUMN + 1:
            missing = gettext("%(fields)s and %(count)d more") % {
                "fields": ", ".join(missing[:LISTED_IN_COLUMN]),
                "count": len(missing) - LISTED_IN_COLUMN,
            }
        else:
            missing = ", ".join(missing)
        return gettext("Missing: %(fields)s") % {"fields": missing}

    # The change page of a single item (the service page)

    @admin.display(description=_("Spanish still missing"))
    def spanish_missing(self, obj):
        """Every field of `obj` and of its inlines' rows whose Spanish is empty; the English shows there."""
        if obj is None or obj.pk is None:
            return "—"
        lines = []
        if own := missing_spanish(obj):
            lines.append((obj._meta.verbose_name.capitalize(), ", ".join(field_labels(type(obj), own))))
        for inline in self.inlines:
            if not translated_fields(inline.model):
                continue
            parent = next(
                field.name
                for field in inline.model._meta.fields
                if field.is_relation and field.related_model is self.model
            )
            for row in inline.model._default_manager.filter(**{parent: obj}):
                if missing := missing_spanish(row):
                    label = f"{inline.model._meta.verbose_name.capitalize()} “{row}”"
                    lines.append((label, ", ".join(field_labels(inline.model, missing))))
        if not lines:
            return gettext("Nothing: every field has its Spanish.")
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}: {}</li>", lines))
