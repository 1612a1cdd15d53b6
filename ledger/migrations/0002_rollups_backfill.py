"""The roll-ups of the needs already recorded (ledger.rollups.rebuild, with the models of this migration)."""

from django.db import migrations


def backfill(apps, schema_editor):
    from ledger.rollups import rebuild

    rebuild(apps=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0001_rollups"),
        ("core", "0001_initial"),
        ("needs", "0004_accepted_at_index"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
