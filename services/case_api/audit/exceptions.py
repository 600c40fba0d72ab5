from common.problems import ProblemError


class InvalidCursor(ProblemError):
    status, slug, title = 422, "invalid-cursor", "The cursor is not one this service issued"


class InvalidPeriod(ProblemError):
    status, slug, title = 422, "invalid-period", "The period ends before it starts"
