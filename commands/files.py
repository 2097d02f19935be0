"""Files named on the command line: output paths, input files, and long texts from @FILE or ``-``.

No business rules here. Each problem with a file is one line naming the option and the path,
exit 2 (:class:`FileProblem`), never a traceback:

* an output path (``--out``, ``--evidence``, ``--fhir``) is checked when the command line is
  parsed (:class:`OutputFile`), before the ledger is opened or anything is read or recorded:
  its folder must exist and be writable, and it must not itself be a folder;
* an input file (``verify --checkpoint``, ``evidence verify FILE``) is read with
  :func:`read_input`: missing, a folder, unreadable or not UTF-8 text;
* a long text option (:data:`LONG_TEXT`: facts, analysis, actions, the child's views, reasons,
  decisions, risks, review notes, and ``--set FIELD=VALUE`` values) takes ``@FILE`` (the file's
  text), ``-`` (standard input; one option per command) or ``@@...`` (a literal text starting
  with ``@``). Windows line ends become newlines; trailing newlines are dropped.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO, Any

import click

__all__ = ["LONG_TEXT", "LONG_TEXT_HELP", "OutputFile", "FileProblem", "long_text", "read_input", "write_output"]

#: The most a long text option reads from a file or standard input (a case note is not a megabyte).
MAX_TEXT_BYTES = 1 << 20
#: Appended to the help of every long text option.
LONG_TEXT_HELP = " @FILE reads it from a file, - from standard input."
_STDIN_READER = "caseledger.stdin_read_by"


class FileProblem(click.ClickException):
    """A file named on the command line cannot be used: exit 2, one line."""

    exit_code = 2

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"caseledger: {self.format_message()}", err=True, file=file)


def _label(param: click.Parameter | None, default: str) -> str:
    if isinstance(param, click.Option) and param.opts:
        return max(param.opts, key=len)
    return default


class OutputFile(click.ParamType):
    """A file to write: its folder exists and is writable, and it is not a folder (checked at parse time)."""

    name = "file"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        check_output(str(value), _label(param, "output file"))
        return str(value)


def check_output(value: str, label: str) -> None:
    path = Path(value)
    if not value.strip():
        raise FileProblem(f"{label}: give a file name")
    if path.is_dir():
        raise FileProblem(f"{label} {value}: is a folder; give a file name inside it")
    folder = path.parent
    if not folder.exists():
        raise FileProblem(f"{label} {value}: no folder {folder} (create it first)")
    if not folder.is_dir():
        raise FileProblem(f"{label} {value}: {folder} is not a folder")
    if path.exists():
        if not os.access(path, os.W_OK):
            raise FileProblem(f"{label} {value}: cannot write it: permission denied")
    elif not os.access(folder, os.W_OK | os.X_OK):
        raise FileProblem(f"{label} {value}: cannot create a file in {folder}: permission denied")


def write_output(value: str, text: str, label: str) -> None:
    """Write ``text`` (UTF-8) to ``value``; a failure (disk full, removed folder) is one line, exit 2."""
    try:
        Path(value).write_text(text, encoding="utf-8")
    except OSError as e:
        raise FileProblem(f"{label} {value}: cannot write it: {(e.strerror or str(e)).lower()}") from None


def read_input(value: str, label: str, *, limit: int | None = None) -> str:
    """The UTF-8 text of the file ``value``; a problem with it is one line naming ``label`` and the path."""
    path = Path(value)
    try:
        if limit is not None and path.is_file() and path.stat().st_size > limit:
            raise FileProblem(f"{label}: {path.stat().st_size} bytes; a text option takes at most {limit}")
        data = path.read_bytes()
    except FileNotFoundError:
        raise FileProblem(f"{label}: no such file") from None
    except IsADirectoryError:
        raise FileProblem(f"{label}: is a folder, not a file") from None
    except PermissionError:
        raise FileProblem(f"{label}: cannot read it: permission denied") from None
    except OSError as e:
        raise FileProblem(f"{label}: cannot read it: {(e.strerror or str(e)).lower()}") from None
    return _decode(data, label)


def _decode(data: bytes, label: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise FileProblem(f"{label}: not UTF-8 text (byte {e.start} is not valid UTF-8)") from None


def long_text(value: str, label: str, sep: str = " ") -> str:
    """``value`` as typed, or the text of ``@FILE``, or standard input for ``-``; ``@@x`` is ``@x``.

    Errors name ``label``, ``sep`` and the value typed: ``--facts @notes.txt``, ``--set description=-``.
    """
    if value == "-":
        ctx = click.get_current_context(silent=True)
        meta: dict[str, Any] = ctx.meta if ctx is not None else {}
        reader = meta.get(_STDIN_READER)
        if reader is not None:
            raise FileProblem(f"{label}{sep}-: standard input is already read by {reader}; only one option may "
                              "read it (give the others @FILE)")
        meta[_STDIN_READER] = label.rstrip("=")
        stream = click.get_binary_stream("stdin")
        data = stream.read(MAX_TEXT_BYTES + 1)
        if len(data) > MAX_TEXT_BYTES:
            raise FileProblem(f"{label}{sep}-: more than {MAX_TEXT_BYTES} bytes on standard input; "
                              f"a text option takes at most {MAX_TEXT_BYTES}")
        text = _decode(data, f"{label}{sep}-")
    elif value.startswith("@@"):
        return value[1:]
    elif value.startswith("@"):
        if not value[1:]:
            raise FileProblem(f"{label}{sep}@: no file name after @ (write @@ for a text that starts with @)")
        text = read_input(value[1:], f"{label}{sep}{value}", limit=MAX_TEXT_BYTES)
    else:
        return value
    return text.replace("\r\n", "\n").rstrip("\n")


class LongText(click.ParamType):
    """A text option that also takes @FILE, - (standard input) or @@ (a literal leading @)."""

    name = "text"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        return long_text(str(value), _label(param, "text"))


LONG_TEXT = LongText()
