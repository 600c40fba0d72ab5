"""The error responses each kind of route declares (rendered as problem+json by common.openapi)."""

from typing import Any

from common.problems import Problem

_P: dict[str, Any] = {"model": Problem}

READ: dict[int | str, dict[str, Any]] = {401: _P, 403: _P, 404: _P}
LIST: dict[int | str, dict[str, Any]] = {401: _P, 403: _P, 422: _P}
CREATE: dict[int | str, dict[str, Any]] = {400: _P, 401: _P, 403: _P, 404: _P, 409: _P, 422: _P}
COMMAND: dict[int | str, dict[str, Any]] = {
    400: _P,
    401: _P,
    403: _P,
    404: _P,
    409: _P,
    412: _P,
    422: _P,
    428: _P,
}
# A command on an object that carries no version (revoking a permission): no If-Match.
UNVERSIONED_COMMAND: dict[int | str, dict[str, Any]] = {400: _P, 401: _P, 403: _P, 404: _P, 409: _P, 422: _P}
