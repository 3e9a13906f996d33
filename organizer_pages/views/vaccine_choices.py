"""The vaccine choices of the venue and programme forms."""

from __future__ import annotations

from organizers.selectors import vaccine_brand_choices_active, vaccine_brand_names


def brand_choices_keeping(current: list[str]) -> list[tuple[str, str]]:
    """The active vaccines, plus any the platform has since retired that this venue or
    programme still names: they stay visible (and removable) instead of vanishing silently."""
    choices = vaccine_brand_choices_active()
    offered = {code for code, _name in choices}
    names = vaccine_brand_names()
    return choices + [(code, names.get(code, code)) for code in current if code not in offered]
