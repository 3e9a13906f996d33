"""The one-command run on embedded defaults: no outside service, no account."""

from config.settings.base import *
from config.settings.base import VAR_DIR

DEBUG = True
# Mail is written to files a person can open (one .log file per message batch) under var/mail/.
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = str(VAR_DIR / "mail")
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
