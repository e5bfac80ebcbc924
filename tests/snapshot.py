"""The rows a command writes into an empty database, taken once per run and written back in a test.

load_clinic_content takes about half a second and 169 queries; writing back the
rows it wrote takes one query per table. The rows are copied column by column,
through each field's own conversion to and from the database, so the Spanish
and English columns of a translated field come back exactly as they were.
"""

from datetime import datetime

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone


class Table:
    """One model's rows as the command left them."""

    def __init__(self, model):
        self.model = model
        self.fields = model._meta.concrete_fields
        # A plain QuerySet: modeltranslation's would read a translated field's
        # column through the active language.
        self.rows = list(QuerySet(model).order_by("pk").values_list(*(field.attname for field in self.fields)))

    def insert(self, cursor, stamp):
        quote = connection.ops.quote_name
        columns = ", ".join(quote(field.column) for field in self.fields)
        placeholders = ", ".join(["%s"] * len(self.fields))
        sql = f"INSERT INTO {quote(self.model._meta.db_table)} ({columns}) VALUES ({placeholders})"
        cursor.executemany(sql, [
            [field.get_db_prep_save(stamp(value), connection) for field, value in zip(self.fields, row, strict=True)]
            for row in self.rows
        ])


class Snapshot:
    """The rows `load()` wrote, in an order where each table comes after those it points to."""

    def __init__(self, tables, started, finished):
        self.tables = tables
        self.started, self.finished = started, finished

    @classmethod
    def of(cls, load):
        """Run `load()` on the (empty) test database, keep what it wrote, and roll it back."""
        models = [  # every table once, the many-to-many ones too
            model for model in apps.get_models(include_auto_created=True)
            if model._meta.managed and not model._meta.proxy
        ]
        with transaction.atomic():
            before = {model: Table(model).rows for model in models}
            started = timezone.now()
            load()
            finished = timezone.now()
            tables = [Table(model) for model in models]
            tables = [table for table in tables if table.rows != before[table.model]]
            transaction.set_rollback(True)
        kept = [table.model._meta.label for table in tables if before[table.model]]
        if kept:
            raise ValueError(f"A snapshot is taken of tables that start empty; these had rows: {', '.join(kept)}")
        return cls(in_dependency_order(tables), started, finished)

    def can_restore(self):
        """Whether every table it holds is empty, so its rows can go back as they were written."""
        quote = connection.ops.quote_name
        taken = " OR ".join(f"EXISTS (SELECT 1 FROM {quote(table.model._meta.db_table)})" for table in self.tables)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT 1 WHERE {taken}")
            return cursor.fetchone() is None

    def restore(self):
        """Write the rows back, with their primary keys, then move the tables' sequences past them.

        Times the command stamped while it ran (`updated_at`, a notice's
        `published_at`) are stamped again with the time of the restore, as
        the command would have stamped them had it run now.
        """
        now = timezone.now()

        def stamp(value):
            if isinstance(value, datetime) and self.started <= value <= self.finished:
                return now
            return value

        with transaction.atomic(), connection.cursor() as cursor:
            for table in self.tables:
                table.insert(cursor, stamp)
            # PostgreSQL's sequences do not see explicit keys; SQLite's AUTOINCREMENT does.
            for sql in connection.ops.sequence_reset_sql(no_style(), [table.model for table in self.tables]):
                cursor.execute(sql)


def in_dependency_order(tables):
    """`tables` ordered so that each comes after the tables its foreign keys point to."""
    by_model = {table.model: table for table in tables}
    ordered, done = [], set()

    def visit(model, path=()):
        if model in done:
            return
        if model in path:
            raise ValueError(f"Foreign keys go round in a circle: {' -> '.join(m.__name__ for m in (*path, model))}")
        for field in model._meta.concrete_fields:
            target = field.related_model
            if field.is_relation and target in by_model and target is not model:
                visit(target, (*path, model))
        done.add(model)
        ordered.append(by_model[model])

    for table in tables:
        visit(table.model)
    return ordered
