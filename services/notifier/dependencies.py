from typing import Annotated

from fastapi import Depends, Request

from common.auth import Principal, authorizer
from common.clock import ClockDep
from notifier.access_matrix import MATRIX
from notifier.settings import Settings

__all__ = ["Caller", "ClockDep", "SettingsDep", "authorize"]

authorize = authorizer(MATRIX)
Caller = Annotated[Principal, Depends(authorize)]


def current_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(current_settings)]
