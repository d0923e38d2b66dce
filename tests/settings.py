"""Settings for the test run: the product's settings with the test flags set first."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("PAXCARE_TESTING", "1")
os.environ.setdefault("PAXCARE_MEDIA_ROOT", tempfile.mkdtemp(prefix="paxcare-media-"))

from paxcare.settings import *  # noqa: E402,F403

# Hashing a password the production way costs a quarter of a second; the tests create
# hundreds of users and test authentication, not the strength of the hash.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# WhiteNoise warns on every request when the collected-static folder is missing.
STATIC_ROOT = Path(tempfile.mkdtemp(prefix="paxcare-static-"))
