"""Settings for the test run: the product's settings with the test flags set first."""

import os
import tempfile

os.environ.setdefault("PAXCARE_TESTING", "1")
os.environ.setdefault("PAXCARE_MEDIA_ROOT", tempfile.mkdtemp(prefix="paxcare-media-"))

from paxcare.settings import *  # noqa: E402,F403
