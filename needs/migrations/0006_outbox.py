"""The outbox (needs.OutboxMessage): each message the gateway has yet to send, so that a lost task does not
lose it."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('needs', '0005_contact_reference_evidence'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='OutboxMessage',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('text', models.TextField()),
                ('created_at', models.DateTimeField()),
                ('claimed_at', models.DateTimeField(blank=True, null=True)),
                ('need', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='needs.need')),
                ('user', models.ForeignKey(blank=True, help_text="Empty: the contact the need's reporter left.", null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'message to send',
                'verbose_name_plural': 'messages to send',
            },
        ),
    ]
