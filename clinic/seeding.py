"""What every app's seed shares: saying what it loaded, and filling in the Spanish without overwriting anything.

A seed loads its rows only while their table is empty, and gives a row the
Spanish of the clinic's copy only where its Spanish field is empty and the
English beside it is still the copy's: a Spanish text staff wrote is kept, and
English staff rewrote gets no stale translation.
"""

from typing import NamedTuple

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet


class Row(NamedTuple):
    """A row the copy describes: the rows that are it, its fields' (English, Spanish) texts, and how to name it."""

    queryset: QuerySet
    texts: dict
    name: str
    slug_es: str = ""


class Loader:
    """Fills in the seeds' Spanish and reports what they loaded, on the command's output in its style."""

    def __init__(self, stdout, style):
        self.stdout = stdout
        self.style = style

    def report(self, model, created):
        name = model._meta.verbose_name_plural
        if created:
            self.stdout.write(self.style.SUCCESS(f"Loaded {created} {name}."))
        else:
            self.stdout.write(f"Kept the {name} already there.")

    def translate(self, model, rows):
        """Give each of `rows` (Row) the Spanish it may have, then report what was filled and what was not."""
        loaded, edited, missing, taken = 0, [], [], []
        for row in rows:
            instances = list(row.queryset)
            if not instances:
                missing.append(row.name)
            for instance in instances:
                filled, stale = fill_spanish(instance, row.texts)
                if row.slug_es:
                    if fill_spanish_slug(instance, row.slug_es):
                        filled.append("slug_es")
                    elif not instance.slug_es:
                        taken.append(row.slug_es)
                loaded += bool(filled)
                if stale:
                    edited.append(f"{row.name} ({', '.join(stale)})")
        self.report_spanish(model, loaded, edited, missing, taken)

    def report_spanish(self, model, loaded, edited, missing, taken):
        meta = model._meta
        if loaded:
            name = meta.verbose_name if loaded == 1 else meta.verbose_name_plural
            self.stdout.write(self.style.SUCCESS(f"Loaded Spanish for {loaded} {name}."))
        else:
            self.stdout.write(f"Kept the Spanish of the {meta.verbose_name_plural} already there.")
        if edited:
            self.stdout.write(self.style.WARNING(
                f"Left the Spanish empty where the English of the {meta.verbose_name_plural} was edited: "
                + "; ".join(edited)
            ))
        if missing:
            self.stdout.write(self.style.WARNING(
                f"Found none of these {meta.verbose_name_plural} to translate (renamed or deleted): "
                + "; ".join(missing)
            ))
        if taken:
            self.stdout.write(self.style.WARNING(
                f"Left the Spanish address empty where another of the {meta.verbose_name_plural} has it: "
                + ", ".join(taken)
            ))


def fill_spanish(instance, texts):
    """Set each `<field>_es` of `texts` ({field: (english, spanish)}) that is empty while `<field>_en` is the English.

    Returns the fields filled, and those left empty because their English was edited.
    """
    filled, stale = {}, []
    for field, (english, spanish) in texts.items():
        if getattr(instance, f"{field}_es"):
            continue  # written by staff, or by an earlier run
        if same_text(getattr(instance, f"{field}_en"), english):
            filled[field] = spanish
        else:
            stale.append(field)
    if not filled:
        return [], stale
    # The values just read are the condition, so an edit saved meanwhile wins.
    unchanged = {}
    for field in filled:
        unchanged[f"{field}_en"] = getattr(instance, f"{field}_en")
        unchanged[f"{field}_es"] = getattr(instance, f"{field}_es")  # None or ""
    updated = type(instance).objects.filter(pk=instance.pk, **unchanged).update(
        **{f"{field}_es": spanish for field, spanish in filled.items()}
    )
    return (list(filled) if updated else []), stale


def fill_spanish_slug(instance, slug_es):
    """Give `instance` the Spanish address `slug_es` if it has none and no other row answers to it."""
    if instance.slug_es:
        return False
    model = type(instance)
    # Pages are found by either slug (with_slug), so an English slug counts as taken too.
    if model.objects.exclude(pk=instance.pk).filter(Q(slug=slug_es) | Q(slug_es=slug_es)).exists():
        return False
    try:
        with transaction.atomic():  # the unique constraint decides a race
            return bool(model.objects.filter(pk=instance.pk, slug_es="").update(slug_es=slug_es))
    except IntegrityError:
        return False


def same_text(stored, english):
    """Whether `stored` is still `english`, allowing for the admin's Windows line ends and outer spaces."""
    return stored is not None and stored.replace("\r\n", "\n").strip() == english.strip()
