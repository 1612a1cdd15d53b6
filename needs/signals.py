"""What needs tells the apps above it. They subscribe in their AppConfig.ready(); needs imports none of them.

`need_changed` is sent inside need_act's transaction, after the need is saved and before its event is
appended, so a receiver's writes (the ledger's roll-ups) commit or roll back with the action itself.
Receivers get `need` (as saved) and `action` (the workflow action's name).
"""

from django.dispatch import Signal

need_changed = Signal()
