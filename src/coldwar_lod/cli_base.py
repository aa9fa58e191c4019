"""What every command shares: the global options, errors mapped to messages and exit codes,
the options of a SPARQL service, and building the dataset the options name.

Exit codes: 0 success (data conforms), 1 SHACL violations, 2 usage or input error, 3 internal
error, 4 endpoint error, 5 query error. Tracebacks are shown only with ``--debug``.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

import coldwar_lod as api

from . import errors
from .errors import ColdwarError, InputErrors

F = TypeVar("F", bound=Callable[..., Any])


class Context:
    """Options shared by every command."""

    def __init__(self, debug: bool, base: str | None, data: Path | None, validator: str) -> None:
        self.debug = debug
        self.base = base
        self.data = data
        self.validator = validator


def handle_errors(func: F) -> F:
    """Turn errors into messages and exit codes (tracebacks only with ``--debug``)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        debug = bool(ctx.find_object(Context) and ctx.find_object(Context).debug)  # type: ignore[union-attr]
        try:
            return func(*args, **kwargs)
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
        except KeyboardInterrupt:
            click.echo("interrupted; outputs are unchanged.", err=True)
            sys.exit(130)
        except Exception as exc:
            if debug:
                raise
            click.echo(f"internal error: {type(exc).__name__}: {exc}\n"
                       "(this is a bug; run again with --debug for the traceback)", err=True)
            sys.exit(errors.EXIT_INTERNAL)

    return wrapper  # type: ignore[return-value]


def endpoint_options(func: F) -> F:
    """The options that say where a SPARQL service is and how patient to be with it."""
    for option in reversed([
        click.option("--timeout", type=float, default=60.0, show_default=True, metavar="SECONDS",
                     help="Give up on a request after this long."),
        click.option("--retries", type=click.IntRange(min=0), default=3, show_default=True,
                     help="Retries of a request that failed transiently (dropped connection, "
                          "HTTP 502/503/504), with exponential backoff."),
    ]):
        func = option(func)
    return func


def build_for(ctx: Context) -> api.Build:
    return api.build(ctx.data, ctx.base)
