from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    """Licence documents and venue photos (public schema): their types, their metadata, the
    presigned uploads straight to S3 and the verification of what was stored."""

    name = "documents"
    verbose_name = _("Documents")
    default_auto_field = "django.db.models.BigAutoField"
