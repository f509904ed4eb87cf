"""The ledger's record types, described once.

Each curated file in ``ledger/data/`` holds a list of one of these records.
Validation, the schema tables in ``docs/ledger.md`` (see
:mod:`dprkwatch.ledger.schema`) and the JSON output all come from these
classes, so the three cannot drift apart.

Every record that states a fact inherits :class:`Sourced`: it must cite at
least one entry of the bibliography (``sources.yaml``) and say how sure we
are (:class:`Confidence`).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from dprkwatch.ledger.dates import PartialDate

Slug = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9.-]*$", max_length=80),
]
Text = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]


class Confidence(StrEnum):
    """How well a row is established. Defined in ``docs/ledger.md`` (sources policy)."""

    VERIFIED = "verified"
    SECONDARY = "secondary"
    UNVERIFIED = "unverified"


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(Record):
    """One bibliography entry; rows cite it by ``id``."""

    id: Slug = Field(description="Short id that rows cite, e.g. `un-sc-8853`.")
    publication: Text = Field(description="Publisher or outlet, e.g. `UN Security Council`.")
    title: Text = Field(description="Title of the page, document or article.")
    date: PartialDate = Field(description="Publication date (YYYY, YYYY-MM or YYYY-MM-DD).")
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")] = Field(
        description="Where the source can be read."
    )
    note: str | None = Field(None, description="What the source is good for, caveats.")


class Sourced(Record):
    """Fields every factual row carries."""

    sources: list[Slug] = Field(
        min_length=1, description="Ids of `sources.yaml` entries that support the row."
    )
    confidence: Confidence = Field(
        description="`verified`, `secondary` or `unverified` (see sources policy)."
    )
    note: str | None = Field(None, description="Caveats, disagreements between sources.")


class Evidence(Sourced):
    """A dated, sourced observation that supports a status."""

    date: PartialDate | None = Field(None, description="When it happened, if it is an event.")
    text: Text = Field(description="What happened, in our words.")
    refs: list[str] = Field(default_factory=list, description="Ids of ledger records it concerns.")


# -- UN Security Council -------------------------------------------------------


class MeasureKind(StrEnum):
    CAP = "cap"
    BAN = "ban"
    DESIGNATION = "designation"
    INSPECTION = "inspection"
    FINANCIAL = "financial"
    BODY = "body"
    OTHER = "other"


class Measure(Record):
    """One structured measure of a resolution (a cap, a ban, designations...)."""

    kind: MeasureKind = Field(
        description="`cap`, `ban`, `designation`, `inspection`, `financial`, `body` (committee/panel) or `other`."
    )
    subject: Text = Field(description="What it applies to, e.g. `refined petroleum products`.")
    direction: Literal["into-dprk", "from-dprk", "both"] | None = Field(
        None, description="Supply to the DPRK, exports from it, or both."
    )
    quantity: float | None = Field(None, ge=0, description="The cap's amount (caps only).")
    unit: str | None = Field(None, description="Unit of `quantity`, e.g. `barrels per year`.")
    period: str | None = Field(None, description="When a cap applies, e.g. `from 2018-01-01`.")
    individuals: int | None = Field(
        None, ge=0, description="Individuals designated (designations)."
    )
    entities: int | None = Field(None, ge=0, description="Entities designated (designations).")
    vessels: int | None = Field(None, ge=0, description="Vessels designated or named.")
    paragraph: str | None = Field(None, description="Operative paragraph(s), e.g. `OP5`.")
    detail: str | None = Field(None, description="Exemptions and specifics, in our words.")
    confidence: Confidence | None = Field(
        None, description="Overrides the resolution's confidence for this measure."
    )
    note: str | None = Field(None, description="Caveats; why it is unverified, if it is.")

    @model_validator(mode="after")
    def _check(self) -> Measure:
        if self.kind is MeasureKind.CAP and (self.quantity is None or not self.unit):
            raise ValueError("a cap needs `quantity` and `unit`")
        if self.kind is not MeasureKind.CAP and self.quantity is not None:
            raise ValueError("only a cap has a `quantity`")
        return self


class ObligationRef(Record):
    """An obligation a resolution places on the DPRK (a key of `obligations.yaml`)."""

    key: Slug = Field(description="Key of the obligation in `obligations.yaml`.")
    force: Literal["decides", "demands", "reaffirms", "urges", "calls-upon"] = Field(
        description="The operative verb: `decides`/`demands`/`reaffirms` bind; `urges`/`calls-upon` do not."
    )
    paragraph: str | None = Field(None, description="Operative paragraph, e.g. `OP6`.")
    confidence: Confidence | None = Field(
        None, description="Overrides the resolution's confidence."
    )
    note: str | None = Field(None, description="Caveats; why it is unverified, if it is.")

    @property
    def binding(self) -> bool:
        return self.force in ("decides", "demands", "reaffirms")


class Vote(Record):
    """How the Security Council voted."""

    in_favour: int = Field(ge=0, le=15)
    against: int = Field(0, ge=0, le=15)
    abstaining: int = Field(0, ge=0, le=15)
    vetoed_by: list[str] = Field(default_factory=list, description="Permanent members voting no.")

    @model_validator(mode="after")
    def _check(self) -> Vote:
        if self.in_favour + self.against + self.abstaining > 15:
            raise ValueError("more than 15 votes")
        return self


class Resolution(Sourced):
    """A UN Security Council resolution on the DPRK, or a vetoed draft."""

    id: Slug = Field(description="`unscr-NNNN`, or `draft-YYYY-MM-DD` for a vetoed draft.")
    number: int | None = Field(None, description="Resolution number (none for a vetoed draft).")
    outcome: Literal["adopted", "vetoed"] = Field(description="`adopted` or `vetoed`.")
    date: PartialDate = Field(description="Date of the vote.")
    trigger: Text = Field(description="What prompted it.")
    trigger_refs: list[str] = Field(default_factory=list, description="Ledger ids of the trigger.")
    chapter_vii: bool | None = Field(None, description="Adopted under Chapter VII (Article 41).")
    vote: Vote | None = Field(None, description="Votes in favour / against / abstaining.")
    measures: list[Measure] = Field(default_factory=list, description="Structured measures.")
    obligations: list[ObligationRef] = Field(
        default_factory=list, description="What it requires of the DPRK."
    )

    @model_validator(mode="after")
    def _check(self) -> Resolution:
        if not self.date.is_exact:
            raise ValueError("a resolution needs its full date of adoption (YYYY-MM-DD)")
        if self.outcome == "adopted" and self.number is None:
            raise ValueError("an adopted resolution needs its `number`")
        if self.outcome == "vetoed" and (self.vote is None or not self.vote.vetoed_by):
            raise ValueError("a vetoed draft needs `vote.vetoed_by`")
        return self

    @property
    def label(self) -> str:
        return f"UNSCR {self.number}" if self.number is not None else f"vetoed draft {self.date}"

    def requires(self, key: str) -> bool:
        """Whether this resolution binds the DPRK to obligation ``key``."""
        return self.outcome == "adopted" and any(
            o.key == key and o.binding for o in self.obligations
        )


class Obligation(Sourced):
    """A recurring DPRK obligation under the resolutions, with dated breaches."""

    key: Slug = Field(description="Key that resolutions cite.")
    text: Text = Field(description="The obligation, in our words.")
    check: Literal["nuclear-test", "missile-launch"] | None = Field(
        None, description="Compute breaches from nuclear tests or CNS missile launches."
    )
    missile_types: list[str] = Field(
        default_factory=list,
        description="For `missile-launch`: CNS types that breach (empty: all).",
    )
    breaches: list[Evidence] = Field(
        default_factory=list, description="Dated curated evidence of breach (besides the check)."
    )
    standing: Evidence | None = Field(
        None,
        description=(
            "A continuing state that breaches the obligation from its date on "
            "(e.g. outside the NPT since 2003)."
        ),
    )
    verifiable: bool = Field(
        True, description="Whether compliance could be observed without inspections."
    )


# -- Agreements ---------------------------------------------------------------


class CommitmentStatus(StrEnum):
    KEPT = "kept"
    BROKEN = "broken"
    LAPSED = "lapsed"
    NEVER_VERIFIED = "never-verified"
    PENDING = "pending"


class StatusChange(Sourced):
    """A dated change of a commitment's status (``kept`` in 2007, ``broken`` in 2009)."""

    date: PartialDate = Field(description="When the status changed.")
    status: CommitmentStatus = Field(description="The status from that date on.")
    text: Text = Field(description="What happened, in our words.")


class Commitment(Record):
    """One party's commitment under an agreement, with its status and the evidence."""

    id: Slug = Field(description="Unique within the agreement; cited as `agreement/id`.")
    party: Text = Field(description="Who committed: `DPRK`, `US`, `ROK`, `KEDO`, `all`...")
    obligation: Text = Field(description="What was promised, in our words.")
    topic: Literal[
        "denuclearization",
        "missiles",
        "verification",
        "peace",
        "relations",
        "aid",
        "humanitarian",
        "military",
        "other",
    ] = Field(description="Subject area, for filtering.")
    deadline: PartialDate | None = Field(None, description="Deadline, when the text sets one.")
    deadline_note: str | None = Field(None, description="Deadline as worded, if not a date.")
    status: CommitmentStatus = Field(
        description="`kept`, `broken`, `lapsed` or `never-verified` today; `pending` only as of an earlier date."
    )
    evidence: list[Evidence] = Field(min_length=1, description="Why the status is what it is.")
    history: list[StatusChange] = Field(
        default_factory=list,
        description="Status changes in date order; the last one is today's `status`.",
    )

    @model_validator(mode="after")
    def _check(self) -> Commitment:
        if self.status is CommitmentStatus.PENDING:
            raise ValueError("`pending` is computed for earlier dates; give today's status")
        days = [h.date.start() for h in self.history]
        if days != sorted(days):
            raise ValueError("`history` must be in date order")
        if self.history and self.history[-1].status is not self.status:
            raise ValueError(
                f"the last `history` entry says {self.history[-1].status.value} "
                f"but `status` is {self.status.value}"
            )
        return self

    def since(self) -> dt.date:
        """The first day today's status is established: its last change, else its latest evidence."""
        if self.history:
            return self.history[-1].date.end()
        dated = [e.date.end() for e in self.evidence if e.date is not None]
        return max(dated) if dated else dt.date.min

    def status_on(self, day: dt.date) -> CommitmentStatus:
        """The status as it stood on ``day``: ``pending`` before anything established one."""
        if self.history:
            known = [h for h in self.history if h.date.end() <= day]
            return known[-1].status if known else CommitmentStatus.PENDING
        return self.status if self.since() <= day else CommitmentStatus.PENDING


class Agreement(Sourced):
    """A DPRK nuclear agreement (treaty, safeguards, framework, joint statement)."""

    id: Slug = Field(description="Short id, e.g. `agreed-framework`.")
    name: Text = Field(description="Usual English name.")
    date: PartialDate = Field(description="Date signed, issued or acceded.")
    place: str | None = Field(None, description="Where it was signed or issued.")
    kind: Literal[
        "treaty",
        "safeguards",
        "declaration",
        "framework",
        "joint-statement",
        "implementation",
        "parallel-statements",
    ] = Field(description="Form of the instrument.")
    parties: list[Text] = Field(min_length=1, description="Parties.")
    ended: PartialDate | None = Field(None, description="When it stopped operating, if it did.")
    outcome: Text = Field(description="How it ended or where it stands, in our words.")
    denuclearization_definition: str | None = Field(
        None, description="What the text says denuclearization covers; empty if it does not say."
    )
    commitments: list[Commitment] = Field(min_length=1, description="Commitments, party by party.")

    @model_validator(mode="after")
    def _check(self) -> Agreement:
        seen: set[str] = set()
        for c in self.commitments:
            if c.id in seen:
                raise ValueError(f"commitment id {c.id!r} appears twice")
            seen.add(c.id)
        if self.ended is not None and self.ended.end() < self.date.start():
            raise ValueError("`ended` is before `date`")
        return self


# -- Events ---------------------------------------------------------------------


class DiplomacyEvent(Sourced):
    """A summit, talks, an envoy's visit, a refused meeting, a key statement."""

    id: Slug
    date: PartialDate = Field(description="First day.")
    end_date: PartialDate | None = Field(None, description="Last day, for multi-day events.")
    kind: Literal["summit", "talks", "envoy", "refusal", "statement", "other"] = Field(
        description="`summit`, `talks` (working level or rounds), `envoy`, `refusal`, `statement`, `other`."
    )
    title: Text
    parties: list[Text] = Field(min_length=1)
    place: str | None = None
    outcome: str | None = Field(None, description="What came of it, in our words.")
    refs: list[str] = Field(default_factory=list, description="Related ledger ids (agreements...).")
    refused_by: list[Text] = Field(
        default_factory=list,
        description="For a refusal: who declined, cancelled or did not show up.",
    )
    requested_by: list[Text] = Field(
        default_factory=list, description="For a refusal: whose request or proposal was refused."
    )
    tags: list[
        Literal["summit-logistics", "denuclearization", "unplanned", "denial", "humanitarian"]
    ] = Field(
        default_factory=list,
        description=(
            "Facets the claims test: what talks covered (`summit-logistics`, "
            "`denuclearization`), an `unplanned` meeting, a `denial` that a "
            "meeting was planned, `humanitarian` talks (remains, detainees)."
        ),
    )

    @model_validator(mode="after")
    def _check(self) -> DiplomacyEvent:
        if self.end_date is not None and self.end_date.start() < self.date.start():
            raise ValueError("`end_date` is before `date`")
        return self


class Exercise(Sourced):
    """A US–ROK exercise suspended, cancelled, scaled down or ended."""

    id: Slug
    name: Text = Field(description="Exercise name.")
    date: PartialDate = Field(description="When the decision was announced.")
    scheduled: str | None = Field(None, description="When it would have run.")
    action: Literal["suspended", "cancelled", "postponed", "scaled-down", "ended", "resumed"] = (
        Field(description="What was decided.")
    )
    detail: str | None = None


class Humanitarian(Sourced):
    """A release of US detainees or a return of US service members' remains."""

    id: Slug
    kind: Literal["detainee-release", "remains-return"]
    date: PartialDate = Field(description="Release or handover date (first day).")
    end_date: PartialDate | None = Field(None, description="Last day, for a period of operations.")
    count: int = Field(ge=0, description="How many people, boxes or sets.")
    unit: Literal["people", "boxes", "sets"] = Field(
        description="What `count` counts; boxes and sets are not individuals."
    )
    at_least: bool = Field(False, description="`count` is a floor (`over 220`).")
    people: list[Text] = Field(default_factory=list, description="Names of released detainees.")
    envoy: str | None = Field(None, description="Who brought them home.")
    detail: str | None = None

    @model_validator(mode="after")
    def _check(self) -> Humanitarian:
        if self.kind == "detainee-release":
            if self.unit != "people":
                raise ValueError("a detainee release counts `people`")
            if self.people and len(self.people) != self.count:
                raise ValueError(f"`count` is {self.count} but {len(self.people)} people are named")
        if self.end_date is not None and self.end_date.start() < self.date.start():
            raise ValueError("`end_date` is before `date`")
        return self


class Administration(Sourced):
    """A US presidential term, to group events by administration."""

    id: Slug
    president: Text
    start: PartialDate
    end: PartialDate | None = Field(None, description="Empty for the sitting president.")


class YieldEstimate(Sourced):
    """One published yield estimate of a nuclear test."""

    estimator: Text = Field(description="Who estimated it (paper, agency).")
    kt: float | None = Field(None, ge=0, description="Central estimate in kilotons.")
    low: float | None = Field(None, ge=0)
    high: float | None = Field(None, ge=0)
    sigma: float | None = Field(None, ge=0, description="One standard deviation, in kt.")

    @model_validator(mode="after")
    def _check(self) -> YieldEstimate:
        if self.kt is None and self.low is None and self.high is None:
            raise ValueError("a yield estimate needs `kt`, `low` or `high`")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError("`low` is above `high`")
        return self


class NuclearTest(Sourced):
    """A DPRK nuclear test, with every published yield estimate."""

    id: Slug
    number: int = Field(ge=1, description="Sequence number.")
    date: PartialDate = Field(description="Date (UTC).")
    time_utc: str | None = None
    site: Text
    mb: float | None = Field(None, description="Body-wave magnitude reported at the time.")
    yields: list[YieldEstimate] = Field(min_length=1)
    dprk_claim: str | None = Field(None, description="What the DPRK said it tested.")


class Designated(Record):
    """One listing a designation action named, for dating it on the list."""

    ofac: str = Field(
        pattern=r"^[0-9]+$", description="OFAC entry number (`ent_num`): the listing `ofac-NNNN`."
    )
    name: Text = Field(description="The name as the sources give it.")


class SanctionsAction(Sourced):
    """A dated national designation action (curated; used where list files lack history)."""

    id: Slug
    date: PartialDate
    authority: Literal["OFAC", "EU", "UK", "UN"]
    title: Text
    individuals: int | None = Field(None, ge=0)
    entities: int | None = Field(None, ge=0)
    vessels: int | None = Field(None, ge=0)
    aircraft: int | None = Field(None, ge=0)
    designated: list[Designated] = Field(
        default_factory=list,
        description="Listings the sources name as first designated by this action "
        "(`lists coverage` dates them to its day).",
    )

    @property
    def total(self) -> int:
        return sum(x or 0 for x in (self.individuals, self.entities, self.vessels, self.aircraft))


class Moratorium(Sourced):
    """A DPRK pledge to stop nuclear tests and/or long-range launches."""

    id: Slug
    announced: PartialDate
    by: Text = Field(description="Who announced it, in what form.")
    nuclear_tests: bool = Field(description="Covers nuclear tests.")
    missile_types: list[str] = Field(
        default_factory=list, description="CNS missile types covered (`ICBM`, `SLV`, `IRBM`...)."
    )
    renounced: PartialDate | None = Field(
        None, description="When the DPRK said it no longer applied."
    )
    refs: list[str] = Field(default_factory=list)


class Quantity(Record):
    """One structured figure of a finding (``1.46 billion USD stolen``)."""

    name: Text = Field(description="What is counted, e.g. `cryptocurrency stolen`.")
    value: float = Field(description="The figure as published.")
    unit: Text = Field(description="Unit, e.g. `USD`, `kg HEU`, `troops`.")
    qualifier: Literal["about", "at least", "up to", "exactly"] = Field(
        "exactly", description="How the source words the figure."
    )
    period: str | None = Field(None, description="What period it covers, if any.")


class Observation(Sourced):
    """A dated finding by a monitoring body or government (IAEA, Panel, MSMT, COI, ROK, US)."""

    id: Slug
    date: PartialDate = Field(description="Publication date of the finding.")
    event_date: PartialDate | None = Field(
        None, description="When the observed thing happened, if not the publication date."
    )
    by: Text = Field(description="Who found or stated it, e.g. `IAEA Director General`.")
    category: Literal[
        "fissile-material",
        "enrichment-site",
        "production-facility",
        "launchers",
        "re-entry-vehicles",
        "missile-milestone",
        "sanctions-evasion",
        "cyber-theft",
        "arms-transfer",
        "human-rights",
        "doctrine",
        "other",
    ] = Field(description="What the finding is about.")
    title: Text = Field(description="The finding in a line.")
    detail: str | None = Field(None, description="More of it, in our words.")
    quantities: list[Quantity] = Field(default_factory=list, description="Key figures, structured.")
    refs: list[str] = Field(default_factory=list, description="Related ledger ids.")


class Claim(Record):
    """A quantitative claim of the commentary, restated, with the evaluator that checks it."""

    id: Slug
    topic: Text
    restatement: Text = Field(description="The claim in our own words.")
    source: Slug = Field(description="Bibliography id of the commentary.")
    evaluator: Slug = Field(description="Name of the check in `dprkwatch.ledger.claims`.")
    as_of: PartialDate = Field(description="Date the claim was made.")
    quote: Text = Field(description="The commentary's words the claim restates.")
