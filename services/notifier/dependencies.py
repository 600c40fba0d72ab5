from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request

from common.auth import Principal, authorizer
from common.clock import ClockDep
from notifier.access_matrix import MATRIX, SYSTEM_SCOPES, WHO_MAY_CALL, who_may_call
from notifier.settings import Settings

__all__ = ["Caller", "ClockDep", "SettingsDep", "authorize", "describe_access"]

authorize = authorizer(MATRIX, SYSTEM_SCOPES, scopes_required=True)
Caller = Annotated[Principal, Depends(authorize)]


async def current_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(current_settings)]


def describe_access(app: FastAPI) -> None:
    """Every operation's OpenAPI description opens with who may call it, made from the matrix,
    so the spec and the check cannot say different things."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        spec = build()  # cached by the app after the first call: prefix once
        for item in spec.get("paths", {}).values():
            for operation in item.values():
                name = operation.get("operationId")
                description = operation.get("description", "")
                if name in MATRIX and not description.startswith(WHO_MAY_CALL):
                    sentence = who_may_call(name)
                    operation["description"] = f"{sentence}\n\n{description}" if description else sentence
        return spec

    app.openapi = openapi  # type: ignore[method-assign]
