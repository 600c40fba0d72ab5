"""Personnummer and samordningsnummer: validated (check digit, date, century), kept as 12 digits."""

from datetime import date

from personnummer import personnummer as pnr_lib

from common.problems import UnprocessableContent


class OgiltigtPersonnummer(UnprocessableContent):
    slug, title = "invalid-personnummer", "Invalid personnummer or samordningsnummer"


def normalisera(value: str, *, field: str, idag: date) -> tuple[str, bool]:
    """Return (12 digits, is samordningsnummer) or raise 422 naming the field."""
    try:
        parsed = pnr_lib.Personnummer(value)
        born = parsed.get_date()
    except (pnr_lib.PersonnummerException, ValueError):
        raise _invalid(field, "not a valid personnummer or samordningsnummer (check digit, date)") from None
    if born > idag:
        raise _invalid(field, "the birth date is in the future")
    digits = parsed.format(True).replace("-", "").replace("+", "")
    return digits, parsed.is_coordination_number()


def fodelsedatum(value: str) -> date:
    return pnr_lib.Personnummer(value).get_date()  # type: ignore[no-any-return]


def alder(fodd: date, dag: date) -> int:
    return dag.year - fodd.year - ((dag.month, dag.day) < (fodd.month, fodd.day))


def _invalid(field: str, message: str) -> OgiltigtPersonnummer:
    return OgiltigtPersonnummer(
        f"{field}: {message}.", errors=[{"field": field, "message": message, "code": "personnummer"}]
    )
