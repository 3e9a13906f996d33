from django.contrib import admin
from django.http import HttpRequest

from documents.models import Document, DocumentType


@admin.register(DocumentType)
class DocumentTypeAdmin(admin.ModelAdmin):
    """Staff edit the types and their rules here until the review console takes them over."""

    list_display = ("code", "name_id", "scope", "required", "company_programmes_only", "position")
    list_editable = ("required", "position")


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    """Read-only: documents change through documents.services (upload, verify, sweep)."""

    list_display = ("id", "tenant", "document_type", "venue_id", "state", "created_at")
    list_filter = ("state", "document_type")
    readonly_fields = [field.name for field in Document._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
