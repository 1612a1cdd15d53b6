"""Forms whose data is written by a service: the service validates, the form shows its errors. And the login
forms (the site's and the admin's)."""

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MaxLengthValidator


class ServiceModelForm(forms.ModelForm):
    """A ModelForm that only parses input; the model's own validation runs once, inside the service.

    Running it here too would raise ValueError for errors on fields the form does not show (e.g. a
    place's parent, which comes from the URL), so `_post_clean` is skipped and the service's
    ValidationError is put next to the fields with `add_service_errors`.
    """

    def _post_clean(self):
        pass

    def add_service_errors(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for field, errors in error.error_dict.items():
            self.add_error(field if field in self.fields and field != NON_FIELD_ERRORS else None, errors)

    def changes(self) -> dict:
        """The cleaned values of the form's model fields, as keyword arguments for a service."""
        return {name: self.cleaned_data[name] for name in self._meta.fields if name in self.cleaned_data}


class LoginForm(AuthenticationForm):
    """Django's login form with the username's length checked: Django sets its max_length after making the
    field, so nothing checked it, and a longer one reached django-axes, whose record of a failed login holds 255
    characters (PostgreSQL refused the insert: a 500 instead of "wrong username or password")."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length))


class AdminLoginForm(LoginForm, AdminAuthenticationForm):
    """The admin's login form, with the same check (core/admin.py)."""
