#!/usr/bin/env python3
"""Import cycles in perceo-core (issue 19: "no cycles between modules", ARCHITECTURE.md).

A top-level module `a` depends on `b` when a file under src/a names `crate::b`; the files of
one folder module depend on each other through `super::x` or `crate::folder::x`. Test modules
are left out. Prints every cycle; exits 1 when the top-level modules have one, or when
ARCHITECTURE.md's table of modules and the tree differ. Cycles
between the files of one folder (siblings sharing helpers) are listed as notes.

Usage: python3 scripts/module-cycles.py [--graph]
"""
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "perceo-core", "src")


def code_of(path):
    """The file's text without its `#[cfg(test)] mod tests` part."""
    return re.split(r"#\[cfg\(test\)\]\s*mod tests", open(path, encoding="utf-8").read())[0]


def names(folder):
    """The modules of a folder: `x.rs` files and `x/` folders (not lib.rs, main.rs, mod.rs)."""
    out = set()
    for entry in os.listdir(folder):
        full = os.path.join(folder, entry)
        if entry.endswith(".rs") and entry not in ("lib.rs", "main.rs", "mod.rs"):
            out.add(entry[:-3])
        elif os.path.isdir(full):
            out.add(entry)
    return sorted(out)


def files_of(folder, name):
    """Every .rs file of module `name` in `folder` (`name.rs` and what is under `name/`)."""
    full = os.path.join(folder, name)
    files = [full + ".rs"] if os.path.exists(full + ".rs") else []
    if os.path.isdir(full):
        files += [os.path.join(d, f) for d, _, fs in os.walk(full) for f in fs if f.endswith(".rs")]
    # Unit tests (`tests.rs`, `tests_*.rs`) may reach anywhere.
    return [f for f in files if not os.path.basename(f).startswith("tests")]


def targets(text, prefix):
    """Module names following `prefix` (`crate::`, `super::`), also inside `use prefix{a::..}`."""
    found = set(re.findall(rf"\b{prefix}([a-z_0-9]+)", text))
    for group in re.findall(rf"\buse {prefix}\{{([^;]*)\}}", text):
        found |= set(re.findall(r"(?:^|[,{\s])([a-z_0-9]+)::", group))
    return found


def cycles(edges):
    """The strongly connected components of more than one node (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def describe(comp, edges):
    inside = [f"{a} -> {b}" for a in comp for b in sorted(edges[a]) if b in comp]
    return ", ".join(comp) + "  (" + "; ".join(inside) + ")"


top = names(ROOT)
edges = {m: set() for m in top}
for m in top:
    for path in files_of(ROOT, m):
        edges[m] |= {t for t in targets(code_of(path), "crate::") if t in edges and t != m}
if "--graph" in sys.argv:
    for m in top:
        print(f"{m} -> {', '.join(sorted(edges[m])) or '-'}")
found = cycles(edges)
for comp in found:
    print("cycle: " + describe(comp, edges))

for folder in [m for m in top if os.path.exists(os.path.join(ROOT, m, "mod.rs"))]:
    base = os.path.join(ROOT, folder)
    kids = names(base)
    sub = {k: set() for k in kids}
    for k in kids:
        for path in files_of(base, k):
            text = code_of(path)
            sub[k] |= {t for t in targets(text, "super::") | targets(text, f"crate::{folder}::") if t in sub and t != k}
    for comp in cycles(sub):
        print(f"note: files of {folder}/ that use each other: " + describe(comp, sub))

# ARCHITECTURE.md's table of modules names exactly the top-level modules.
doc = open(os.path.join(ROOT, "..", "..", "ARCHITECTURE.md"), encoding="utf-8").read()
documented = set(re.findall(r"^\| `([a-z_0-9]+)` \|", doc, re.M))
stale = sorted(documented - set(top))
undocumented = sorted(set(top) - documented)
for m in undocumented:
    print(f"ARCHITECTURE.md: module `{m}` is not in the table of modules")
for m in stale:
    print(f"ARCHITECTURE.md: the table names `{m}`, which is not a module of perceo-core/src")

print(f"module-cycles: {len(top)} modules, {sum(map(len, edges.values()))} edges, {len(found)} cycle(s)")
sys.exit(1 if found or stale or undocumented else 0)
