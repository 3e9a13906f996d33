"""URLs of an organiser's host (<slug>.<root domain>). Every pattern here needs a row in
tests/test_isolation.py."""

from django.urls import include, path

from public_site.views import health, organizer, tenant

urlpatterns = [
    path("", tenant.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("kelola/", tenant.dashboard, name="dashboard"),
    path("kelola/program/", organizer.programme_list_page, name="programme_list"),
    path("kelola/program/baru/", organizer.programme_create_page, name="programme_create"),
    path(
        "kelola/program/<int:programme_id>/", organizer.programme_edit_page, name="programme_edit"
    ),
    path("kelola/lokasi/", organizer.venue_list_page, name="venue_list"),
    path("kelola/lokasi/baru/", organizer.venue_create_page, name="venue_create"),
    path("kelola/lokasi/<int:venue_id>/", organizer.venue_edit_page, name="venue_edit"),
    path(
        "kelola/lokasi/<int:venue_id>/jadwal/baru/",
        organizer.slot_template_create_page,
        name="slot_template_create",
    ),
    path(
        "kelola/lokasi/<int:venue_id>/jadwal/<int:template_id>/",
        organizer.slot_template_detail_page,
        name="slot_template_detail",
    ),
    path(
        "kelola/lokasi/<int:venue_id>/kalender/",
        organizer.venue_calendar_page,
        name="venue_calendar",
    ),
    path("kelola/slot/<int:slot_id>/", organizer.slot_edit_page, name="slot_edit"),
    path("kelola/libur/", organizer.blackout_day_list_page, name="blackout_day_list"),
    path("accounts/", include("allauth.urls")),
    path("api/", include("api.urls")),
]
