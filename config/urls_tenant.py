"""URLs of an organiser's host (<slug>.<root domain>). Every pattern here needs a row in
tests/test_isolation.py."""

from django.urls import include, path

from booking_pages.views import (
    home,
    invites,
    manage,
    person,
    review,
    schedule,
    waitlist,
    waitlist_offer,
)
from common import (
    health,
    link_tokens,  # noqa: F401 (registers <token:...>)
)
from organizer_pages.views import (
    application,
    blackout_days,
    branding,
    dashboard,
    documents,
    eligibility,
    messages,
    programmes,
    slots,
    venues,
)

# A database outage is a 503 "try again", not a 500 (public_site/views/errors.py).
handler500 = "public_site.views.errors.server_error"

urlpatterns = [
    # First: the booking API is what opening hour hammers, and Django tries patterns in order.
    path("api/", include("api.urls")),
    path("", home.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    # Booking (people without an account): booking_pages/views/
    path("daftar/<int:programme_id>/", schedule.programme_page, name="booking_programme"),
    path("daftar/<int:programme_id>/<int:venue_id>/", schedule.venue_page, name="booking_venue"),
    path(
        "daftar/<int:programme_id>/<int:venue_id>/<str:day>/",
        schedule.day_page,
        name="booking_day",
    ),
    path("daftar/data-diri/", person.person_page, name="booking_person"),
    path("daftar/kontak/", person.contact_page, name="booking_contact"),
    path("daftar/kode-email/", person.email_code_page, name="booking_email_code"),
    path("daftar/periksa/", review.review_page, name="booking_review"),
    path("daftar/selesai/", review.done_page, name="booking_done"),
    path("daftar/daftar-tunggu/", waitlist.waitlist_done_page, name="waitlist_done"),
    path(
        "daftar/tawaran/<token:token>/", waitlist_offer.waitlist_offer_page, name="waitlist_offer"
    ),
    path("undangan/<token:token>/", invites.invite_page, name="booking_invite"),
    # Managing a booking: booking_pages/views/manage.py
    path("janji/", manage.manage_start_page, name="manage_start"),
    path("janji/masuk/<token:token>/", manage.manage_link_page, name="manage_link"),
    path("janji/<int:booking_id>/", manage.manage_page, name="manage_booking"),
    path("janji/<int:booking_id>/batal/", manage.manage_cancel_page, name="manage_cancel"),
    path(
        "janji/<int:booking_id>/ubah/",
        manage.manage_reschedule_page,
        name="manage_reschedule",
    ),
    path(
        "janji/<int:booking_id>/ubah/<str:day>/",
        manage.manage_reschedule_day_page,
        name="manage_reschedule_day",
    ),
    path(
        "janji/<int:booking_id>/kirim-ulang/",
        manage.manage_resend_page,
        name="manage_resend",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("kelola/", dashboard.dashboard, name="dashboard"),
    path("kelola/pengajuan/", application.application_page, name="application"),
    path("kelola/dokumen/", documents.document_list_page, name="document_list"),
    path(
        "kelola/dokumen/<int:document_id>/lihat/",
        documents.document_view_page,
        name="document_view",
    ),
    path("kelola/program/", programmes.programme_list_page, name="programme_list"),
    path("kelola/program/baru/", programmes.programme_create_page, name="programme_create"),
    path(
        "kelola/program/<int:programme_id>/", programmes.programme_edit_page, name="programme_edit"
    ),
    # Who may book a programme: organizer_pages/views/eligibility.py
    path(
        "kelola/program/<int:programme_id>/siapa-boleh/",
        eligibility.eligibility_page,
        name="programme_eligibility",
    ),
    path(
        "kelola/program/<int:programme_id>/siapa-boleh/usia/<int:rule_id>/hapus/",
        eligibility.age_rule_delete_page,
        name="programme_age_rule_delete",
    ),
    path(
        "kelola/program/<int:programme_id>/karyawan/",
        eligibility.roster_page,
        name="programme_roster",
    ),
    path(
        "kelola/program/<int:programme_id>/karyawan/impor/<int:import_id>/",
        eligibility.roster_import_page,
        name="programme_roster_import",
    ),
    path(
        "kelola/program/<int:programme_id>/karyawan/impor/<int:import_id>/kemajuan/",
        eligibility.roster_import_progress,
        name="programme_roster_import_progress",
    ),
    path(
        "kelola/program/<int:programme_id>/karyawan/<int:entry_id>/hapus/",
        eligibility.roster_entry_delete_page,
        name="programme_roster_entry_delete",
    ),
    path(
        "kelola/program/<int:programme_id>/undangan/",
        eligibility.invites_page,
        name="programme_invites",
    ),
    path(
        "kelola/program/<int:programme_id>/undangan/<int:invite_id>/cabut/",
        eligibility.invite_revoke_page,
        name="programme_invite_revoke",
    ),
    path("kelola/lokasi/", venues.venue_list_page, name="venue_list"),
    path("kelola/lokasi/baru/", venues.venue_create_page, name="venue_create"),
    path("kelola/lokasi/<int:venue_id>/", venues.venue_edit_page, name="venue_edit"),
    path(
        "kelola/lokasi/<int:venue_id>/jadwal/baru/",
        slots.slot_template_create_page,
        name="slot_template_create",
    ),
    path(
        "kelola/lokasi/<int:venue_id>/jadwal/<int:template_id>/",
        slots.slot_template_detail_page,
        name="slot_template_detail",
    ),
    path(
        "kelola/lokasi/<int:venue_id>/kalender/",
        slots.venue_calendar_page,
        name="venue_calendar",
    ),
    path("kelola/slot/<int:slot_id>/", slots.slot_edit_page, name="slot_edit"),
    path("kelola/libur/", blackout_days.blackout_day_list_page, name="blackout_day_list"),
    # The outbox (delivery status): organizer_pages/views/messages.py
    path("kelola/pesan/", messages.message_list_page, name="message_list"),
    path(
        "kelola/pesan/<int:message_id>/kirim-ulang/",
        messages.message_send_again_page,
        name="message_send_again",
    ),
    path("kelola/tampilan/", branding.branding_edit_page, name="branding_edit"),
    path(
        "kelola/tampilan/pratinjau/",
        branding.branding_preview_page,
        name="branding_preview",
    ),
    path("logo/<str:version>.png", branding.logo, name="brand_logo"),
    path("accounts/", include("allauth.urls")),
]
