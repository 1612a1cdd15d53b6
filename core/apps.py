from django.apps import AppConfig
from django.db.models.signals import post_migrate


def legacy_chain_after_flush(sender, using, **kwargs):
    """A database emptied by a flush (each test in real transactions ends with one) gets the empty legacy chain its
    migration made, where every new chain begins."""
    from core.events import GENESIS, LEGACY_CHAIN
    from core.models import Chain

    Chain.objects.using(using).get_or_create(name=LEGACY_CHAIN, defaults={"origin": GENESIS, "head": GENESIS})


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self):
        post_migrate.connect(legacy_chain_after_flush, sender=self)
