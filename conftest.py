"""Test-run environment, set before Django reads its settings."""

import os
import tempfile

os.environ.setdefault("PAXCARE_TESTING", "1")
os.environ.setdefault("PAXCARE_MEDIA_ROOT", tempfile.mkdtemp(prefix="paxcare-media-"))
