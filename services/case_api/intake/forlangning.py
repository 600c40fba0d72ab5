"""Förlängning of the förhandsbedömning: a recorded decision, for synnerliga skäl only.

20 kap. 2 § SoL (2025:400) lets the fourteen days be extended only when there are synnerliga
skäl. The extension is decided before the förhandsbedömning, with its reasons and a new last
day; the bevakning moves to that day, and a förhandsbedömning decided by it needs no further
reasons. A förhandsbedömning decided late without such a decision still has to state them.
"""

from case_api.bevakning import service as bevakning_service
from case_api.events import service as events
from case_api.intake.models import Aktualisering, ForhandsbedomningForlangning
from case_api.intake.schemas import ForhandsbedomningForlangningIn
from case_api.kontext import Kontext
from case_api.laddning import rader
from case_api.tillstand import krav
from common.problems import UnprocessableContent


async def forlang(
    k: Kontext, *, akt: Aktualisering, indata: ForhandsbedomningForlangningIn
) -> ForhandsbedomningForlangning:
    from case_api.intake.service import krav_oppet_arende

    akt.status = krav("aktualisering", akt.status, "forlangning")
    await krav_oppet_arende(k, akt)
    running = await bevakning_service.oppna_for(k, objekt_id=akt.id, typ="forhandsbedomning")
    if not running:
        # Övrig information starts no fourteen days; there is nothing to extend.
        raise UnprocessableContent.field(
            "ny_forfallodatum", "no förhandsbedömning time runs for this aktualisering", "no_limit"
        )
    tidigare = running[0].forfallodatum
    if indata.beslutsdatum < akt.inkom_dag:
        raise UnprocessableContent.field("beslutsdatum", "is before the aktualisering came in", "too_early")
    if indata.beslutsdatum > k.idag():
        raise UnprocessableContent.field("beslutsdatum", "lies in the future", "future")
    if indata.ny_forfallodatum <= tidigare:
        raise UnprocessableContent.field("ny_forfallodatum", f"must be after {tidigare}", "too_early")
    forlangning = ForhandsbedomningForlangning(
        aktualisering_id=akt.id,
        arende_id=akt.arende_id,
        enhet=akt.enhet,
        beslutad_av=k.vem.sub,
        beslutsdatum=indata.beslutsdatum,
        synnerliga_skal=indata.synnerliga_skal,
        tidigare_forfallodatum=tidigare,
        ny_forfallodatum=indata.ny_forfallodatum,
        sen=indata.beslutsdatum > tidigare or k.idag() > tidigare,
        created_at=k.nu(),
    )
    k.session.add(forlangning)
    akt.version += 1
    await bevakning_service.flytta(
        k, objekt_id=akt.id, typ="forhandsbedomning", ny_forfallodatum=indata.ny_forfallodatum
    )
    # The reasons stay in the case: they can name people, and no event needs them.
    await events.emit(
        k.session,
        type="forhandsbedomning.forlangd",
        arende_id=akt.arende_id,
        data={
            "arende_id": akt.arende_id,
            "aktualisering_id": akt.id,
            "forlangning_id": forlangning.id,
            "enhet": akt.enhet,
            "beslutsdatum": forlangning.beslutsdatum,
            "tidigare_forfallodatum": tidigare,
            "ny_forfallodatum": forlangning.ny_forfallodatum,
            "sen": forlangning.sen,
        },
        occurred_at=k.nu(),
    )
    await k.session.flush()
    return forlangning


async def forlangningar(k: Kontext, akt: Aktualisering) -> list[ForhandsbedomningForlangning]:
    return await rader(k, ForhandsbedomningForlangning, ordning=("created_at",), aktualisering_id=akt.id)
