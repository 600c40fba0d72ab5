"""The configured rule table: the defaults with the nämnd's settings applied."""

from collections.abc import Mapping
from functools import lru_cache

from case_api.regler.exceptions import RegelSaknas
from case_api.regler.tabell import Regel, regler_med_installningar
from case_api.settings import Settings

Paminnelser = tuple[tuple[str, tuple[int, ...]], ...]


@lru_cache(maxsize=8)
def _tabell(paminnelser: Paminnelser, lex_sarah_dagar: int, omprovning_dagar: int) -> Mapping[str, Regel]:
    return regler_med_installningar(dict(paminnelser), lex_sarah_dagar, omprovning_dagar)


def regeltabell(*, settings: Settings) -> Mapping[str, Regel]:
    """Every rule as this deployment watches it (BEVAKNING_PAMINNELSER, LEX_SARAH_UTREDNING_DAGAR,
    OMPROVNING_DAGAR)."""
    paminnelser = tuple(sorted((k, tuple(v)) for k, v in settings.bevakning_paminnelser.items()))
    return _tabell(paminnelser, settings.lex_sarah_utredning_dagar, settings.omprovning_dagar)


def hamta_regel(*, settings: Settings, regel_id: str) -> Regel:
    try:
        return regeltabell(settings=settings)[regel_id]
    except KeyError:
        raise RegelSaknas(f"No rule with id {regel_id!r}.") from None
