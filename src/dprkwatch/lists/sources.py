"""Who publishes each list, where to fetch it, and whether the source is still in force.

One table, :data:`SOURCES`, is the only place a publisher's name, download
URLs and retirement date are written. Importers name their source by key
(``source = "uksl"``); snapshots record that key in their manifest; ``lists
update`` downloads from the URLs here; ``lists status``, ``/catalog`` and
``/readyz`` read the retirement date from here. A publisher that moves its
files is then one edit.

A *retired* source is one its publisher no longer updates: OFSI's
Consolidated List stopped on 28 January 2026, when the FCDO's UK Sanctions
List became the only official UK list. Its files still import, for history,
but every view of such a snapshot says the source is retired.

URLs are the ones the publishers gave in 2025-2026 and could not be checked
from the machine this was written on (no network); ``lists update`` reports
a moved file as a one-line error naming the URL, and
:func:`dprkwatch.lists.download.fetch` refuses redirects to other hosts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Download:
    """One file of a publication: saved under ``filename`` from ``url``."""

    filename: str
    url: str
    optional: bool = False


@dataclass(frozen=True)
class Source:
    """One publication of one publisher (a list can have had several over time)."""

    key: str
    list_name: str
    publisher: str
    title: str
    homepage: str
    # The importer `lists update` uses on the downloaded main file (never sniffed:
    # a publisher switching layouts must be an error, not a silent change of importer).
    update_format: str | None = None
    downloads: tuple[Download, ...] = ()
    retired: date | None = None
    successor: str | None = None

    def retired_note(self) -> str | None:
        """ "retired on 2026-01-28; replaced by ..." or None while the source is in force."""
        if self.retired is None:
            return None
        note = f"{self.title} retired on {self.retired.isoformat()}"
        if self.successor and self.successor in SOURCES:
            note += f"; replaced by the {SOURCES[self.successor].title}"
        return note


_OFAC = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports"
_OFAC_PUBLISHER = "US Department of the Treasury, Office of Foreign Assets Control"

SOURCES: dict[str, Source] = {
    s.key: s
    for s in (
        Source(
            "ofac-sdn",
            "ofac",
            _OFAC_PUBLISHER,
            "OFAC Specially Designated Nationals (SDN) List",
            "https://ofac.treasury.gov/specially-designated-nationals-and-blocked-persons-list-sdn-human-readable-lists",
            update_format="ofac-sdn",
            downloads=(
                Download("sdn.csv", f"{_OFAC}/SDN.CSV"),
                Download("add.csv", f"{_OFAC}/ADD.CSV"),
                Download("alt.csv", f"{_OFAC}/ALT.CSV"),
                Download("sdn_comments.csv", f"{_OFAC}/SDN_COMMENTS.CSV", optional=True),
            ),
        ),
        Source(
            "ofac-cons",
            "ofac_cons",
            _OFAC_PUBLISHER,
            "OFAC Consolidated (non-SDN) List",
            "https://ofac.treasury.gov/consolidated-sanctions-list-non-sdn-lists",
            update_format="ofac-cons",
            downloads=(
                Download("cons_prim.csv", f"{_OFAC}/CONS_PRIM.CSV"),
                Download("cons_add.csv", f"{_OFAC}/CONS_ADD.CSV"),
                Download("cons_alt.csv", f"{_OFAC}/CONS_ALT.CSV"),
                Download("cons_comments.csv", f"{_OFAC}/CONS_COMMENTS.CSV", optional=True),
            ),
        ),
        Source(
            "un",
            "un",
            "United Nations Security Council",
            "UN Security Council Consolidated List",
            "https://main.un.org/securitycouncil/en/content/un-sc-consolidated-list",
            update_format="un-xml",
            downloads=(
                Download(
                    "consolidated.xml",
                    "https://scsanctions.un.org/resources/xml/en/consolidated.xml",
                ),
            ),
        ),
        Source(
            "eu",
            "eu",
            "European Commission (FPI)",
            "EU Financial Sanctions Files (consolidated list)",
            "https://data.europa.eu/data/datasets/consolidated-list-of-persons-groups-and-entities-subject-to-eu-financial-sanctions",
            update_format="eu-fsf-xml",
            downloads=(
                Download(
                    "eu_fsf.xml",
                    # The public token the Commission publishes for anonymous downloads.
                    "https://webgate.ec.europa.eu/fsd/fsf/public/files/xmlFullSanctionsList_1_1/content?token=dG9rZW4tMjAxNw",
                ),
            ),
        ),
        Source(
            "uksl",
            "uk",
            "UK Foreign, Commonwealth & Development Office",
            "UK Sanctions List",
            "https://www.gov.uk/government/publications/the-uk-sanctions-list",
            update_format="uksl-xml",
            downloads=(
                Download(
                    "UK-Sanctions-List.xml",
                    "https://sanctionslist.fcdo.gov.uk/docs/UK-Sanctions-List.xml",
                ),
            ),
        ),
        Source(
            "us-csl",
            "csl",
            "US Department of Commerce, International Trade Administration",
            "US Consolidated Screening List",
            "https://www.trade.gov/consolidated-screening-list",
            update_format="csl-json",
            downloads=(
                Download(
                    "consolidated.json",
                    "https://data.trade.gov/downloadable_consolidated_screening_list/v1/consolidated.json",
                ),
            ),
        ),
        Source(
            "au-dfat",
            "au",
            "Australian Government, Department of Foreign Affairs and Trade",
            "Australia DFAT Consolidated List",
            "https://www.dfat.gov.au/international-relations/security/sanctions/consolidated-list",
            update_format="dfat-xlsx",
            downloads=(
                Download(
                    "regulation8_consolidated.xlsx",
                    "https://www.dfat.gov.au/sites/default/files/regulation8_consolidated.xlsx",
                ),
            ),
        ),
        Source(
            "ca-sema",
            "ca",
            "Global Affairs Canada",
            "Canada Consolidated Special Economic Measures Act List",
            "https://www.international.gc.ca/world-monde/international_relations-relations_internationales/sanctions/consolidated-consolide.aspx",
            update_format="sema-xml",
            downloads=(
                Download(
                    "sema-lmes.xml",
                    "https://www.international.gc.ca/world-monde/assets/office_docs/international_relations-relations_internationales/sanctions/sema-lmes.xml",
                ),
            ),
        ),
        Source(
            "ch-seco",
            "ch",
            "Swiss State Secretariat for Economic Affairs (SECO)",
            "Swiss SECO Sanctions List",
            "https://www.seco.admin.ch/seco/en/home/Aussenwirtschaftspolitik_Wirtschaftliche_Zusammenarbeit/Wirtschaftsbeziehungen/exportkontrollen-und-sanktionen/sanktionen-embargos.html",
            update_format="seco-xml",
            downloads=(
                Download(
                    "swiss-sanctions-list.xml",
                    "https://www.sesam.search.admin.ch/sesam-search-web/pages/downloadXmlGesamtliste.xhtml?lang=en&action=downloadXmlGesamtlisteAction",
                ),
            ),
        ),
        Source(
            "ofsi",
            "uk",
            "HM Treasury, Office of Financial Sanctions Implementation",
            "OFSI Consolidated List",
            "https://www.gov.uk/government/publications/financial-sanctions-consolidated-list-of-targets",
            retired=date(2026, 1, 28),
            successor="uksl",
        ),
    )
}


def get(key: str | None) -> Source | None:
    """The source with this key (None for unknown keys and for FtM files of no publisher)."""
    return SOURCES.get(key) if key else None


def for_list(list_name: str) -> list[Source]:
    """The sources in force that ``lists update`` fetches for a list name."""
    return [s for s in SOURCES.values() if s.list_name == list_name and s.retired is None]
