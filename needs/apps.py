from importlib import import_module

from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def report_url(place) -> str | None:
    """Where a QR poster's "report a problem here" leads (places.hooks.report_url): the need form with the place
    filled in (needs.views.submit reads ?place=), for a place a need may be about."""
    from django.urls import reverse

    from needs.actions import NEED_PLACE_KINDS

    return f"{reverse('needs:submit')}?place={place.code}" if place.kind in NEED_PLACE_KINDS else None


def defaults_after_flush(sender, using, **kwargs):
    """A database emptied by a flush (each test in real transactions ends with one) gets the categories and deadline
    policies its migration made: with no category at all, the first ones again (a renamed one is never recreated)."""
    from needs.models import Category

    if not Category.objects.using(using).exists():
        import_module("needs.migrations.0002_categories_and_deadlines").seed(apps, None)


class NeedsConfig(AppConfig):
    name = "needs"
    verbose_name = _("Needs")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from core.events import state_check_register
        from needs.replay import needs_check
        from places.hooks import report_url_register

        report_url_register(report_url)
        state_check_register("needs.need", needs_check)
        post_migrate.connect(defaults_after_flush, sender=self)
