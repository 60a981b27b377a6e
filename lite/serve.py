"""Serve the built site on this machine only (for trying it, and for the browser test).

    python lite/serve.py [--port 8000] [--dir build/lite]

Then open http://127.0.0.1:8000/lab/index.html. Any static web server works as well, as long as
it sends `.mjs` as JavaScript and `.wasm` as application/wasm (GitHub Pages does).
"""

from __future__ import annotations

import argparse
import functools
import http.server
from pathlib import Path

TYPES = {".mjs": "text/javascript", ".js": "text/javascript", ".wasm": "application/wasm",
         ".json": "application/json", ".whl": "application/zip", ".ipynb": "application/json"}


class Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, **TYPES}

    def log_message(self, format, *args):      # quiet: the browser test records requests
        pass


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="serve the course site on 127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--dir", type=Path,
                        default=Path(__file__).resolve().parent.parent / "build" / "lite")
    args = parser.parse_args(argv)
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", args.port), functools.partial(Handler, directory=str(args.dir)))
    print(f"serving {args.dir} on http://127.0.0.1:{args.port}/lab/index.html", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
