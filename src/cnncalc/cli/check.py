"""``cnncalc check PATH...``: gate specs on their budgets and expectations."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from . import checking
from .common import guarded
from .declare import with_table
from .options import CHECK_OPTIONS

CHECK_HELP = "\n\n".join(
    [
        "Check spec files against their budgets and expectations.",
        "PATH is a spec file, a directory (every *.yaml and *.yml below it, skipping hidden files and folders) "
        "or - for standard input. Expectations come from each spec's `checks:` section and from the options "
        "below; an option wins over the same key in a file.",
        "Budgets take 7M, 1.6G or 6_998_552 (k/K, M, G, T multiply by 1000); byte budgets also 250MB or 1.5GiB "
        "(KiB, MiB, GiB, TiB multiply by 1024).",
        "Exit status: 0 every check holds; 1 a check failed; 2 a spec is invalid, an expectation names a layer "
        "that does not exist, or the command is misused (2 wins: something could not be checked).",
    ]
)


@guarded
@with_table("check", CHECK_OPTIONS)
def check_cmd(
    paths: Annotated[
        list[str], typer.Argument(help="Spec files, directories, or - for standard input.", show_default=False)
    ],
    *,
    values: dict[str, Any],
) -> None:
    """Check spec files against their budgets and expectations (see CHECK_HELP)."""
    checking.check_paths(paths, values=values)
