"""Releases: two releases from two versions of the records, the changelog, the RDF Patch, the
checksums, the DCAT description, determinism, and the refusals (``coldwar_lod.release``).

The second version of the records is a copy of ``data/`` with eight edits (``EDITS``); its
changelog must list exactly those, and the patch must turn the first release into the second.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner
from rdflib.compare import isomorphic

from coldwar_lod.cli import main
from coldwar_lod.namespaces import IriSpace
from coldwar_lod.release import (
    Release,
    Version,
    apply_patch,
    list_releases,
    make_release,
    release_dataset,
)
from coldwar_lod.release.patch import GRAPHS, PatchError

from .conftest import DATA, ROOT

SPACE = IriSpace.from_base()
ID = SPACE.ids


def _replace_line(path: Path, old: str, new: str | None) -> None:
    """Replace (or, with ``None``, remove) the line starting with ``old`` in ``path``."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    hits = [i for i, line in enumerate(lines) if line.startswith(old)]
    assert len(hits) == 1, (path, old)
    if new is None:
        del lines[hits[0]]
    else:
        lines[hits[0]] = new + "\n"
    path.write_text("".join(lines), encoding="utf-8")


def _append(path: Path, line: str) -> None:
    with path.open("a", encoding="utf-8") as fh:
        fh.write(line + "\n")


def _sub(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


def _edit(data: Path) -> None:
    """The eight edits of the second version of the records (one per changelog section)."""
    # an entity added
    _append(data / "persons.csv",
            "test-editor-person,person,Test Editor Person,,,,A person added by the release test.")
    # a claim added (about it, stated in one source)
    _append(data / "claims.csv", "test-person-occupation,test-editor-person,occupation,"
            "historian,,,,,,,cvce-invasion:1000-1024,,")
    # a claim removed
    _replace_line(data / "claims.csv", "abolition-of-censorship-1968-part-of-prague-spring,",
                  None)
    # a claim re-ranked (it has a note already: only its rank changes)
    _replace_line(data / "claims.csv", "dubcek-succession-date,",
                  "dubcek-succession-date,dubcek-becomes-first-secretary,date,1968-01-05,,,,,,,"
                  "video-romania-refusal:1191-1209,deprecated,The only source that gives the "
                  "day.")
    # an entity revised (its description)
    _sub(data / "places.csv", "City in Slovakia where the Bratislava Declaration was signed.",
         "Slovak city where the Bratislava Declaration was signed in August 1968.")
    # a disagreement revised (its label)
    _sub(data / "disagreements.csv", "dubcek-end-date,When Husák replaced Dubček,",
         "dubcek-end-date,When Husák took over from Dubček,")
    # a disagreement opened
    _append(data / "disagreements.csv", "test-disagreement,A question the test asks,"
            "invasion-date-21-august invasion-date-2140,A note written by the test.")
    # a Wikidata link added (the QID is made up, and verified in the copy's list only)
    _append(data / "reference" / "wikidata-qids.tsv",
            "event\tAbolition of censorship (test)\tQ999999991\tcorroborated\ttest")
    _replace_line(data / "events.csv", "abolition-of-censorship-1968,",
                  "abolition-of-censorship-1968,reform,Abolition of censorship in "
                  "Czechoslovakia (1968),cs:Zrušení cenzury 1968,,Q999999991,The end of press "
                  "censorship during the Prague Spring.")


#: What the second release's changelog must list: section -> the IRIs in it.
EDITS = {
    "Entities added": [f"{ID}person/test-editor-person"],
    "Entities revised": [f"{ID}place/bratislava"],
    "Claims added": [f"{ID}claim/test-person-occupation"],
    "Claims removed": [f"{ID}claim/abolition-of-censorship-1968-part-of-prague-spring"],
    "Claims re-ranked": [f"{ID}claim/dubcek-succession-date"],
    "Disagreements opened": [f"{ID}disagreement/test-disagreement"],
    "Disagreements revised": [f"{ID}disagreement/dubcek-end-date"],
    "Wikidata links added": [f"{ID}event/abolition-of-censorship-1968"],
}


@dataclass
class Series:
    root: Path
    first: Release
    second: Release


@pytest.fixture(scope="module")
def series(tmp_path_factory: pytest.TempPathFactory) -> Series:
    """Two releases in a scratch project: 1.0.0 from data/, 1.1.0 from the edited copy."""
    root = tmp_path_factory.mktemp("project")
    shutil.copy(ROOT / "citation.toml", root)
    data = root / "data"
    shutil.copytree(DATA, data)
    first = make_release("1.0.0", root, data=data, date="2026-01-15")
    _edit(data)
    second = make_release("1.1.0", root, data=data, date="2026-02-01")
    return Series(root, first, second)


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_the_changelog_lists_exactly_the_edits(series: Series) -> None:
    sections = {title: [item.iri for item in items]
                for title, items in series.second.changes.sections.items() if items}
    assert sections == EDITS
    text = (series.second.folder / "CHANGES.md").read_text(encoding="utf-8")
    assert "## 1.1.0 (2026-02-01)" in text and "Changes since 1.0.0" in text
    assert ("- `claim:dubcek-succession-date`: Dubček succeeds Novotný as First Secretary · "
            "timeSpan · 1968-01-05 [preferred] → deprecated (sources: source:video-romania-refusal)"
            ) in text
    assert "(sources: source:cvce-invasion)" in text  # the claim added, with its source
    assert "- `place:bratislava`: Bratislava; changed: comment" in text
    assert "- `disagreement:dubcek-end-date`: When Husák took over from Dubček; changed: label" \
        in text
    changelog = (series.root / "CHANGELOG.md").read_text(encoding="utf-8")
    assert changelog.index("## 1.1.0") < changelog.index("## 1.0.0")  # newest first


def test_the_patch_turns_the_first_release_into_the_second(series: Series) -> None:
    first, second = _files(series.first.folder), _files(series.second.folder)
    patch = second["changes.rdfp"]
    head = patch.decode().splitlines()[:3]
    assert head[0].startswith("H id <urn:uuid:") and head[1].startswith("H prev <urn:uuid:")
    assert head[2] == "TX ."
    assert first["changes.rdfp"].decode().splitlines()[0] == head[1].replace("prev", "id")
    patched = apply_patch(release_dataset(first, SPACE), patch)
    target = release_dataset(second, SPACE)
    assert patched == target
    # and as rdflib sees isomorphism (only where there are blank nodes: without them,
    # isomorphic graphs are equal sets of triples, as checked above)
    shapes = SPACE.base + "graph/shapes"
    assert isomorphic(_rdflib(patched[shapes]), _rdflib(target[shapes]))
    # only the edits and the version statements changed: a small patch
    assert sum(d + a for d, a in series.second.patch_counts.values()) < 150


def _rdflib(triples: set[ox.Triple]) -> rdflib.Graph:
    nt = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    assert nt is not None
    return rdflib.Graph().parse(data=nt, format="nt")


def test_a_shapes_change_only_touches_its_blank_nodes() -> None:
    """Blank nodes are labelled stably: an unchanged list keeps its label across releases."""
    shapes = (ROOT / "shapes" / "common.ttl").read_bytes()
    old = {"shapes.ttl": shapes, "coldwar-lod.nt": b"", "ontology.ttl": b""}
    new = dict(old, **{"shapes.ttl": shapes.replace(b'( "en" )', b'( "en" "cs" )', 1)})
    before, after = (release_dataset(x, SPACE)[SPACE.base + "graph/shapes"] for x in (old, new))
    changed = (before - after) | (after - before)
    # only the shape whose list changed, and its blank nodes: the other 100-odd are stable
    assert 0 < len(changed) < 12 < len(before)
    assert {t.subject.value for t in changed if isinstance(t.subject, ox.NamedNode)} == {
        SPACE.shapes + "EnglishLabelRequired"}


def test_sha256sum_checks_every_file(series: Series) -> None:
    for release in (series.first, series.second):
        sums = (release.folder / "SHA256SUMS").read_text().splitlines()
        assert {line.split("  ")[1] for line in sums} == set(_files(release.folder)) - {
            "SHA256SUMS"}
        done = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=release.folder,
                              capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stdout + done.stderr


def test_the_dcat_description_places_the_release_in_its_series(series: Series) -> None:
    g = rdflib.Graph().parse(series.second.folder / "void.ttl", format="turtle")
    dcat = rdflib.Namespace("http://www.w3.org/ns/dcat#")
    dct = rdflib.Namespace("http://purl.org/dc/terms/")
    spdx = rdflib.Namespace("http://spdx.org/rdf/terms#")
    this = rdflib.URIRef(SPACE.base + "releases/1.1.0")
    before = rdflib.URIRef(SPACE.base + "releases/1.0.0")
    assert g.value(this, dcat.version) == rdflib.Literal("1.1.0")
    assert g.value(this, dcat.previousVersion) == before
    assert g.value(this, dcat.inSeries) == rdflib.URIRef(SPACE.base + "releases")
    assert str(g.value(this, dct.issued)) == "2026-02-01"
    assert str(g.value(before, dct.issued)) == "2026-01-15"
    assert (rdflib.URIRef(SPACE.base + "releases"), dcat.last, this) in g
    files = _files(series.second.folder)
    described = 0
    for dist in g.objects(this, dcat.distribution):
        name = str(g.value(dist, dcat.downloadURL)).rsplit("/", 1)[1]
        assert str(g.value(dist, dcat.byteSize)) == str(len(files[name]))
        checksum = g.value(g.value(dist, spdx.checksum), spdx.checksumValue)
        assert str(checksum) == hashlib.sha256(files[name]).hexdigest()
        described += 1
    assert described == 12  # six documents, each also gzipped
    assert [r.version for r in list_releases(series.root / "releases")] == ["1.0.0", "1.1.0"]
    assert list_releases(series.root / "releases")[1].notes.startswith("Changes since 1.0.0")


def test_every_rdf_document_names_its_licence_and_version(series: Series) -> None:
    licence = rdflib.URIRef("https://creativecommons.org/licenses/by/4.0/")
    owl = rdflib.Namespace("http://www.w3.org/2002/07/owl#")
    folder = series.second.folder
    formats = {"ttl": ox.RdfFormat.TURTLE, "trig": ox.RdfFormat.TRIG,
               "nt": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD}
    for name in ("coldwar-lod.ttl", "coldwar-lod.trig", "coldwar-lod.nt", "coldwar-lod.jsonld",
                 "ontology.ttl", "shapes.ttl", "void.ttl"):
        quads = ox.parse(path=folder / name, format=formats[name.rsplit(".", 1)[1]])
        assert any(q.predicate.value == str(rdflib.DCTERMS.license)
                   and q.object.value == str(licence) for q in quads), name
    ontology = rdflib.Graph().parse(folder / "ontology.ttl")
    assert (None, owl.versionIRI, rdflib.URIRef(SPACE.base + "ontology/1.1.0")) in ontology
    assert (None, owl.versionInfo, rdflib.Literal("1.1.0")) in ontology


def test_the_same_records_give_byte_identical_releases(series: Series, tmp_path: Path) -> None:
    make_release("1.0.0", tmp_path, data=DATA, date="2026-01-15")
    again = _files(tmp_path / "releases" / "1.0.0")
    assert again == _files(series.first.folder)


def test_the_citation_files_are_valid_and_agree() -> None:
    """cffconvert validates CITATION.cff against the CFF 1.2.0 schema, and its own Zenodo
    conversion agrees with our .zenodo.json."""
    cffconvert = shutil.which("cffconvert", path=str(Path(sys.executable).parent))
    assert cffconvert, "cffconvert is a test dependency (pip install -e '.[test]')"
    for root in (ROOT,):  # the committed files (a test checks they are what is generated)
        cff = root / "CITATION.cff"
        done = subprocess.run([cffconvert, "--validate", "-i", str(cff)], capture_output=True,
                              text=True, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
        converted = json.loads(subprocess.run([cffconvert, "-f", "zenodo", "-i", str(cff)],
                                              capture_output=True, check=True).stdout)
        ours = json.loads((root / ".zenodo.json").read_text(encoding="utf-8"))
        converted["license"] = converted["license"]["id"]
        assert {k: ours[k] for k in converted} == converted


def test_the_committed_citation_files_are_generated() -> None:
    """CITATION.cff and .zenodo.json are what `coldwar-lod release` writes for the last
    release from citation.toml: edit citation.toml, then make a release (or run this)."""
    from coldwar_lod.release.citation import citation_files, read_source

    last = list_releases(ROOT / "releases")[-1]
    expected = citation_files(read_source(ROOT / "citation.toml"), last.version, last.issued)
    for name, content in expected.items():
        assert (ROOT / name).read_bytes() == content, name


def test_the_committed_releases_check_out() -> None:
    """Every release in releases/ passes `sha256sum -c`, and its patch (from the one before
    it, or from nothing) gives it."""
    previous: dict[str, bytes] = {name: b"" for name in GRAPHS.values()}
    for info in list_releases(ROOT / "releases"):
        done = subprocess.run(["sha256sum", "--quiet", "-c", "SHA256SUMS"], cwd=info.folder,
                              capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
        files = _files(info.folder)
        assert (apply_patch(release_dataset(previous, SPACE), files["changes.rdfp"])
                == release_dataset(files, SPACE))
        previous = files


@pytest.mark.parametrize(("version", "message"), [
    ("1.1.0", "release 1.1.0 exists already"),
    ("1.0.5", "version 1.0.5 is not greater than the last release, 1.1.0"),
    ("1.1.0+build.7", "not greater than the last release"),
    ("v1.2", "bad version 'v1.2': use a semantic version"),
])
def test_a_bad_version_is_refused_before_anything_is_built(
        series: Series, runner: CliRunner, version: str, message: str) -> None:
    before = _tree(series.root)
    result = runner.invoke(main, ["release", version, "--root", str(series.root)])
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output
    assert _tree(series.root) == before


@pytest.mark.parametrize(("date", "message"), [
    ("2026-13-01", "bad release date '2026-13-01'"),
    ("2026-01-31", "release date 2026-01-31 is before that of the last release, 1.1.0"),
])
def test_a_bad_date_is_refused(series: Series, runner: CliRunner, date: str,
                               message: str) -> None:
    result = runner.invoke(main, ["release", "9.0.0", "--root", str(series.root),
                                  "--date", date])
    assert result.exit_code == 2 and message in result.output


def test_an_unwritable_folder_leaves_nothing_behind(tmp_path: Path, runner: CliRunner,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "releases").write_text("a file where the folder should be")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    result = runner.invoke(main, ["--data", str(DATA), "release", "1.0.0", "--root",
                                  str(tmp_path)])
    assert result.exit_code == 2 and "error: cannot write" in result.output
    assert "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["releases"]


def test_data_that_does_not_conform_makes_no_release(tmp_path: Path, runner: CliRunner) -> None:
    # Passes the record checks but breaks a shape: Romania both refuses and takes part.
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    _append(data / "claims.csv", "romania-took-part,warsaw-pact-invasion,participant,"
            "socialist-republic-of-romania,invader,,,,,,cvce-invasion:776-869,,")
    result = runner.invoke(main, ["--data", str(data), "release", "1.0.0", "--root",
                                  str(tmp_path), "--date", "2026-01-01"])
    assert result.exit_code == 1, result.output
    assert "the data does not conform (1 violation(s)" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]


def test_semantic_version_precedence() -> None:
    order = ["0.9.0", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta.2",
             "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.10.0", "2.0.0"]
    assert sorted(reversed(order), key=Version.parse) == order
    for bad in ("1.0", "01.0.0", "1.0.0-", "1.0.0-01", "latest"):
        with pytest.raises(Exception, match="bad version"):
            Version.parse(bad)


def test_a_malformed_patch_is_reported_with_its_line() -> None:
    with pytest.raises(PatchError, match="line 2: unknown row 'X'"):
        apply_patch({}, b"TX .\nX <a> <b> <c> .\nTC .\n")
    with pytest.raises(PatchError, match="line 1"):
        apply_patch({}, b"A <http://e.org/a> <http://e.org/b> .\n")


def test_an_aborted_transaction_changes_nothing() -> None:
    a = "<http://e.org/a> <http://e.org/b> <http://e.org/c> <http://e.org/g> ."
    assert apply_patch({}, f"TX .\nA {a}\nTA .\n".encode()) == {}
    assert len(apply_patch({}, f"A {a}\n".encode())["http://e.org/g"]) == 1  # no TX: at once


def test_identical_and_shared_blank_nodes_keep_the_graph() -> None:
    """Identical siblings stay apart; a blank node held twice (not a tree) is labelled by
    rdflib's canonical labelling; either way the graph is the same (isomorphic)."""
    from coldwar_lod.release.patch import stable_blank_nodes

    twins = (b"<http://e.org/a> <http://e.org/p> [ <http://e.org/q> ( 1 ) ], "
             b"[ <http://e.org/q> ( 1 ) ] .")
    shared = b"<http://e.org/a> <http://e.org/p> _:x . <http://e.org/b> <http://e.org/p> _:x ."
    for turtle, count in ((twins, 8), (shared, 2)):
        triples = [ox.Triple(q.subject, q.predicate, q.object)
                   for q in ox.parse(turtle, ox.RdfFormat.TURTLE)]
        stable = stable_blank_nodes(triples)
        assert len(set(stable)) == count
        assert isomorphic(_rdflib(set(stable)), _rdflib(set(triples)))
        again = [ox.Triple(q.subject, q.predicate, q.object)
                 for q in ox.parse(turtle, ox.RdfFormat.TURTLE)]
        assert set(stable_blank_nodes(again)) == set(stable)
