from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "ledger"
    verbose_name = _("Happiness ledger")

    def ready(self):
        from ledger import rollups
        from needs.signals import need_changed

        # The roll-ups move in the action's own transaction, so they are exact (never eventually consistent).
        need_changed.connect(rollups.need_action_receiver, dispatch_uid="ledger.rollups")
