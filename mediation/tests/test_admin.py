"""The back office reads a case file (superusers only) and writes nothing: every change goes through the services."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from mediation.models import Agreement, BuildingPair, Dispute, Mediator, Party, Step

pytestmark = pytest.mark.django_db
MODELS = (BuildingPair, Dispute, Party, Mediator, Step)


def test_a_superuser_reads_and_cannot_write(client, root, dispute):
    client.force_login(root)
    for model in MODELS:
        obj = model.objects.first()
        name = f"admin:mediation_{model._meta.model_name}"
        assert client.get(reverse(f"{name}_changelist")).status_code == 200
        assert client.get(reverse(f"{name}_change", args=[obj.pk])).status_code == 200
        assert client.get(reverse(f"{name}_add")).status_code == 403
        assert client.post(reverse(f"{name}_delete", args=[obj.pk]), {"post": "yes"}).status_code == 403
    assert Dispute.objects.count() == 1 and Agreement.objects.count() == 0
    parties = client.get(reverse("admin:mediation_party_changelist")).content.decode()
    assert "张*" in parties and "张三" not in parties and "13598765432" not in parties


def test_staff_with_model_permissions_still_cannot_open_a_case(client, accounts, dispute):
    staff = accounts["community_staff"]
    staff.is_staff = True
    staff.save()
    staff.user_permissions.add(*Permission.objects.filter(content_type__app_label="mediation"))
    client.force_login(staff)
    assert client.get(reverse("admin:mediation_dispute_change", args=[dispute.pk])).status_code == 403
    assert client.get(reverse("admin:mediation_party_changelist")).status_code == 403
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200 and "/admin/mediation/" not in index.content.decode()
