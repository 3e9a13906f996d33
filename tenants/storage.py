"""The one storage interface for uploaded files (licence documents, venue photos, logos, roster
files waiting for their import).

Behind it is Django's "default" storage: local disk in the one-command run, S3 through boto3
(django-storages) in production; the same calls either way. Every key starts with the current
tenant's identity (`tenants/<uid>/`) and is built here, on the server: a user's file name never
becomes part of a key. Reading a key outside the current tenant's prefix is "not found".
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

from django.core.files.base import ContentFile, File
from django.core.files.storage import Storage, storages
from django.utils.translation import gettext_lazy as _

from tenants.context import require_current_tenant
from tenants.errors import NotFoundError

if TYPE_CHECKING:
    from tenants.models import Tenant

CATEGORIES = frozenset({"licence-documents", "venue-photos", "branding", "roster-imports"})
# Extensions come from the checked content type, never from the uploaded name.
EXTENSIONS = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "text/csv": ".csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
}


@dataclass(frozen=True)
class StoredObject:
    key: str
    size: int
    content_type: str


def _storage() -> Storage:
    return storages["default"]


def object_key_build(*, category: str, content_type: str) -> str:
    return object_key_for(
        tenant=require_current_tenant(), category=category, content_type=content_type
    )


def object_key_for(*, tenant: Tenant, category: str, content_type: str) -> str:
    """A new key for `tenant`: its prefix, the category, a random id and the extension of the
    content type. Nothing in it comes from a user. For code that names the tenant itself (the
    public schema's documents, documents.services) rather than running inside its schema."""
    if category not in CATEGORIES:
        raise ValueError(f"unknown storage category {category!r}")
    if content_type not in EXTENSIONS:
        raise ValueError(f"content type {content_type!r} is not stored")
    return f"{tenant.storage_prefix}{category}/{uuid.uuid4().hex}{EXTENSIONS[content_type]}"


def tenant_file_save(*, category: str, content: bytes, content_type: str) -> StoredObject:
    """Store `content` for the current tenant. Tenant schema. The caller has already checked
    the content (type sniffing, re-encoding); this only decides where it goes."""
    key = object_key_build(category=category, content_type=content_type)
    saved_key = _storage().save(key, ContentFile(content))
    return StoredObject(key=saved_key, size=len(content), content_type=content_type)


def _key_of_current_tenant(key: str) -> str:
    tenant = require_current_tenant()
    if not key.startswith(tenant.storage_prefix) or ".." in key:
        raise NotFoundError(_("File not found."))
    return key


def tenant_file_open(*, key: str) -> IO[bytes] | File:
    key = _key_of_current_tenant(key)
    storage = _storage()
    if not storage.exists(key):
        raise NotFoundError(_("File not found."))
    return storage.open(key, "rb")


def tenant_file_delete(*, key: str) -> None:
    _storage().delete(_key_of_current_tenant(key))
