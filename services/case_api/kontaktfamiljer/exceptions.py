from common.problems import ProblemError


class KontaktfamiljSaknas(ProblemError):
    status, slug, title = 404, "kontaktfamilj-saknas", "No such kontaktfamilj (or not of your enhet)"


class KontaktfamiljEjUtredd(ProblemError):
    """`saknas` lists each missing step, and godkannande / avtal / avtal_utgatt / avtal_ej_borjat."""

    status, slug, title = 409, "kontaktfamilj-ej-utredd", "The kontaktfamilj is not fully investigated"


class KommandoEjTillatet(ProblemError):
    status, slug, title = (
        409,
        "kontaktfamilj-kommando-ej-tillatet",
        "The command does not fit the kontaktfamilj's state",
    )


class IngenEnhet(ProblemError):
    status, slug, title = 403, "ingen-enhet", "Your token names no enhet"
