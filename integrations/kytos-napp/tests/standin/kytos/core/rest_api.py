"""Kytos-ng re-exports Starlette's Request and a JSONResponse; the stand-in keeps the content."""

import json


class Request:  # pylint: disable=too-few-public-methods
    """Only passed through by the NApp."""


class JSONResponse:  # pylint: disable=too-few-public-methods
    def __init__(self, content, status_code=200):
        self.content = content
        self.status_code = status_code
        self.body = json.dumps(content).encode()
