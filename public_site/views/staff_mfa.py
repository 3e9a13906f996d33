"""TOTP set-up for platform staff ends on the review console (issue #12, item 1), not on
allauth's list of authenticators: the console is their work."""

from __future__ import annotations

from allauth.mfa.totp.views import ActivateTOTPView
from django.contrib import messages
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class StaffActivateTOTPView(ActivateTOTPView):
    """allauth's set-up page, unchanged but for where it leads: platform staff go to the
    review console, told where their recovery codes are (they can be viewed again there:
    MFA_RECOVERY_CODES_SHOW_ONCE is off); everyone else goes where allauth sends them."""

    def get_success_url(self) -> str:
        if not self.request.user.is_staff:
            return super().get_success_url()
        if self.did_generate_recovery_codes:
            messages.warning(
                self.request,
                _(
                    "Two-factor authentication is on. Save your recovery codes now: "
                    "Two-factor authentication, then Recovery codes."
                ),
            )
        return reverse("review_queue")


activate_totp = StaffActivateTOTPView.as_view()
