from typing import Annotated

from fastapi import Depends

from common.auth import Principal, authorizer
from notifier.access_matrix import MATRIX

authorize = authorizer(MATRIX)
Caller = Annotated[Principal, Depends(authorize)]
