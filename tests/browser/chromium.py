"""Where the browser tests find Chromium, how they start it, where screenshots go."""

import os
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(os.environ.get("PAXCARE_SCREENSHOTS", "/tmp/paxcare-screenshots"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-gpu",
]
