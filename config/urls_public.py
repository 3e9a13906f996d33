"""URLs of the root domain: landing page, organiser sign-up, staff console, Django admin."""

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from common import health
from public_site.views import dev_mail, public, review_console, staff_mfa

# The admin's own password form would sign staff in without their TOTP step (issue #12): its
# login sends everyone to allauth's, which asks for the code (tenants.middleware makes staff
# set TOTP up), and refuses a signed-in account that is not staff.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

# A database outage is a 503 "try again", not a 500 (public_site/views/errors.py).
handler500 = "public_site.views.errors.server_error"

urlpatterns = [
    path("", public.landing, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    # Before allauth's own: the organiser sign-up in one transaction.
    path("accounts/signup/", public.signup, name="account_signup"),
    # Before allauth's own: staff land on the review console once TOTP is set up.
    path("accounts/2fa/totp/activate/", staff_mfa.activate_totp, name="mfa_activate_totp"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    # The staff review console (platform staff with TOTP): public_site.views.review_console.
    path("staf/", review_console.review_queue, name="review_queue"),
    path("staf/organisasi/<uuid:uid>/", review_console.review_organiser, name="review_organiser"),
    path(
        "staf/organisasi/<uuid:uid>/dokumen/<int:document_id>/",
        review_console.review_document,
        name="review_document",
    ),
    path("staf/item/<int:item_id>/klaim/", review_console.review_claim, name="review_claim"),
    path("staf/item/<int:item_id>/keputusan/", review_console.review_decide, name="review_decide"),
    # ./sentra run only: read the emails written to var/mail/ (404 unless DEBUG).
    path("dev/mail/", dev_mail.dev_mail_list, name="dev_mail_list"),
    path("dev/mail/<str:file>/<int:index>/", dev_mail.dev_mail_detail, name="dev_mail_detail"),
    path(
        "dev/mail/<str:file>/<int:index>/<int:number>/",
        dev_mail.dev_mail_part,
        name="dev_mail_part",
    ),
]
