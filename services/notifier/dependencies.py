from typing import Annotated

from fastapi import Depends, Request

from common.auth import Principal, authorizer
from common.clock import Clock, system_clock
from notifier.access_matrix import MATRIX
from notifier.settings import Settings

authorize = authorizer(MATRIX)
Caller = Annotated[Principal, Depends(authorize)]


def current_clock(request: Request) -> Clock:
    clock: Clock = getattr(request.app.state, "clock", system_clock)
    return clock


def current_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


ClockDep = Annotated[Clock, Depends(current_clock)]
SettingsDep = Annotated[Settings, Depends(current_settings)]
