"""Programmes, the doses and sexes people give, and a programme's age rules. Tenant schema."""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Dose(models.IntegerChoices):
    FIRST = 1, _("First dose")
    SECOND = 2, _("Second dose")
    BOOSTER = 3, _("Booster")


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class Programme(models.Model):
    """A vaccination programme: a company's for its own people, or a public one.

    Who may book (organizers.services.eligibility): a company programme admits people on its
    roster, holders of an unused invite, or addresses in `allowed_email_domains`, up to `quota`
    people; a public programme admits by the age rules (AgeRule), each from its release date."""

    class Kind(models.TextChoices):
        COMPANY = "company", _("Company programme (own employees)")
        PUBLIC = "public", _("Public programme")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    vaccine_brands = ArrayField(
        models.SlugField(max_length=30), default=list, blank=True, verbose_name=_("vaccines")
    )
    doses = ArrayField(
        models.PositiveSmallIntegerField(choices=Dose.choices),
        default=list,
        blank=True,
        verbose_name=_("doses"),
        help_text=_("Empty: every dose."),
    )
    is_active = models.BooleanField(default=True)
    uses_roster = models.BooleanField(_("employees on the roster may book"), default=False)
    uses_invites = models.BooleanField(_("people with an invite link may book"), default=False)
    allowed_email_domains = ArrayField(
        models.CharField(max_length=100),
        default=list,
        blank=True,
        verbose_name=_("email domains that may book"),
        help_text=_("e.g. company.co.id: anyone with an address there may book."),
    )
    quota = models.PositiveIntegerField(
        _("company quota (people)"),
        null=True,
        blank=True,
        help_text=_("Empty: no limit."),
    )
    asks_employee_number = models.BooleanField(_("ask for the employee number"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name

    def offers_dose(self, dose: int) -> bool:
        return not self.doses or dose in self.doses

    def first_dose(self) -> int:
        """The first dose it offers: the one the booking pages show seats for before anyone
        has said which dose they book (and the booking form's default)."""
        return min(self.doses, default=Dose.FIRST)


class AgeRule(models.Model):
    """Public programme: people aged min_age..max_age (on the day they book) may book from
    `opens_on` (e.g. 60+ first, everyone a week later). No rules: everyone may book."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="age_rules")
    min_age = models.PositiveSmallIntegerField(_("from age"), default=0)
    max_age = models.PositiveSmallIntegerField(_("up to age"), null=True, blank=True)
    opens_on = models.DateField(_("may book from"))

    class Meta:
        ordering = ("opens_on", "-min_age")

    def __str__(self) -> str:
        return f"{self.min_age}-{self.max_age or ''} from {self.opens_on}"
