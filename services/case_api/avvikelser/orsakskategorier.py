"""The fixed list of cause categories an avvikelse is filed under, each with where it comes from.

Taken from seed 002 (Ledningssystem för systematiskt kvalitetsarbete): what an avvikelse is
(5.4.3), the processes the units must follow (5.1), samverkan (5.2), personal and kompetens
(5.3), the quality criteria of chapter 4, the documentation duty (6), and unauthorised access
to records (3.1.4). Sammanställningar count by these, so changing a key changes history.
"""

from dataclasses import dataclass
from enum import StrEnum


class Orsakskategori(StrEnum):
    lag_foreskrift_beslut = "lag_foreskrift_beslut"
    rutin_ej_foljd = "rutin_ej_foljd"
    handlaggning = "handlaggning"
    verkstallighet = "verkstallighet"
    samverkan = "samverkan"
    kompetens_bemanning = "kompetens_bemanning"
    bemotande_integritet = "bemotande_integritet"
    tillganglighet = "tillganglighet"
    trygghet_sakerhet = "trygghet_sakerhet"
    dokumentation = "dokumentation"
    sekretess_obehorig_atkomst = "sekretess_obehorig_atkomst"
    ovrigt = "ovrigt"


@dataclass(frozen=True)
class Kategori:
    benamning: str
    kalla: str


KATALOG: dict[Orsakskategori, Kategori] = {
    Orsakskategori.lag_foreskrift_beslut: Kategori(
        "Krav i lag, föreskrift eller beslut uppfylls inte", "seed 002, 5.4.3"
    ),
    Orsakskategori.rutin_ej_foljd: Kategori(
        "Processer och rutiner i ledningssystemet följs inte", "seed 002, 5.4.3"
    ),
    Orsakskategori.handlaggning: Kategori(
        "Mottagning av anmälningar, aktualisering, förhandsbedömning och handläggning", "seed 002, 5.1"
    ),
    Orsakskategori.verkstallighet: Kategori(
        "Verkställighet, uppstart och uppföljning av insatser", "seed 002, 5.1"
    ),
    Orsakskategori.samverkan: Kategori("Samverkan internt och externt", "seed 002, 5.2"),
    Orsakskategori.kompetens_bemanning: Kategori(
        "Personal- och kompetensförsörjning, introduktion", "seed 002, 5.3"
    ),
    Orsakskategori.bemotande_integritet: Kategori(
        "Respekt för självbestämmande och integritet, bemötande", "seed 002, 4"
    ),
    Orsakskategori.tillganglighet: Kategori("Tillgänglighet", "seed 002, 4"),
    Orsakskategori.trygghet_sakerhet: Kategori(
        "Trygghet, säkerhet och rättssäkerhet i myndighetsutövning", "seed 002, 4"
    ),
    Orsakskategori.dokumentation: Kategori("Dokumentation", "seed 002, 6"),
    Orsakskategori.sekretess_obehorig_atkomst: Kategori(
        "Sekretess, obehörig åtkomst till journal", "seed 002, 3.1.4"
    ),
    Orsakskategori.ovrigt: Kategori("Övrigt", "-"),
}
