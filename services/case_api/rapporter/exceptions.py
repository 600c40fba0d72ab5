from common.problems import ProblemError


class OgiltigPeriod(ProblemError):
    status, slug, title = 422, "ogiltig-period", "The period is not valid"
