"""The layers of docs/architecture.md, enforced: an app imports only apps below it, and no two modules
import each other (directly or round a longer circle).

Reactions upward go through a signal or registry that the lower app defines (needs.signals, places.hooks),
never through an import. Tests, migrations, demo/ and bench/ may import anything; nothing imports demo/
or bench/.
"""

import ast
from pathlib import Path

from django.apps import apps as django_apps
from django.conf import settings

# Bottom first. Apps on one line stand beside each other and may not import each other either.
LAYERS = [
    ("core",),
    ("places",),
    ("people",),
    ("sites",),
    ("needs", "rosters"),
    ("offers", "volunteering"),
    ("meetings", "mediation"),  # a resolution creates needs and volunteer activities; a need becomes a dispute
    ("ledger",),
    ("interop",),
    ("minsheng",),
]
LAYER_OF = {app: level for level, apps in enumerate(LAYERS) for app in apps}
OUTSIDE = ("demo", "bench")  # they may import anything; nothing imports them
ROOT = Path(settings.BASE_DIR)


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_checked(path: Path) -> bool:
    parts = path.relative_to(ROOT).parts
    return parts[0] in (*LAYER_OF, *OUTSIDE) and "tests" not in parts and "migrations" not in parts


def project_modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(ROOT.glob("*/**/*.py")) if is_checked(p)}


def imports_of(source: str, known: set[str]) -> set[str]:
    """The project modules a source imports, anywhere in it (function bodies too): `from needs import
    workflow` is the module needs.workflow where one exists, else the package needs."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{alias.name}" if f"{node.module}.{alias.name}" in known else node.module
                     for alias in node.names]
        else:
            continue
        found |= {name for name in names if name.split(".")[0] in (*LAYER_OF, *OUTSIDE)}
    return found


def upward_imports(module: str, imported: set[str]) -> list[str]:
    """The imports that break the layers, as 'module -> imported (why)'."""
    app = module.split(".")[0]
    wrong = []
    for target in sorted(imported):
        other = target.split(".")[0]
        if other == app:
            continue
        if other in OUTSIDE:
            if app not in OUTSIDE:
                wrong.append(f"{module} -> {target} (nothing in the product imports {other}/)")
        elif app in LAYER_OF and LAYER_OF[other] >= LAYER_OF[app]:
            where = "beside" if LAYER_OF[other] == LAYER_OF[app] else "above"
            wrong.append(f"{module} -> {target} ({other} stands {where} {app})")
    return wrong


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), each sorted."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = project_modules()
    known = set(modules)
    return {name: imports_of(path.read_text(), known) - {name} for name, path in modules.items()}


def test_every_app_imports_only_apps_below_it():
    graph = import_graph()
    wrong = [line for module, imported in graph.items() for line in upward_imports(module, imported)]
    assert not wrong, "imports that point up or sideways:\n" + "\n".join(wrong)


def test_no_modules_import_each_other():
    found = circles(import_graph())
    assert not found, "file circles:\n" + "\n".join(" ↔ ".join(group) for group in found)


def test_every_app_has_a_layer():
    apps = {name.split(".")[0] for name in project_modules()}
    assert apps <= {*LAYER_OF, *OUTSIDE}
    ours = {config.name for config in django_apps.get_app_configs() if Path(config.path).parent == ROOT}
    assert ours - set(OUTSIDE) <= set(LAYER_OF)


def test_it_names_an_upward_import():
    imported = imports_of("def f():\n    from ledger import rollups\n", {"ledger.rollups"})
    assert upward_imports("needs.services", imported) == ["needs.services -> ledger.rollups (ledger stands above "
                                                          "needs)"]
    assert upward_imports("needs.views", {"rosters.specs"}) == ["needs.views -> rosters.specs (rosters stands "
                                                                "beside needs)"]
    assert upward_imports("ledger.views", {"needs.models", "core.events"}) == []
    assert upward_imports("people.views", {"demo.build"}) == ["people.views -> demo.build (nothing in the product "
                                                              "imports demo/)"]


def test_it_names_a_circle():
    assert circles({"a.x": {"a.y"}, "a.y": {"a.z"}, "a.z": {"a.x"}, "a.w": {"a.x"}}) == [["a.x", "a.y", "a.z"]]
    assert circles({"a.x": {"a.y"}, "a.y": set()}) == []
