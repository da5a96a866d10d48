"""The package's shape: no import circle between its files and no import
that runs back up its layers (models never import the engine, the library
never imports the experiments), counting imports inside functions too."""
import ast
from pathlib import Path

from .conftest import REPO

PACKAGE = Path(REPO) / 'pt4al_seg'
# From the bottom up: a module may import its own layer and those below.
LAYERS = ('utils', 'registry', 'datasets', 'models', 'strategies',
          'evaluation', 'visualization', 'engine', 'experiments')


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix('').parts)
    if parts[-1] == '__init__':
        parts.pop()
    return '.'.join(parts)


def modules() -> dict:
    return {module_name(p): p for p in PACKAGE.rglob('*.py')}


def imported(path: Path, known: dict) -> set:
    """The package's modules ``path`` imports (anywhere in it), and the
    packages above them that Python runs first (those that do not hold
    ``path`` already)."""
    name = module_name(path)
    package = name if path.name == '__init__.py' else name.rpartition('.')[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        targets = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ''
            if node.level:
                up = package.split('.')
                up = up[:len(up) - node.level + 1]
                base = '.'.join(up + ([base] if base else []))
            targets = [
                f'{base}.{a.name}' if f'{base}.{a.name}' in known else base
                for a in node.names
            ]
        for target in targets:
            while target and target not in known:
                target = target.rpartition('.')[0]
            if not target.startswith('pt4al_seg.'):
                continue  # another library, or the package's face
            out.add(target)
            parent = target.rpartition('.')[0]
            while parent.count('.') and not name.startswith(parent + '.'):
                out.add(parent)
                parent = parent.rpartition('.')[0]
    out.discard(name)
    return out


def graph() -> dict:
    known = modules()
    return {
        name: imported(path, known)
        for name, path in known.items() if name != 'pt4al_seg'
    }


def layer(name: str) -> int:
    top = name.split('.')[1]
    assert top in LAYERS, f'{name}: which layer is {top}? (LAYERS)'
    return LAYERS.index(top)


def upward(edges: dict) -> list:
    return sorted(f'{a} imports {b}' for a, targets in edges.items()
                  for b in targets if layer(b) > layer(a))


def circles(edges: dict) -> list:
    found, state = [], {}

    def visit(node, path):
        state[node] = 'open'
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 'open':
                found.append(path[path.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = 'done'

    for node in sorted(edges):
        if node not in state:
            visit(node, [node])
    return found


def test_no_import_runs_back_up():
    assert upward(graph()) == []


def test_no_import_circle():
    assert circles(graph()) == []


def test_the_checker_sees_circles_and_upward_imports(tmp_path):
    """The rules on a hand-made package: a models file that imports the
    engine inside a function, and engine files that import each other
    through a package face (importing ``hooks.other`` runs
    ``hooks/__init__.py`` first)."""
    global PACKAGE
    root = tmp_path / 'pt4al_seg'
    files = {
        '__init__.py': '',
        'models/__init__.py': '',
        'models/net.py': 'def f():\n    from ..engine import runner\n',
        'engine/__init__.py': '',
        'engine/hooks/__init__.py': 'from .hook import Hook\n',
        'engine/hooks/hook.py': 'from ..phases import run\n',
        'engine/phases.py': 'from .hooks.other import x\n',
        'engine/hooks/other.py': 'x = 1\n',
        'engine/runner.py': 'import os.path as osp\n',
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    saved, PACKAGE = PACKAGE, root
    try:
        edges = graph()
    finally:
        PACKAGE = saved
    assert upward(edges) == [
        'pt4al_seg.models.net imports pt4al_seg.engine',
        'pt4al_seg.models.net imports pt4al_seg.engine.runner'
    ]
    assert circles(edges) == [[
        'pt4al_seg.engine.hooks', 'pt4al_seg.engine.hooks.hook',
        'pt4al_seg.engine.phases', 'pt4al_seg.engine.hooks'
    ]]
