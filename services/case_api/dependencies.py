"""Dependencies every case_api router uses."""

from typing import Annotated

from fastapi import Depends

from case_api.access_matrix import MATRIX, SYSTEM_SCOPES
from common.auth import Principal, authorizer

# Every /v1 route depends on this: it authenticates and checks the role matrix.
authorize = authorizer(MATRIX, SYSTEM_SCOPES)
Caller = Annotated[Principal, Depends(authorize)]
