"""The action server: rasa-sdk's app, answering only the Rasa server that holds the token.

`python -m actions.server [--port 5055]` serves the actions of this package on 127.0.0.1
(SANIC_HOST). Rasa sends `ACTION_SERVER_TOKEN` with every call (endpoints.yml, `token:`; it
arrives as the `token` query parameter); any other caller gets 401 before its body is read.
Errors never echo the request (rasa-sdk's handler returns the whole tracker). No CORS: browsers
have no business here. Without ACTION_SERVER_TOKEN the server refuses to start.

The tracker a caller sends is still not trusted for anything that matters: dossier answers need
a grant the validation recorded in the assistant's database (actions/onestop/guard.py).
"""
from __future__ import annotations

import argparse
import hmac
import logging
import os
import sys
from typing import Optional

from rasa_sdk.endpoint import create_app as create_sdk_app
from sanic import Sanic, response
from sanic.request import Request

logger = logging.getLogger(__name__)
DEFAULT_PORT = 5055
OPEN_PATHS = ("/health",)


def create_app(token: str, package: str = "actions") -> Sanic:
    """rasa-sdk's app for `package`, behind the token check."""
    if not token:
        raise ValueError("ACTION_SERVER_TOKEN is required")
    app = create_sdk_app(package, cors_origins=None)
    expected = token.encode("utf-8")

    @app.middleware("request")
    async def require_token(request: Request) -> Optional[response.HTTPResponse]:
        if request.path in OPEN_PATHS:
            return None
        provided = (request.args.get("token") or "").encode("utf-8")
        if not hmac.compare_digest(provided, expected):
            return response.json({"error": "unauthorized"}, status=401)
        return None

    @app.exception(Exception)
    async def failure(request: Request, exception: Exception) -> response.HTTPResponse:
        logger.error("action server error on %s: %s", request.path, type(exception).__name__)
        return response.json({"error": "internal error"}, status=500)

    return app


def main(argv: Optional[list] = None) -> int:
    parser = argparse.ArgumentParser(description="Action server (rasa-sdk) with token check")
    parser.add_argument("--port", type=int, default=int(os.environ.get("ACTIONS_PORT", DEFAULT_PORT)))
    parser.add_argument("--host", default=os.environ.get("SANIC_HOST", "127.0.0.1"))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s - %(message)s")
    token = os.environ.get("ACTION_SERVER_TOKEN", "")
    if not token:
        print("ACTION_SERVER_TOKEN is not set: the action server does not start without it.", file=sys.stderr)
        return 2
    app = create_app(token)
    logger.info("Action server on http://%s:%d", args.host, args.port)
    app.run(args.host, args.port, workers=1, access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
