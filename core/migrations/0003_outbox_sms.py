from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0002_inbox_and_outbox"),
    ]

    operations = [
        migrations.AddField(
            model_name="outboxmessage",
            name="sms",
            field=models.BooleanField(default=False),
        ),
    ]
