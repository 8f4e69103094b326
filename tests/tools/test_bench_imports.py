"""The benchmarks import one way: no module of bench/ reaches back to one that imports it
(every import counted, also those inside functions)."""

from __future__ import annotations

import ast
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"


def bench_imports(source: str) -> set[str]:
    """Modules of ``bench`` that ``source`` imports, anywhere in it."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("bench.")}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "bench":
                found |= {f"bench.{a.name}" for a in node.names}
            elif node.module.startswith("bench."):
                found.add(node.module)
    return found


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every module from which its own imports lead back to it, with one such path."""
    found = []
    for start in sorted(graph):
        path: dict[str, str] = {}
        todo = [start]
        while todo:
            here = todo.pop()
            for there in sorted(graph.get(here, ())):
                if there == start:
                    back = [here]
                    while back[-1] != start:
                        back.append(path[back[-1]])
                    found.append([start, *reversed(back[:-1]), start])
                    todo = []
                    break
                if there not in path:
                    path[there] = here
                    todo.append(there)
    return found


def test_the_circle_finder_finds_a_circle():
    assert circles({"bench.a": {"bench.b"}, "bench.b": {"bench.c"},
                    "bench.c": {"bench.a"}})[0] == ["bench.a", "bench.b", "bench.c", "bench.a"]
    assert circles({"bench.a": {"bench.b"}, "bench.b": set()}) == []
    assert bench_imports("def f():\n    from bench.run import figure\n") == {"bench.run"}
    assert bench_imports("from bench import clinic, figures\n") == {"bench.clinic",
                                                                    "bench.figures"}


def test_bench_has_no_import_circle():
    graph = {f"bench.{p.stem}": bench_imports(p.read_text(encoding="utf-8"))
             for p in BENCH.glob("*.py")}
    assert "bench.figures" in graph and graph["bench.run"], "bench/ was not read"
    assert circles(graph) == []
