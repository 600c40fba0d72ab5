from common.problems import ProblemError


class AvvikelseSaknas(ProblemError):
    status, slug, title = 404, "avvikelse-saknas", "No such avvikelse (or not visible to you)"


class KommandoEjTillatet(ProblemError):
    status, slug, title = (
        409,
        "avvikelse-kommando-ej-tillatet",
        "The command does not fit the avvikelse's state",
    )


class OgiltigCursor(ProblemError):
    status, slug, title = 422, "ogiltig-cursor", "The cursor is not one this list handed out"


class EnhetEjTillaten(ProblemError):
    status, slug, title = 403, "enhet-ej-tillaten", "Your role sees only your own enhet"
