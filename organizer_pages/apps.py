from django.apps import AppConfig


class OrganizerPagesConfig(AppConfig):
    name = "organizer_pages"
    verbose_name = "Organiser pages"
