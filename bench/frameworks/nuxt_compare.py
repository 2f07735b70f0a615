#!/usr/bin/env python3
"""Compares Perceo's Nuxt auto-import edges (`perceo graph deps --json`) with what Nuxt itself
generated (`.nuxt/components.d.ts`, `.nuxt/imports.d.ts` after `nuxi prepare`).

Usage: nuxt_compare.py <app dir with .nuxt/> <perceo graph deps --json output>
       (EXPECTED_OUT=FILE also writes Nuxt's expected edges as JSON [from, to, kind])

Nuxt's side is rebuilt independently of Perceo's code: component tags are read from the
`<template>` of each `.vue` file and looked up in components.d.ts (kebab-case turned into
PascalCase, as Vue does); composable/util names come from imports.d.ts (project files
only) and count as used where the name occurs as an identifier (not after `.`, outside
strings and comments) and is not declared or imported in the file, which is how unimport
detects them.
"""
import json, os, re, sys

root, deps = sys.argv[1], sys.argv[2]
nuxt = os.path.join(root, ".nuxt")
graph = json.load(open(deps))
files = set(graph["nodes"])

def project_file(spec):
    """'../app/composables/about' (relative to .nuxt) -> 'app/composables/about.ts'."""
    if spec.startswith("~/"):
        spec = "../app/" + spec[2:]
    if not spec.startswith("../") or "node_modules" in spec:
        return None
    base = os.path.normpath(os.path.join(".nuxt", spec))
    for cand in [base] + [base + e for e in (".ts", ".js", ".vue", "/index.ts", "/index.js")]:
        if cand in files:
            return cand
    return None

components = {}
for m in re.finditer(r"export const (\w+): (?:LazyComponent<)?typeof import\(\"([^\"]+)\"\)", open(os.path.join(nuxt, "components.d.ts")).read()):
    target = project_file(m.group(2))
    if target:
        components[m.group(1)] = target

exports = {}
for m in re.finditer(r"export \{([^}]*)\} from '([^']+)'", open(os.path.join(nuxt, "imports.d.ts")).read()):
    target = project_file(m.group(2))
    if target:
        for name in m.group(1).split(","):
            name = name.strip().split(" as ")[-1].strip()
            if name:
                exports.setdefault(name, set()).add(target)

def strip(text):
    text = re.sub(r"<!--.*?-->", " ", text, flags=re.S)
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"(?m)(?<!:)//[^\n]*", " ", text)
    return text

def code_only(text):
    # String contents go, template-literal placeholders stay.
    # (a string holding `$` may sit inside a template literal: kept)
    text = re.sub(r"'(?:\\.|[^'\\\n$])*'", "''", text)
    text = re.sub(r'"(?:\\.|[^"\\\n$])*"', '""', text)
    return text

def pascal(tag):
    return "".join(p[:1].upper() + p[1:] for p in tag.split("-")) if "-" in tag else tag[:1].upper() + tag[1:]

expected = set()
for f in sorted(files):
    if not (f.startswith("app/") or f.startswith("shared/")) or not re.search(r"\.(vue|ts|js|mjs)$", f) or f.endswith(".d.ts"):
        continue
    text = strip(open(os.path.join(root, f), encoding="utf-8").read())
    if f.endswith(".vue"):
        template = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.S)
        for tag in set(re.findall(r"<([A-Za-z][\w-]*)", template)):
            name = pascal(tag)
            target = components.get(name)
            if target and target != f:
                expected.add((f, target, "component"))
        # attribute values of a template are expressions: keep them, drop the quotes
        text = re.sub(r"<(script|style)\b[^>]*>", " ", text)
        text = re.sub(r"\s[:@#][\w.:-]*=\"([^\"]*)\"", r" \1 ", text)
        text = re.sub(r"\sv-[\w.:-]*=\"([^\"]*)\"", r" \1 ", text)
    # components imported by name from `#components` (rendered dynamically)
    for clause in re.findall(r"import\s*\{([^}]*)\}\s*from\s*['\"]#components['\"]", text):
        for name in re.findall(r"([\w$]+)(?:\s+as\s+[\w$]+)?\s*(?:,|$)", clause.strip() + ","):
            target = components.get(name) or components.get(name[4:] if name.startswith("Lazy") else "")
            if target and target != f:
                expected.add((f, target, "component"))
    code = code_only(text)
    declared = set(re.findall(r"\b(?:const|let|var|function|class|type|interface|enum)\s+([\w$]+)", code))
    for clause in re.findall(r"import\s+(?:type\s+)?([^;]*?)\s+from", code, flags=re.S):
        declared.update(re.findall(r"(?:\bas\s+)?([\w$]+)\s*(?:,|\}|$)", clause))
    for pattern in re.findall(r"\b(?:const|let|var)\s*[{\[]([^=]*?)[}\]]\s*=", code, flags=re.S):
        declared.update(re.findall(r"([\w$]+)\s*(?:,|$|=)", pattern.strip() + ","))
    # `name:` is an object key (or a type annotation), not a use
    used = set(re.findall(r"(?<![\w$.])([A-Za-z_$][\w$]*)(?![\w$])(?!\s*:(?!:))", code))
    for name in used - declared:
        for target in exports.get(name, ()):
            if target != f:
                expected.add((f, target, "composable"))

if os.environ.get("EXPECTED_OUT"):
    # Nuxt's auto-import edges as [from, to, kind], for touch-compare's reference graph.
    json.dump(sorted(expected), open(os.environ["EXPECTED_OUT"], "w"), indent=0)

perceo_any = {(e["from"], e["to"]) for e in graph["edges"]}
perceo_auto = {(e["from"], e["to"]) for e in graph["edges"] if e["kind"] == "auto-import"}
providers = set(components.values()) | {t for ts in exports.values() for t in ts}
perceo_cmp = {e for e in perceo_auto if e[1] in providers}

missing = sorted(e for e in expected if (e[0], e[1]) not in perceo_any)
extra = sorted(e for e in perceo_cmp if e not in {(a, b) for a, b, _ in expected})
for kind in ("component", "composable"):
    exp = [e for e in expected if e[2] == kind]
    hit = [e for e in exp if (e[0], e[1]) in perceo_any]
    print(f"{kind}: Nuxt-expected edges {len(exp)}, linked by Perceo {len(hit)} ({100.0 * len(hit) / max(1, len(exp)):.1f}%)")
print(f"Perceo auto-import edges to components/composables: {len(perceo_cmp)}, not expected: {len(extra)}"
      f" (precision {100.0 * (len(perceo_cmp) - len(extra)) / max(1, len(perceo_cmp)):.1f}%)")
print(f"components in components.d.ts (project files): {len(components)}; names in imports.d.ts (project files): {len(exports)}")
print("\nmissing (expected by Nuxt, not linked by Perceo):")
for e in missing:
    print("  ", *e)
print("\nextra (linked by Perceo, not expected):")
for e in extra:
    print("  ", *e)
