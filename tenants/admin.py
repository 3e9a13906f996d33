"""Django admin: platform staff only, on the root domain only (it is not in the tenant URLconf)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest

from tenants.models import (
    AuditEntry,
    Domain,
    DoseIntervalRule,
    Membership,
    OrganizerSignup,
    Tenant,
    User,
    VaccineBrand,
)

admin.site.site_header = "Sentra · platform staff"
admin.site.site_title = "Sentra"


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "schema_name", "review_status", "created_at")
    list_filter = ("review_status",)
    search_fields = ("name", "slug")
    # The review status moves only through tenants.services.lifecycle (the review console at
    # /staf/), which checks the state, records the audit entry and emails the owner.
    readonly_fields = (
        "schema_name",
        "uid",
        "created_at",
        "review_status",
        "review_status_changed_at",
    )
    inlines = (DomainInline, MembershipInline)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read only, as the table itself (the database refuses changes)."""

    list_display = ("at", "actor_email", "action", "target_type", "target_id", "tenant_id")
    list_filter = ("action",)
    search_fields = ("actor_email", "target_id", "reason")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ("email",)
    list_display = ("email", "full_name", "is_staff", "is_active", "date_joined")
    search_fields = ("email", "full_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("full_name", "language")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(OrganizerSignup)
class OrganizerSignupAdmin(admin.ModelAdmin):
    list_display = ("organisation_name", "slug", "status", "provisioning_seconds", "created_at")
    list_filter = ("status",)
    readonly_fields = ("tenant", "provisioning_started_at", "provisioning_seconds", "failure_code")


class DoseIntervalRuleInline(admin.TabularInline):
    model = DoseIntervalRule
    extra = 0


@admin.register(VaccineBrand)
class VaccineBrandAdmin(admin.ModelAdmin):
    """Platform reference data: vaccines and the days allowed between their doses."""

    list_display = ("name", "code", "is_active")
    inlines = (DoseIntervalRuleInline,)


@admin.register(DoseIntervalRule)
class DoseIntervalRuleAdmin(admin.ModelAdmin):
    list_display = ("brand", "from_dose", "to_dose", "min_days", "max_days")
    list_filter = ("brand",)
