"""The organiser's application form (/kelola/pengajuan/). It only parses what people typed; the
rules (NPWP, NIB, phone, areas, what submission needs) live in applications.services, whose
refusals the view puts back next to the fields."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from applications import areas
from applications.identifiers import npwp_display
from applications.models import OrganiserApplication
from organizers.phone import phone_display
from tenants.errors import UserText

Kind = OrganiserApplication.Kind


def _text(
    label: UserText, *, max_length: int, help_text: UserText = "", **attrs: str
) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        help_text=help_text,
        widget=forms.TextInput(attrs=attrs) if attrs else None,
    )


def _regency_choices() -> list[tuple[str, object]]:
    """Grouped by province, so the list reads without a script; the service still checks that
    the regency is in the chosen province."""
    return [
        ("", _("Choose a regency or city")),
        *[(name, areas.regency_choices(code)) for code, name in areas.province_choices()],
    ]


class ApplicationForm(forms.Form):
    legal_name = _text(
        _("Legal name"),
        max_length=200,
        help_text=_("As on your deed of establishment or licence, e.g. PT Sehat Bersama."),
    )
    kind = forms.ChoiceField(
        label=_("Kind of organisation"),
        required=False,
        choices=[("", _("Choose a kind")), *Kind.choices],
    )
    npwp = _text(
        _("NPWP"),
        max_length=40,
        help_text=_("15 digits (01.234.567.8-901.000) or 16 in the new form."),
        inputmode="numeric",
    )
    nib = _text(
        _("NIB"),
        max_length=40,
        help_text=_("13 digits, from OSS. A puskesmas or local government office has none."),
        inputmode="numeric",
    )
    address = forms.CharField(
        label=_("Registered address"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    province_code = forms.ChoiceField(label=_("Province"), required=False, choices=())
    regency_code = forms.ChoiceField(label=_("Regency or city"), required=False, choices=())
    contact_name = _text(_("Contact person"), max_length=200)
    contact_phone = _text(
        _("Contact phone"),
        max_length=30,
        help_text=_("An Indonesian number, e.g. 0812 3456 7890."),
        inputmode="tel",
    )
    partner_facility_name = _text(
        _("Partner health facility"),
        max_length=200,
        help_text=_("Company programmes (Gotong Royong): the clinic or hospital that vaccinates."),
    )
    partner_facility_address = forms.CharField(
        label=_("Partner facility's address"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        province: forms.ChoiceField = self.fields["province_code"]  # type: ignore[assignment]
        province.choices = [("", _("Choose a province")), *areas.province_choices()]
        regency: forms.ChoiceField = self.fields["regency_code"]  # type: ignore[assignment]
        regency.choices = _regency_choices()

    @classmethod
    def initial_from(cls, application: OrganiserApplication | None) -> dict[str, str]:
        """The saved draft as people typed it (NPWP with its dots, the phone spaced)."""
        if application is None:
            return {}
        return {
            "legal_name": application.legal_name,
            "kind": application.kind,
            "npwp": npwp_display(application.npwp),
            "nib": application.nib,
            "address": application.address,
            "province_code": application.province_code,
            "regency_code": application.regency_code,
            "contact_name": application.contact_name,
            "contact_phone": phone_display(application.contact_phone),
            "partner_facility_name": application.partner_facility_name,
            "partner_facility_address": application.partner_facility_address,
        }

    def changes(self) -> dict[str, str]:
        """Every field as typed, for the service (which checks and normalises them)."""
        return {name: self.cleaned_data.get(name) or "" for name in self.fields}
