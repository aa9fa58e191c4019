"""The project's own promises: the README's set-up commands are what CI runs."""

from __future__ import annotations

import re

from .conftest import ROOT


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    setup = readme.split("## Set-up: two commands", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```sh\n(.+?)\n```", setup)
    assert len(commands) == 2, commands  # exactly two commands do all the set-up
    build, test = commands
    assert build.endswith("coldwar-lod build")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert test in ci, "the last command of .ci/run must be the README's test command"
    assert ci[-1] == test
