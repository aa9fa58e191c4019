"""The record model: kinds of records, their types, claim properties and roles.

This table is the single place that ties the editable data files to the ontology: the loader
checks records against it, the mapper turns it into triples, and ``data/README.md`` documents
it. Every ontology term named here must be defined in ``ontology/coldwar.ttl`` (a test checks).
"""

from __future__ import annotations

from dataclasses import dataclass

#: Entity kinds: data file stem -> IRI path segment (``BASE/id/<segment>/<slug>``).
ENTITY_KINDS: dict[str, str] = {
    "sources": "source",
    "persons": "person",
    "states": "state",
    "organisations": "organisation",
    "places": "place",
    "positions": "position",
    "events": "event",
    "works": "work",
}

#: The ``type`` column of each entity file -> ontology class (local name).
TYPES: dict[str, dict[str, str]] = {
    "sources": {
        "transcript": "VideoTranscript",
        "scholarly-article": "ScholarlyArticle",
        "blog-post": "BlogPost",
        "web-page": "WebPage",
    },
    "persons": {"person": "Person"},
    "states": {"state": "State"},
    "organisations": {
        "party": "PoliticalParty",
        "alliance": "MilitaryAlliance",
        "intergovernmental": "IntergovernmentalOrganisation",
        "government-body": "GovernmentBody",
        "intelligence-service": "IntelligenceService",
        "armed-forces": "ArmedForces",
        "broadcaster": "Broadcaster",
        "group": "InformalGroup",
        "organisation": "Organisation",
    },
    "places": {
        "city": "City",
        "town": "Town",
        "square": "Square",
        "camp": "Camp",
        "region": "Region",
        "border-area": "Region",
        "place": "Place",
    },
    "positions": {"position": "Position"},
    "events": {
        "reform": "ReformProgramme",
        "meeting": "Meeting",
        "conference": "Conference",
        "declaration": "Declaration",
        "agreement": "Agreement",
        "letter": "Letter",
        "invasion": "Invasion",
        "military-operation": "MilitaryOperation",
        "military-exercise": "MilitaryExercise",
        "occupation": "Occupation",
        "speech": "Speech",
        "broadcast": "Broadcast",
        "withdrawal": "Withdrawal",
        "protest": "Protest",
        "self-immolation": "SelfImmolation",
        "emigration": "Emigration",
        "arrest": "Arrest",
        "change-of-leadership": "ChangeOfLeadership",
        "resignation": "Resignation",
        "coup": "Coup",
        "revolution": "Revolution",
        "armed-conflict": "ArmedConflict",
        "war": "War",
        "founding": "Founding",
        "dissolution": "Dissolution",
        "visit": "Visit",
        "crisis": "Crisis",
        "period": "HistoricalPeriod",
        "anniversary": "Anniversary",
        "event": "Event",
    },
    "works": {
        "scholarly-article": "ScholarlyArticle",
        "document": "Document",
        "film": "Film",
        "documentary": "Documentary",
        "tv-series": "TVSeries",
        "book": "Book",
    },
}

#: The licence of the data (stated in every dump, VoID and release): CC BY 4.0, see
#: LICENSE-DATA.
LICENCE = "https://creativecommons.org/licenses/by/4.0/"

AGENT_KINDS = frozenset({"persons", "states", "organisations"})
PLACE_KINDS = frozenset({"places", "states"})
WORK_KINDS = frozenset({"works", "sources"})
ANY_ENTITY = frozenset(ENTITY_KINDS)


@dataclass(frozen=True, slots=True)
class ClaimProperty:
    """One claim property: its ontology term and what its subject and object may be.

    ``object_kind`` is ``"entity"`` (a slug of one of ``object_kinds``), ``"date"`` (EDTF),
    ``"integer"``, ``"text"`` (an English phrase in the editors' own words) or ``"status"`` (a
    key of :data:`EVENT_STATUSES`).
    """

    term: str
    subject_kinds: frozenset[str]
    object_kind: str
    object_kinds: frozenset[str] = frozenset()
    description: str = ""


_E = "entity"
EVENTS = frozenset({"events"})

#: ``property`` column of ``claims.csv`` -> definition.
CLAIM_PROPERTIES: dict[str, ClaimProperty] = {
    "date": ClaimProperty(
        "timeSpan", EVENTS | WORK_KINDS, "date", description="when it happened (EDTF)"
    ),
    "place": ClaimProperty("place", EVENTS, _E, PLACE_KINDS, "where it happened"),
    "part-of": ClaimProperty("partOf", EVENTS, _E, EVENTS, "the larger event it belongs to"),
    "participant": ClaimProperty(
        "participant", EVENTS, _E, AGENT_KINDS, "an agent that took part (give a role)"
    ),
    "refused-to-join": ClaimProperty(
        "refusedToJoin", AGENT_KINDS, _E, EVENTS, "declined to take part in the event"
    ),
    "condemned": ClaimProperty("condemned", AGENT_KINDS, _E, EVENTS, "condemned the event"),
    "opposed": ClaimProperty("opposed", AGENT_KINDS, _E, EVENTS, "opposed the event"),
    "supported": ClaimProperty("supported", AGENT_KINDS, _E, EVENTS, "supported the event"),
    "requested-un-session": ClaimProperty(
        "requestedUNSessionOn", AGENT_KINDS, _E, EVENTS,
        "asked for a UN Security Council session on the event",
    ),
    "expressed-regret": ClaimProperty(
        "expressedRegretAbout", AGENT_KINDS, _E, EVENTS, "reacted only with regret"
    ),
    "did-not-respond": ClaimProperty(
        "didNotRespondTo", AGENT_KINDS, _E, EVENTS, "stayed officially silent / took no action"
    ),
    "demanded-withdrawal": ClaimProperty(
        "demandedWithdrawalFrom", AGENT_KINDS, _E, EVENTS, "demanded that the troops withdraw"
    ),
    "apologised-for": ClaimProperty(
        "apologisedFor", AGENT_KINDS, _E, EVENTS, "later apologised for the event"
    ),
    "held-position": ClaimProperty(
        "heldPosition", frozenset({"persons"}), _E, frozenset({"positions"}),
        "held an office (qualify with when, replaces)",
    ),
    "member-of": ClaimProperty(
        "memberOf", AGENT_KINDS, _E, frozenset({"organisations"}),
        "was a member (qualify with when)",
    ),
    "withdrew-from": ClaimProperty(
        "withdrewFrom", AGENT_KINDS, _E, frozenset({"organisations"}),
        "left the organisation (qualify with when)",
    ),
    "near": ClaimProperty(
        "near", frozenset({"places", "organisations"}), _E, PLACE_KINDS,
        "lies near (without lying inside)",
    ),
    "located-in": ClaimProperty(
        "locatedIn", frozenset({"places", "organisations"}), _E, PLACE_KINDS,
        "lies in / is based in",
    ),
    "number-of-troops": ClaimProperty(
        "numberOfTroops", EVENTS, "integer", description="soldiers involved"
    ),
    "number-of-people": ClaimProperty(
        "numberOfPeople", EVENTS, "integer", description="people present (crowd, audience)"
    ),
    "number-of-refugees": ClaimProperty(
        "numberOfRefugees", EVENTS | frozenset({"places"}), "integer",
        description="refugees who left or passed through",
    ),
    "number-of-states": ClaimProperty(
        "numberOfStates", EVENTS, "integer", description="states involved"
    ),
    "cites": ClaimProperty("cites", WORK_KINDS, _E, WORK_KINDS, "cites the work (give pages)"),
    "about": ClaimProperty(
        "about", WORK_KINDS, _E, EVENTS | AGENT_KINDS | frozenset({"places"}),
        "the work is about it",
    ),
    "occupation": ClaimProperty(
        "occupation", frozenset({"persons"}), "text", description="what the person did"
    ),
    "nationality": ClaimProperty(
        "nationality", frozenset({"persons"}), "text", description="nationality as stated"
    ),
    "characterised-as": ClaimProperty(
        "characterisedAs", ANY_ENTITY, "text", description="how the source characterises it"
    ),
    "interpretation": ClaimProperty(
        "interpretation", EVENTS, "text", description="a source's reading of causes or effects"
    ),
    "argued": ClaimProperty(
        "argued", AGENT_KINDS, "text",
        description="a thesis the agent put forward (a scholar's argument, a party's view)",
    ),
    "status": ClaimProperty(
        "eventStatus", EVENTS, "status", description="planned or cancelled (EVENT_STATUSES)"
    ),
    "resigned-from": ClaimProperty(
        "resignedFrom", frozenset({"persons"}), _E, frozenset({"positions"}),
        "gave up an office (qualify with when)",
    ),
}

#: ``object`` of a ``status`` claim -> ontology individual (as schema.org's event statuses).
EVENT_STATUSES: dict[str, str] = {
    "planned": "PlannedStatus",
    "cancelled": "CancelledStatus",
}

#: ``role`` column of ``claims.csv`` (for ``participant``) -> ontology individual.
ROLES: dict[str, str] = {
    "invader": "InvaderRole",
    "target": "TargetRole",
    "leader": "LeaderRole",
    "organiser": "OrganiserRole",
    "host": "HostRole",
    "attendee": "AttendeeRole",
    "signatory": "SignatoryRole",
    "speaker": "SpeakerRole",
    "negotiator": "NegotiatorRole",
    "sender": "SenderRole",
    "recipient": "RecipientRole",
    "victim": "VictimRole",
    "detainee": "DetaineeRole",
    "protester": "ProtesterRole",
    "refugee": "RefugeeRole",
    "visitor": "VisitorRole",
    "founder": "FounderRole",
    "collaborator": "CollaboratorRole",
    "decision-maker": "DecisionMakerRole",
    "informant": "InformantRole",
    "director": "DirectorRole",
    "actor": "ActorRole",
    "occupier": "OccupierRole",
    "belligerent": "BelligerentRole",
    "declarant": "DeclarantRole",
    "withdrawing-party": "WithdrawingPartyRole",
    "liberator": "LiberatorRole",
}

#: ``rank`` column -> ontology individual (as Wikidata's ranks).
RANKS: dict[str, str] = {
    "preferred": "PreferredRank",
    "normal": "NormalRank",
    "deprecated": "DeprecatedRank",
}

#: ``bound`` column (for numbers) -> ontology individual.
BOUNDS: dict[str, str] = {
    "exact": "ExactValue",
    "approximately": "ApproximateValue",
    "at-least": "LowerBound",
    "at-most": "UpperBound",
}

#: Precision names (see :mod:`coldwar_lod.dates`) -> ontology individual.
PRECISION_TERMS: dict[str, str] = {
    "minute": "MinutePrecision",
    "day": "DayPrecision",
    "month": "MonthPrecision",
    "season": "SeasonPrecision",
    "year": "YearPrecision",
}

#: Language tags allowed in ``labels`` columns (the entities' own languages).
LANGUAGES = frozenset({"en", "cs", "sk", "ru", "ro", "pl", "hu", "de", "bg", "sq", "uk", "sr",
                       "sh", "hr", "sl", "mk", "fr", "it", "es", "zh", "ko", "vi", "da", "la"})
