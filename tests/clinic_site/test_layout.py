"""Imports run one way, as the README's Layout section draws them, and no module imports itself round a circle.

The apps' source is read with `ast`, not imported: every import counts, at
module level or inside a function, absolute or relative. Migrations are left
out: they name other apps' migrations by design.
"""

import ast
import re
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[2]

# Bottom to top: each app may import only those before it.
LAYERS = ["clinic", "team", "conditions", "faq", "privacy", "booking", "staff_access", "clinic_site"]


class Import(NamedTuple):
    source: str  # the importing module, "booking.emails"
    target: str  # the project module it imports, "booking.tasks"
    path: Path
    line: int
    statement: str
    in_function: bool

    def __str__(self):
        where = " (inside a function)" if self.in_function else ""
        return f"{self.path.relative_to(ROOT)}:{self.line}: {self.statement}{where}"


def module_files():
    """{module name: file} for every module of the apps, migrations left out."""
    files = {}
    for app in LAYERS:
        for path in sorted((ROOT / app).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if "migrations" in parts:
                continue
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            files[name] = path
    return files


def project_imports():
    modules = module_files()
    found = []
    for source, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        package = source if path.name == "__init__.py" else source.rpartition(".")[0]
        for node, in_function in walk(tree):
            for target in targets(node, package, modules):
                found.append(Import(source, target, path, node.lineno, ast.unparse(node), in_function))
    return found


def walk(tree):
    """Every import statement, and whether it sits inside a function."""
    def visit(node, in_function):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                yield child, in_function
            inside = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef))
            yield from visit(child, inside)

    yield from visit(tree, False)


def targets(node, package, modules):
    """The project modules `node` imports: `from booking import emails` imports booking.emails."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        if node.level:  # `from . import x` in booking/tasks.py: booking; `from ..models import X`: one up
            base = package.rsplit(".", node.level - 1)[0]
            stem = f"{base}.{node.module}" if node.module else base
        else:
            stem = node.module
        names = [f"{stem}.{alias.name}" if f"{stem}.{alias.name}" in modules else stem for alias in node.names]
    for name in dict.fromkeys(names):
        # `import booking.emails` imports booking.emails; `from clinic.models import X` imports clinic.models.
        while name and name not in modules:
            name = name.rpartition(".")[0]
        if name:
            yield name


def app_of(module):
    return module.partition(".")[0]


def test_each_app_imports_only_the_apps_below_it():
    wrong = [
        f"{found} — {app_of(found.source)} imports {app_of(found.target)}, which is drawn above it"
        for found in project_imports()
        if LAYERS.index(app_of(found.target)) > LAYERS.index(app_of(found.source))
    ]
    assert not wrong, "Imports against the layout (" + " < ".join(LAYERS) + "):\n" + "\n".join(wrong)


def test_no_module_imports_itself_round_a_circle():
    edges = {}
    for found in project_imports():
        if found.source != found.target:
            edges.setdefault(found.source, {}).setdefault(found.target, found)
    circles = [
        f"{', '.join(sorted(group))}:\n    " + "\n    -> ".join(str(step) for step in circle_through(group, edges))
        for group in strongly_connected(edges)
    ]
    assert not circles, "Import cycles (each step: file:line: the import):\n" + "\n".join(circles)


def strongly_connected(edges):
    """The groups of modules that reach one another through their imports, those of more than one module."""
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def connect(module):
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in edges.get(module, {}):
            if target not in index:
                connect(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == module:
                    break
            if len(group) > 1:
                groups.append(group)

    for module in sorted(edges):
        if module not in index:
            connect(module)
    return groups


def circle_through(group, edges):
    """The imports of a shortest circle from the group's first module by name back to it."""
    start = min(group)
    came_from, queue = {start: None}, [start]
    while queue:
        module = queue.pop(0)
        for target in sorted(edges.get(module, {})):
            if target == start:
                steps = [edges[module][start]]
                while came_from[module] is not None:
                    steps.append(edges[came_from[module]][module])
                    module = came_from[module]
                return steps[::-1]
            if target in group and target not in came_from:
                came_from[target] = module
                queue.append(target)
    raise AssertionError(f"{sorted(group)} should reach one another")


def test_every_app_is_in_the_layout():
    apps = sorted(path.parent.name for path in ROOT.glob("*/apps.py"))
    assert apps == sorted(LAYERS)


def test_the_readme_draws_the_same_layout():
    section = (ROOT / "README.md").read_text(encoding="utf-8").partition("## Layout")[2].partition("\n## ")[0]
    drawing = re.search(r"```\n(.*?)```", section, re.S)
    assert drawing, "The README's Layout section has no drawing of the apps"
    drawn = re.findall(r"^(\w+)/", drawing.group(1), re.M)
    assert drawn[::-1] == LAYERS
