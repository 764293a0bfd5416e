"""The README's command summary, made from the command line's own help (click's help records), so
that it cannot drift from it: `python -m tests.readme_commands` rewrites the block in README.md, and
tests/test_cli.py fails when the README's block is not what this makes."""

from __future__ import annotations

from pathlib import Path

import click

from coalition_kg.cli import cli

README = Path(__file__).resolve().parents[1] / "README.md"
START = "<!-- the command summary: made from --help by `python -m tests.readme_commands`; do not edit it by hand -->"
END = "<!-- end of the command summary -->"
WIDTH = 110
PROGRAM = "coalition-kg"


def _option(param: click.Parameter, ctx: click.Context) -> str:
    """An option as its help shows it (`--format [text|json]` -> `--format text|json`), in brackets
    unless it is required."""
    shown = param.get_help_record(ctx)[0].split(", ")[-1]  # `-o, --output PATH` -> `--output PATH`
    name, _, metavar = shown.partition(" ")
    if metavar.startswith("[") and metavar.endswith("]"):  # a choice: its values, without click's brackets
        metavar = metavar[1:-1]
    text = f"{name} {metavar}".strip() + (" ..." if getattr(param, "multiple", False) else "")
    return text if param.required else f"[{text}]"


def _argument(param: click.Parameter, ctx: click.Context) -> str:
    return param.make_metavar(ctx)  # as the usage line shows it: NAME, or [NAME] when optional


def _lines(head: str, parts: list[str]) -> list[str]:
    """``head`` then ``parts``, wrapped at WIDTH, the continuation lines under the first part."""
    lines, line = [], head
    for part in parts:
        if len(line) + 1 + len(part) > WIDTH and line.strip() != head.strip():
            lines.append(line)
            line = " " * len(head)
        line += " " + part
    return [*lines, line]


def commands() -> list[str]:
    """Every command the group's --help lists, in its order."""
    ctx = click.Context(cli, info_name=PROGRAM)
    return [name for name in cli.list_commands(ctx) if not cli.get_command(ctx, name).hidden]


def synopsis() -> str:
    """One entry per command: its arguments and options, as its --help names them."""
    ctx = click.Context(cli, info_name=PROGRAM)
    group = [_option(p, ctx) for p in cli.get_params(ctx) if isinstance(p, click.Option) and not p.hidden
             and not p.is_eager]  # --help and --version end the program: not part of a command line
    lines = _lines(PROGRAM, [*group, "COMMAND [ARGS]..."])
    for name in commands():
        command = cli.get_command(ctx, name)
        sub = click.Context(command, info_name=name, parent=ctx)
        params = [p for p in command.get_params(sub) if not getattr(p, "hidden", False) and not p.is_eager]
        parts = [_argument(p, sub) for p in params if isinstance(p, click.Argument)] + \
                [_option(p, sub) for p in params if isinstance(p, click.Option)]
        lines += _lines(f"{PROGRAM} {name}", parts)
    return "\n".join(lines) + "\n"


def block() -> str:
    return f"{START}\n```\n{synopsis()}```\n{END}"


def readme_block(text: str) -> str:
    """The README's block, markers included; an error if the markers are missing."""
    start, end = text.find(START), text.find(END)
    if start < 0 or end < start:
        raise SystemExit(f"{README}: the markers of the command summary are missing")
    return text[start:end + len(END)]


def main() -> None:
    text = README.read_text(encoding="utf-8")
    README.write_text(text.replace(readme_block(text), block()), encoding="utf-8")


if __name__ == "__main__":
    main()
