"""Forms of the public pages. Validation messages are translated: the form re-shows with them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from tenants.errors import ApplicationError
from tenants.models import OrganizerSignup, User
from tenants.services.provisioning import organizer_signup_create, organizer_slug_validate


class OrganizerSignupForm(forms.Form):
    """Added to allauth's sign-up form on the root domain: who the organiser is."""

    full_name = forms.CharField(label=_("Your full name"), max_length=200)
    organisation_name = forms.CharField(label=_("Organisation name"), max_length=200)
    slug = forms.CharField(label=_("Subdomain"), max_length=40)
    programme_kind = forms.ChoiceField(
        label=_("Programme"),
        choices=OrganizerSignup.ProgrammeKind.choices,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["slug"].help_text = _("Your booking page will be at <subdomain>.%(root)s") % {
            "root": settings.ROOT_DOMAIN
        }

    def clean_slug(self) -> str:
        try:
            return organizer_slug_validate(slug=self.cleaned_data["slug"])
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from exc

    def signup(self, request: HttpRequest, user: User) -> None:
        """Called by allauth once the account exists. public_site.views.public.SignupView runs
        the whole sign-up in one transaction, so a subdomain lost to a concurrent sign-up
        between validation and here leaves no account behind."""
        user.full_name = self.cleaned_data["full_name"]
        user.language = get_language() or "id"
        user.save(update_fields=["full_name", "language"])
        organizer_signup_create(
            organisation_name=self.cleaned_data["organisation_name"],
            slug=self.cleaned_data["slug"],
            programme_kind=self.cleaned_data["programme_kind"],
            owner=user,
        )
