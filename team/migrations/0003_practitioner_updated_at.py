import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("team", "0002_public_profiles"),
    ]

    operations = [
        migrations.AddField(
            model_name="practitioner",
            name="updated_at",
            # Existing profiles are stamped with the time of the migration.
            field=models.DateTimeField(auto_now=True, default=django.utils.timezone.now, verbose_name="last changed"),
            preserve_default=False,
        ),
    ]
