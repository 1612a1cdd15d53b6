"""What every service shares: the permission check and the full validation of a model before it is written."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _


def require(allowed: bool, message: str | None = None) -> None:
    if not allowed:
        raise PermissionDenied(message or _("You do not have permission to do this."))


def validated(instance, *, exclude=None):
    """Run the model's field and cross-field validation; raise ValidationError with every problem."""
    instance.full_clean(exclude=exclude)
    return instance


__all__ = ["require", "validated", "ValidationError", "PermissionDenied"]
