"""Licence documents and venue photos (public schema): the types staff maintain, and each
uploaded document's metadata. The bytes live in S3 (documents.object_store), never here."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tenants.models import Tenant


class DocumentType(models.Model):
    """A kind of document and its rules: reference data, seeded by the migration and edited by
    staff in the admin. `scope` says whether one is needed per organiser or per venue."""

    class Scope(models.TextChoices):
        ORGANIZER = "organizer", _("Organiser")
        VENUE = "venue", _("Venue")

    code = models.SlugField(max_length=40, unique=True)
    name_id = models.CharField(_("name (Indonesian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.ORGANIZER)
    required = models.BooleanField(default=True)
    # Only organisers running a company programme (Gotong Royong) need it.
    company_programmes_only = models.BooleanField(default=False)
    # Comma-separated content types accepted (checked by content, documents.verification).
    content_types = models.CharField(max_length=200, default="application/pdf")
    max_bytes = models.PositiveIntegerField(default=10 * 1024 * 1024)
    has_number = models.BooleanField(default=True)
    has_expiry = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("position", "code")

    def __str__(self) -> str:
        return self.name_en

    @property
    def name(self) -> str:
        """The name in the active language (Indonesian first)."""
        from django.utils.translation import get_language

        return self.name_en if (get_language() or "id").startswith("en") else self.name_id

    @property
    def allowed_types(self) -> frozenset[str]:
        return frozenset(t.strip() for t in self.content_types.split(",") if t.strip())


class Document(models.Model):
    """One upload of one document type by one organiser (and venue, for photos). Its object is
    at `key`, under the tenant's prefix; it counts once its state is RECEIVED."""

    class State(models.TextChoices):
        AWAITING_UPLOAD = "awaiting_upload", _("Waiting for the upload")
        VERIFYING = "verifying", _("Being checked")
        RECEIVED = "received", _("Received")
        REFUSED = "refused", _("Refused")

    class Refusal(models.TextChoices):
        NOT_UPLOADED = "not_uploaded", _("No file arrived. Upload it again.")
        EMPTY = "empty", _("The file is empty.")
        TOO_LARGE = "too_large", _("The file is larger than this document type allows.")
        UNKNOWN_TYPE = "unknown_type", _("The file is not a PDF, JPEG, PNG or WebP file.")
        TYPE_NOT_ALLOWED = (
            "type_not_allowed",
            _("This kind of file is not accepted for this document type."),
        )
        TYPE_MISMATCH = (
            "type_mismatch",
            _("The file's content does not match its type (a renamed file?)."),
        )
        MARKUP = "markup", _("Web pages and SVG images are not accepted.")
        EXECUTABLE = "executable", _("Programs are not accepted.")
        ARCHIVE = "archive", _("Archives (ZIP, RAR, 7z, gzip) are not accepted.")
        POLYGLOT = "polyglot", _("The file also contains another kind of file.")
        UNREADABLE = "unreadable", _("The file is damaged or incomplete and cannot be read.")
        IMAGE_TOO_LARGE = "image_too_large", _("The image has too many pixels.")
        PDF_ENCRYPTED = "pdf_encrypted", _("The PDF is password-protected or encrypted.")
        PDF_JAVASCRIPT = "pdf_javascript", _("The PDF contains JavaScript.")
        PDF_LAUNCH = "pdf_launch", _("The PDF contains an action that launches a program.")
        PDF_EMBEDDED_FILE = "pdf_embedded_file", _("The PDF contains embedded files.")
        INFECTED = "infected", _("The virus scanner found malware in the file.")

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="documents")
    document_type = models.ForeignKey(DocumentType, on_delete=models.PROTECT)
    # A venue of the tenant's schema (organizers.Venue id) for venue photos; no FK across
    # schemas.
    venue_id = models.BigIntegerField(null=True, blank=True)
    number = models.CharField(_("document number"), max_length=100, blank=True)
    issuer = models.CharField(_("issued by"), max_length=200, blank=True)
    issued_on = models.DateField(_("issue date"), null=True, blank=True)
    expires_on = models.DateField(_("expiry date"), null=True, blank=True)
    key = models.CharField(max_length=300, unique=True)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(null=True, blank=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.AWAITING_UPLOAD)
    refusal = models.CharField(max_length=30, choices=Refusal.choices, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    # When the object of a refused or abandoned upload was deleted from S3 (the sweep).
    object_deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("created_at", "id")
        indexes = [models.Index(fields=("tenant", "state"), name="document_tenant_state")]

    def __str__(self) -> str:
        return f"{self.document_type.code} {self.id}"

    @property
    def refusal_message(self) -> str:
        """Why it was refused, in the reader's language (translated when shown)."""
        if not self.refusal:
            return ""
        return str(self.Refusal(self.refusal).label)

    @property
    def expired(self) -> bool:
        return self.expires_on is not None and self.expires_on < timezone.localdate()
