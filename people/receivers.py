"""A changed password revokes the account's API tokens (people.services.api_token_revoke_all).

Watched on the user's row rather than in the views, so that every way of changing a password counts: the
admin's "change password" form, `manage.py changepassword`, Django's password change view if a page uses it,
a script calling set_password. And any change of what a caller is (an account, its roles and tokens, a person's
link to an account) moves people.services.caller_changed's number. Connected in people/apps.py. (What people
tells the apps above it is in people/signals.py.)
"""

from django.contrib.auth.models import User
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from people.models import ApiToken, Person, RoleAssignment
from people.services import api_token_revoke_all, caller_changed


def _hash_upgrade(user, update_fields) -> bool:
    """Django re-hashes a password on login when its hasher or iterations changed (check_password's setter):
    the same password, so not a change. The setter clears the raw password and saves that one field."""
    return user._password is None and update_fields is not None and set(update_fields) == {"password"}


@receiver(pre_save, sender=User, dispatch_uid="people.password_watch")
def password_watch(sender, instance, update_fields=None, raw=False, **kwargs):
    instance._password_changed = False
    if raw or instance._state.adding or instance.pk is None:
        return  # a new account has no tokens; fixtures load as they are
    if update_fields is not None and "password" not in update_fields:
        return  # last_login on every login: no query
    if _hash_upgrade(instance, update_fields):
        return
    stored = User.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    instance._password_changed = stored is not None and stored != instance.password


@receiver(post_save, sender=User, dispatch_uid="people.password_revokes_tokens")
def password_revokes_tokens(sender, instance, created=False, raw=False, **kwargs):
    if getattr(instance, "_password_changed", False):
        instance._password_changed = False
        api_token_revoke_all(user=instance)


def caller_watch(sender, instance, update_fields=None, **kwargs):
    if update_fields is not None and set(update_fields) <= {"last_login", "last_used_at"}:
        return  # on every sign-in, every few minutes of a token's use: nothing a caller may do depends on them
    caller_changed()


for _model in (User, RoleAssignment, ApiToken, Person):
    post_save.connect(caller_watch, sender=_model, dispatch_uid=f"people.caller_watch.save.{_model.__name__}")
    post_delete.connect(caller_watch, sender=_model, dispatch_uid=f"people.caller_watch.delete.{_model.__name__}")
