"""The ``coldwar-lod`` group: shared options, the one place errors become exit codes.

Exit codes: 0 success (data conforms), 1 SHACL violations, 2 usage or input error, 3 internal
error, 4 endpoint error, 5 query error, 130 interrupted (Ctrl-C), 143 terminated (SIGTERM,
during a load). Tracebacks are shown only with
``--debug``. A reader that stops reading (``| head``) ends the command quietly, with 0.
"""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import click

import coldwar_lod as api

from .. import errors
from ..errors import ColdwarError, InputErrors

F = TypeVar("F", bound=Callable[..., Any])


class Context:
    """Options shared by every command."""

    def __init__(self, debug: bool, base: str | None, data: Path | None, validator: str) -> None:
        self.debug = debug
        self.base = base
        self.data = data
        self.validator = validator
        self.spreadsheet_safe = True


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the program is, so that it stops as on Ctrl-C (clean-ups run)."""


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """While the block runs, SIGTERM stops it as Ctrl-C does (in the main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminate(_signum: int, _frame: object) -> None:
        raise Terminated

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def handle_errors(func: F) -> F:
    """Turn errors into messages and exit codes (tracebacks only with ``--debug``)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        debug = bool(ctx.find_object(Context) and ctx.find_object(Context).debug)  # type: ignore[union-attr]
        try:
            result = func(*args, **kwargs)
            sys.stdout.flush()  # here, so that a closed pipe is caught below
            return result
        except BrokenPipeError:  # the reader went away (`| head`): nothing more to tell it
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(errors.EXIT_OK)
        except InputErrors as exc:
            if debug:
                raise
            for err in exc.errors:
                click.echo(f"error: {err}", err=True)
            if len(exc.errors) > 1:
                click.echo(f"{len(exc.errors)} problems in the data; nothing was written.",
                           err=True)
            sys.exit(exc.exit_code)
        except ColdwarError as exc:
            if debug:
                raise
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt as exc:
            if isinstance(exc, Terminated):
                click.echo("terminated; outputs are unchanged.", err=True)
                sys.exit(128 + signal.SIGTERM)
            click.echo("interrupted; outputs are unchanged.", err=True)
            sys.exit(130)
        except Exception as exc:
            if debug:
                raise
            click.echo(f"internal error: {type(exc).__name__}: {exc}\n"
                       "(this is a bug; run again with --debug for the traceback)", err=True)
            sys.exit(errors.EXIT_INTERNAL)

    return wrapper  # type: ignore[return-value]


class SharedOptionsGroup(click.Group):
    """A group whose commands also take the main options (``--debug``, ``--base``, ``--data``,
    ``--validator``) after their name, where users type them: ``coldwar-lod validate
    --validator turbo`` is ``coldwar-lod --validator turbo validate``."""

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        if not isinstance(cmd, click.Group):
            cmd.params.extend(_late_options())
        super().add_command(cmd, name)


def _late_options() -> list[click.Option]:
    """The main options as options of a command (hidden from its help; they override the
    values given before the command)."""

    def keep(name: str) -> Callable[[click.Context, click.Parameter, Any], None]:
        def store(ctx: click.Context, _param: click.Parameter, value: Any) -> None:
            shared = ctx.find_object(Context)
            if shared is not None and value not in (None, False):
                setattr(shared, name, value)
        return store

    return [
        click.Option(["--debug"], is_flag=True, expose_value=False, hidden=True,
                     callback=keep("debug"), is_eager=True),
        click.Option(["--base"], expose_value=False, hidden=True, callback=keep("base")),
        click.Option(["--data"], type=click.Path(file_okay=False, path_type=Path),
                     expose_value=False, hidden=True, callback=keep("data")),
        click.Option(["--validator"], type=click.Choice(["oxigraph", "turbo", "pyshacl"]),
                     expose_value=False, hidden=True, callback=keep("validator")),
    ]


@click.group(cls=SharedOptionsGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show tracebacks on errors.")
@click.option("--base", envvar="COLDWAR_LOD_BASE", metavar="IRI",
              help="Base IRI to publish under [env COLDWAR_LOD_BASE; default "
                   "https://w3id.org/coldwar-lod/].")
@click.option("--data", "data", envvar="COLDWAR_LOD_DATA",
              type=click.Path(file_okay=False, path_type=Path),
              help="Folder of the records [env COLDWAR_LOD_DATA; default ./data if it holds "
                   "record files, else the copy shipped with the package].")
@click.option("--validator", type=click.Choice(["oxigraph", "turbo", "pyshacl"]),
              default="oxigraph", show_default=True,
              help="SHACL engine: the shapes as SPARQL in Oxigraph, pyshacl-turbo or pySHACL "
                   "(all give the same results).")
@click.version_option(package_name="coldwar-lod")
@click.pass_context
def main(ctx: click.Context, debug: bool, base: str | None, data: Path | None,
         validator: str) -> None:
    """Build, validate, export and query the 1968 Czechoslovak crisis as Linked Open Data.

    The options above are also taken after the command's name.
    """
    ctx.obj = Context(debug, base, data, validator)


def _build(ctx: Context) -> api.Build:
    return api.build(ctx.data, ctx.base)


def _stop_unless_conforms(report: api.ValidationReport, space: Any, unchanged: str) -> None:
    """The one way a command ends on data that does not conform: the report, what was left as
    it was, exit 1."""
    if report.conforms:
        return
    click.echo(report.text(space.prefixes()), err=True)
    click.echo(f"\nthe data does not conform; {unchanged}", err=True)
    sys.exit(errors.EXIT_VIOLATIONS)



def _keep_spreadsheet_safe(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    shared = ctx.find_object(Context)
    if shared is not None:
        shared.spreadsheet_safe = value


#: ``-f csv``: cells a spreadsheet would run as formulas get a leading ``'`` unless turned off.
_SPREADSHEET_SAFE = click.option(
    "--spreadsheet-safe/--raw-csv", default=True, show_default=True, expose_value=False,
    callback=_keep_spreadsheet_safe,
    help="With -f csv: prefix with ' the values a spreadsheet would run as formulas (starting "
         "with = + - @, not numbers); --raw-csv writes them as they are.")


def _endpoint_options(func: F) -> F:
    """The options that say where a SPARQL service is and how patient to be with it."""
    for option in reversed([
        click.option("--timeout", type=float, default=60.0, show_default=True, metavar="SECONDS",
                     help="Give up on a request after this long (for load without --timeout, "
                          "the request that writes the graphs and the clean-up get 600 s)."),
        click.option("--retries", type=click.IntRange(min=0), default=3, show_default=True,
                     help="Retries of a request that failed transiently (dropped connection, "
                          "HTTP 502/503/504), with exponential backoff."),
    ]):
        func = option(func)
    return func

