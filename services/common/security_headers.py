"""Headers every response carries (issue 11 item 9).

`X-Content-Type-Options: nosniff` everywhere. `Cache-Control: no-store` on everything under
/v1: any of those answers may carry a person's data (a list, a problem naming a field), and
telling them apart per route is how one gets forgotten. The health probes and the docs may be
cached; a route that set its own Cache-Control keeps it.
"""

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        personal = str(scope.get("path", "")).startswith("/v1/") or scope.get("path") == "/v1"

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["X-Content-Type-Options"] = "nosniff"
                if personal and "cache-control" not in headers:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, with_headers)
