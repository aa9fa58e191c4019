"""`coldwar-lod wikidata export`: QuickStatements checked line by line by a strict parser of
the v1 syntax (written here), against a real server holding the Wikidata snapshot; the Wikibase
RDF loaded beside the snapshot answers queries written for the Wikidata Query Service."""

from __future__ import annotations

import re
import urllib.request
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

import coldwar_lod
from coldwar_lod.cli import main
from coldwar_lod.errors import EXIT_INPUT

from ..conftest import DATA
from ..server import OxigraphServer, oxigraph
from .conftest import SNAPSHOT, SNAPSHOT_FILES

pytestmark = pytest.mark.server

# ------------------------------------------------------------------------------------------
# A strict parser of QuickStatements v1 lines (the commands that add a statement)

_ITEM = re.compile(r"^Q[1-9][0-9]*$")
_PROPERTY = re.compile(r"^[PS][1-9][0-9]*$")
_TIME = re.compile(r"^[+-](\d{4,})-(\d\d)-(\d\d)T00:00:00Z/(9|10|11)$")
_STRING = re.compile(r'^"[^"\t]*"$')


@dataclass(frozen=True)
class Command:
    item: str
    property: str
    value: str
    qualifiers: tuple[tuple[str, str], ...]
    references: tuple[tuple[str, str], ...]


class QSSyntaxError(ValueError):
    pass


def parse_value(value: str) -> str:
    """An item, a time with its precision, or a quoted string; anything else is refused."""
    if _ITEM.match(value) or _STRING.match(value):
        return value
    time = _TIME.match(value)
    if time is None:
        raise QSSyntaxError(f"not an item, a time with precision or a string: {value!r}")
    _, month, day, precision = time.groups()
    if precision == "9" and (month, day) != ("00", "00"):
        raise QSSyntaxError(f"a year-precision date names a month or day: {value!r}")
    if precision == "10" and (month == "00" or day != "00"):
        raise QSSyntaxError(f"a month-precision date without month or with a day: {value!r}")
    if precision == "11" and "00" in (month, day):
        raise QSSyntaxError(f"a day-precision date without month or day: {value!r}")
    return value


def parse_line(line: str) -> Command:
    """``ITEM<TAB>PROPERTY<TAB>VALUE`` then ``Pn<TAB>VALUE`` qualifiers, then ``Sn<TAB>VALUE``
    references; tabs only, nothing left over."""
    if line != line.strip() or "\t\t" in line:
        raise QSSyntaxError(f"stray white space: {line!r}")
    cells = line.split("\t")
    if len(cells) < 3 or len(cells) % 2 == 0:
        raise QSSyntaxError(f"expected item, property, value and pairs: {line!r}")
    item, prop, value = cells[:3]
    if not _ITEM.match(item) or not re.match(r"^P[1-9][0-9]*$", prop):
        raise QSSyntaxError(f"bad item or property: {line!r}")
    qualifiers: list[tuple[str, str]] = []
    references: list[tuple[str, str]] = []
    for key, val in zip(cells[3::2], cells[4::2], strict=True):
        if not _PROPERTY.match(key):
            raise QSSyntaxError(f"bad property {key!r}: {line!r}")
        if key.startswith("P"):
            if references:
                raise QSSyntaxError(f"a qualifier after a reference: {line!r}")
            qualifiers.append((key, parse_value(val)))
        else:
            references.append((key, parse_value(val)))
    return Command(item, prop, parse_value(value), tuple(qualifiers), tuple(references))


def test_the_parser_is_strict() -> None:
    assert parse_line("Q1\tP585\t+1968-08-21T00:00:00Z/11\tS854\t\"http://a\"").references
    for bad in ("Q1\tP585\t+1968-08-21T00:00:00Z\tS854\t\"http://a\"",  # no precision
                "Q1\tP585\t+1968-08-21T00:00:00Z/9\tS854\t\"http://a\"",  # day at /9
                "Q1\tP710\tQ2\tS854",  # a key without value
                "Q1\tP710\tQ2\tS854\thttp://a",  # an unquoted string
                "Q1 P710 Q2",  # spaces
                "Q1\tP710\tQ2\tS854\t\"http://a\"\tP580\t+1968-00-00T00:00:00Z/9"):
        with pytest.raises(QSSyntaxError):
            parse_line(bad)


# ------------------------------------------------------------------------------------------


def export(data: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--data", str(data), "wikidata", "export", *args])
    return result.exit_code, result.stdout, result.stderr


def has(server: OxigraphServer, item: str, pid: str, value: str) -> bool:
    return server.select(f"ASK {{ <http://www.wikidata.org/entity/{item}> "
                         f"<http://www.wikidata.org/prop/direct/{pid}> "
                         f"<http://www.wikidata.org/entity/{value}> }}")[0]["boolean"] == "true"


def test_quickstatements_lines_parse_and_carry_references(snapshot: OxigraphServer) -> None:
    code, out, err = export(DATA, "--format", "quickstatements", "--endpoint",
                            f"{snapshot.url}/query")
    assert code == 0, err
    commands = [parse_line(line) for line in out.splitlines()]
    assert len(commands) >= 10
    urls = {f'"{row.get("url")}"' for row in coldwar_lod.build(DATA).records.entities.values()
            if row.kind == "sources" and row.get("url")}
    by_statement: dict[tuple[str, str, str], list[Command]] = defaultdict(list)
    for c in commands:
        assert c.references, c  # every line cites
        keys = [k for k, _ in c.references]
        assert len(keys) == len(set(keys)) and keys.count("S854") <= 1  # one source a line
        for key, value in c.references:
            assert key in ("S248", "S854", "S304")
            if key == "S854":
                assert value in urls  # a source's URL, never its text
            if key == "S304":
                assert re.match(r'^"[0-9]+(-[0-9]+)?"$', value)
        if _ITEM.match(c.value):  # Wikidata lacks the statement
            assert not has(snapshot, c.item, c.property, c.value), c
        else:
            assert c.property in ("P585", "P580", "P582")
        by_statement[(c.item, c.property, c.value)].append(c)
    for lines in by_statement.values():  # references are not merged: one line per source
        assert len({c.references for c in lines}) == len(lines)
    invasion = by_statement[("Q1773668", "P710", "Q15180")]
    assert len(invasion) >= 2  # the Soviet Union's part, cited by several sources
    assert "statement(s) in" in err and "left out: event/warsaw-pact-invasion" in err


def test_competing_claims_stay_apart_and_deprecated_ones_never_go(
        snapshot: OxigraphServer, data_copy: Path) -> None:
    claims = data_copy / "claims.csv"
    text = claims.read_text(encoding="utf-8")
    # Two sources' competing dates for the Hungarian revolution, at the same rank ...
    text += ("hungary-1956-date-october,hungarian-revolution-1956,date,1956-10,,,,,,,"
             "naar-soviet-decision:29224-29283,,\n"
             "hungary-1956-date-november,hungarian-revolution-1956,date,1956-11~,,,,,,,"
             "naar-soviet-decision:29224-29283,,\n")
    # ... and a membership deprecated
    text = text.replace("czechoslovakia-member-of-warsaw-pact,czechoslovakia,member-of,"
                        "warsaw-pact,,,,,,,video-romania-refusal:2986-3158 "
                        "naar-soviet-decision:29224-29283,,",
                        "czechoslovakia-member-of-warsaw-pact,czechoslovakia,member-of,"
                        "warsaw-pact,,,,,,,video-romania-refusal:2986-3158 "
                        "naar-soviet-decision:29224-29283,deprecated,A test.")
    claims.write_text(text, encoding="utf-8")
    code, out, err = export(data_copy, "--format", "quickstatements", "--endpoint",
                            f"{snapshot.url}/query")
    assert code == 0, err
    commands = [parse_line(line) for line in out.splitlines()]
    dates = {(c.value, c.qualifiers) for c in commands
             if (c.item, c.property) == ("Q164348", "P585")}
    assert dates == {("+1956-10-00T00:00:00Z/10", ()),
                     ("+1956-11-00T00:00:00Z/10", (("P1480", "Q5727902"),))}  # circa
    assert not [c for c in commands if (c.item, c.property) == ("Q853348", "P463")]
    code, out, _ = export(DATA, "--format", "quickstatements", "--endpoint",
                          f"{snapshot.url}/query")
    assert "Q853348\tP463\tQ41644\tS854" in out  # not deprecated there: exported


def test_quickstatements_need_a_wikidata_service(tmp_path: Path) -> None:
    with oxigraph(tmp_path / "empty", persistent=False) as empty:
        code, out, err = export(DATA, "--format", "quickstatements", "--endpoint",
                                f"{empty.url}/query")
    assert (code, out) == (EXIT_INPUT, "")
    assert "holds no Wikidata statements (no wdt:P31 triple)" in err


# ------------------------------------------------------------------------------------------
# Wikibase RDF beside the snapshot

WDQS_PREFIXES = """PREFIX wd: <http://www.wikidata.org/entity/>
PREFIX wdt: <http://www.wikidata.org/prop/direct/>
PREFIX p: <http://www.wikidata.org/prop/>
PREFIX ps: <http://www.wikidata.org/prop/statement/>
PREFIX psv: <http://www.wikidata.org/prop/statement/value/>
PREFIX pq: <http://www.wikidata.org/prop/qualifier/>
PREFIX pr: <http://www.wikidata.org/prop/reference/>
PREFIX wikibase: <http://wikiba.se/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""


@pytest.fixture(scope="module")
def beside(tmp_path_factory: pytest.TempPathFactory) -> OxigraphServer:
    folder = tmp_path_factory.mktemp("wikibase")
    out = folder / "wikibase.ttl"
    code, _, err = export(DATA, "--format", "wikibase-rdf", "-o", str(out))
    assert code == 0, err
    assert err.startswith("Wikibase RDF: ")
    with oxigraph(folder / "server", persistent=False) as server:
        for path in [*(SNAPSHOT / f for f in SNAPSHOT_FILES), out]:
            request = urllib.request.Request(f"{server.url}/store?default",
                                             data=path.read_bytes(), method="POST",
                                             headers={"Content-Type": "text/turtle"})
            urllib.request.urlopen(request, timeout=30).close()
        yield server


def test_a_wdqs_query_runs_on_the_export_beside_wikidata(beside: OxigraphServer) -> None:
    """Who took part in the invasion, in what role, on whose word: statements from the export,
    English labels from the snapshot."""
    rows = beside.select(WDQS_PREFIXES + """
SELECT ?participantLabel ?role ?url WHERE {
  wd:Q1773668 p:P710 ?statement .
  ?statement ps:P710 ?participant ; wikibase:rank ?rank ; prov:wasDerivedFrom ?reference .
  FILTER(?rank != wikibase:DeprecatedRank)
  OPTIONAL { ?statement pq:P3831 ?role }
  ?reference pr:P854 ?url .
  ?participant rdfs:label ?participantLabel . FILTER(LANG(?participantLabel) = "en")
} ORDER BY ?participantLabel ?role ?url""")
    found = {(r["participantLabel"], r["role"].rsplit("#", 1)[1]) for r in rows}
    assert ("Soviet Union", "InvaderRole") in found
    assert ("Polish People's Republic", "InvaderRole") in found
    assert all(r["url"].startswith("http") for r in rows)


def test_dates_ranks_and_truthy_statements(beside: OxigraphServer) -> None:
    rows = beside.select(WDQS_PREFIXES + """
SELECT ?time ?precision ?rank ?best WHERE {
  wd:Q1773668 p:P580 ?statement .
  ?statement psv:P580 [ wikibase:timeValue ?time ; wikibase:timePrecision ?precision ] ;
             wikibase:rank ?rank .
  BIND(EXISTS { ?statement a wikibase:BestRank } AS ?best)
} ORDER BY ?time""")
    assert {(r["time"][:10], r["precision"], r["rank"].rsplit("#")[1], r["best"])
            for r in rows} >= {("1968-08-20", "11", "PreferredRank", "true"),
                               ("1968-08-20", "11", "NormalRank", "false")}
    deprecated = beside.select(WDQS_PREFIXES + """
SELECT ?time WHERE { wd:Q1773668 p:P585 ?st . ?st wikibase:rank wikibase:DeprecatedRank ;
                     ps:P585 ?time }""")
    assert [r["time"] for r in deprecated] == ["1938-01-01T00:00:00Z"]
    truthy = beside.select(WDQS_PREFIXES + "SELECT ?t WHERE { wd:Q1773668 wdt:P585 ?t }")
    assert "1938-01-01T00:00:00Z" not in [r["t"] for r in truthy]


def test_every_statement_is_well_formed(beside: OxigraphServer) -> None:
    """One main value, one rank, a reference that names its source: in Wikidata's shape."""
    bad = beside.select(WDQS_PREFIXES + """
SELECT ?statement WHERE {
  ?statement a wikibase:Statement .
  FILTER(STRSTARTS(STR(?statement), "https://w3id.org/coldwar-lod/"))
  { SELECT ?statement (COUNT(DISTINCT ?rank) AS ?ranks) WHERE {
      ?statement a wikibase:Statement . OPTIONAL { ?statement wikibase:rank ?rank } }
    GROUP BY ?statement }
  FILTER(?ranks != 1 || NOT EXISTS { ?statement prov:wasDerivedFrom/pr:P248 ?source })
}""")
    assert bad == []
    counted = beside.select(WDQS_PREFIXES + """
SELECT (COUNT(*) AS ?n) WHERE { ?statement a wikibase:Statement .
  FILTER(STRSTARTS(STR(?statement), "https://w3id.org/coldwar-lod/id/claim/")) }""")
    assert int(counted[0]["n"]) >= 525  # every claim (an interval is two statements)
