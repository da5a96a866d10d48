"""Expected errors and how every tool reports them: one line naming the file,
field or value at fault, exit status 2, and a traceback only for a genuine bug
(or with ``--debug``)."""
import ast
import pickle
import re
import sys
from typing import Callable, Optional

EXIT_USAGE = 2


class UserError(ValueError):
    """Bad input that the user can fix: a config, a file, a setting."""


class ALConfigError(UserError):
    """A setting of an active-learning run's config (or its data) that cannot
    work, with the culprit named."""


class UnsafeCheckpointError(UserError):
    """A checkpoint that only full unpickling (which can run code) reads
    (see :mod:`pt4al_seg.utils.checkpoint`)."""


TRUST_SWITCH = 'TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD'

# what a tool reports in one line; anything else is a bug and keeps its
# traceback
EXPECTED = (UserError, FileExistsError, FileNotFoundError, NotADirectoryError,
            IsADirectoryError, PermissionError)


def run_tool(main: Callable[[], None], prog: str) -> None:
    """Call ``main()``; an expected error becomes ``prog: error: ...`` on
    stderr and exit status 2 (``--debug`` on the command line: the
    traceback)."""
    try:
        main()
    except (*EXPECTED, pickle.UnpicklingError) as e:
        if '--debug' in sys.argv:
            raise
        if isinstance(e, pickle.UnpicklingError):
            # a weights-only load deep inside a library, file unnamed
            if unsafe_reason(e) is None:
                raise
            e = refusal('a checkpoint', unsafe_reason(e))
        print(f'{prog}: error: {one_line(e)}', file=sys.stderr)
        sys.exit(EXIT_USAGE)


def one_line(e: BaseException) -> str:
    text = str(e) if not isinstance(e, OSError) or not e.filename else \
        f'{e.filename}: {e.strerror}'
    return ' '.join(text.split())


def config_syntax_error(e: SyntaxError, config: str) -> UserError:
    """A syntax error mmengine met reading ``config`` as ``FILE:LINE: message``
    (mmengine parses the text without its file name)."""
    try:
        with open(config) as f:
            ast.parse(f.read(), filename=config)
    except SyntaxError as mine:
        return UserError(f'{config}:{mine.lineno}: {mine.msg}')
    return UserError(f'{config}: one of its _base_ files, line {e.lineno}: '
                     f'{e.msg}')


def unsafe_reason(e: BaseException) -> Optional[str]:
    """The global a weights-only load refused (``'posix.system'``), or None
    when ``e`` is no such refusal (e.g. a file that is no pickle at all)."""
    if not isinstance(e, pickle.UnpicklingError):
        return None
    text = str(e)
    if 'Weights only load failed' not in text:
        return None
    text = text.partition('WeightsUnpickler error:')[2]
    found = re.search(r'GLOBAL ([\w.]+)', text) or re.search(
        r"<class '([\w.]+)'>", text) or re.search(
            r'unrecognized function ([\w.<>]+)', text)
    return found.group(1) if found else None


def refusal(path: str, reason: str) -> UnsafeCheckpointError:
    """The one-line refusal of the checkpoint ``path``."""
    return UnsafeCheckpointError(
        f'{path}: refused: loading it would unpickle {reason}, which can '
        'run code; re-save its weights (torch.save of the state dict), or, '
        f'if you trust the file, run with {TRUST_SWITCH}=1')
