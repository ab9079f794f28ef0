"""Start the explorer: `python -m sim.explorer [--port N] [--save-to DIR]` serves the page on
127.0.0.1 (default port 8765; 0 picks a free one). Scenario files are saved into scenarios/,
or DIR.

It works offline: Solara's browser assets come from the solara-assets package (the `explorer`
extra), its content delivery network is pointed at a closed port on this machine so that a
missing asset fails here rather than going out, its telemetry is off and it does not ask PyPI
for a newer version. Stop it with Ctrl-C.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

OFFLINE = {
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",   # no usage reports
    "SOLARA_ASSETS_CDN": "http://127.0.0.1:9/",     # never fetch an asset from the internet
    "SOLARA_THEME_SHOW_BANNER": "False",
    "MPLBACKEND": "Agg",
}
PORT = 8765


def solara_arguments(port: int | str = PORT) -> list[str]:
    """The `solara run` command line for the page (production mode, this machine only)."""
    page = Path(__file__).with_name("page.py")
    return ["solara", "run", str(page), "--host", "127.0.0.1", "--port", str(port),
            "--production", "--no-open", "--no-check-version"]


def main(arguments: list[str] | None = None) -> None:
    arguments = sys.argv[1:] if arguments is None else arguments
    if arguments and arguments[0] in ("-h", "--help"):
        print(__doc__.strip())
        return
    port = arguments[arguments.index("--port") + 1] if "--port" in arguments else PORT
    if "--save-to" in arguments:
        os.environ["ALLIANCE_SIM_SAVE_TO"] = str(Path(arguments[arguments.index("--save-to")
                                                             + 1]).resolve())
    for key, value in OFFLINE.items():   # Solara reads these when it is imported
        os.environ.setdefault(key, value)
    try:
        from solara.__main__ import main as solara_main
    except ImportError:
        sys.exit('error: the explorer needs its extra: python -m pip install -e ".[explorer]"')
    print(f"alliance-sim explorer: open http://127.0.0.1:{port}/ (Ctrl-C stops it)",
          flush=True)
    sys.argv = solara_arguments(port)
    solara_main()


if __name__ == "__main__":
    main()
