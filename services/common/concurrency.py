"""ETags and If-Match: a change to an existing object must name the version it was based on."""

from typing import Annotated

from fastapi import Header, Response

from common.problems import PreconditionFailed, PreconditionRequired


def etag(version: int) -> str:
    return f'"{version}"'


def set_etag(response: Response, version: int) -> None:
    response.headers["ETag"] = etag(version)


IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description="The ETag of the object as you last read it; required on every change.",
    ),
]


def check_if_match(if_match: str | None, current_version: int) -> None:
    """428 without If-Match, 412 when it names another version or a weak tag (`W/"1"`). `*` is
    not accepted: a blind overwrite is exactly what the header exists to prevent."""
    if if_match is None or not if_match.strip():
        raise PreconditionRequired("Send If-Match with the ETag you last read.")
    # Strong comparison (RFC 9110 13.1.1): a weak validator never matches for If-Match.
    candidates = {tag.strip() for tag in if_match.split(",")}
    if etag(current_version) not in candidates:
        raise PreconditionFailed(
            "The object has changed since you read it.", current_etag=etag(current_version)
        )
