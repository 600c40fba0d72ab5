from common.problems import ProblemError, UnprocessableContent


class AvvikelseSaknas(ProblemError):
    status, slug, title = 404, "avvikelse-saknas", "No such avvikelse (or not visible to you)"


class KommandoEjTillatet(ProblemError):
    status, slug, title = (
        409,
        "avvikelse-kommando-ej-tillatet",
        "The command does not fit the avvikelse's state",
    )


class EnhetEjTillaten(ProblemError):
    status, slug, title = 403, "enhet-ej-tillaten", "Your role sees only your own enhet"


class ArendeSaknas(UnprocessableContent):
    """arende_id names no ärende: a 422 naming the field, like any other invalid input."""
