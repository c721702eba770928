"""``python -m kinetrace.web.manage <command>`` (same as ``python -m kinetrace.web``)."""

from __future__ import annotations

from kinetrace.web.__main__ import main

if __name__ == "__main__":
    main()
