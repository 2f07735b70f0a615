#!/usr/bin/env bash
# Tests docs/deployment.md:
#
# - runs every shell block marked `<!-- doc-test -->` (in the line before its fence), in file
#   order, in a throwaway copy of examples/shop made a git repository with one change on a
#   branch `feature` (as perceo-cli/tests/common/mod.rs's shop_with_change()), with the perceo
#   of this checkout first on PATH; each block is one test, run with `bash -euo pipefail`.
#   Markers: `doc-test` shares one copy between blocks, like a reader following along;
#   `doc-test: fresh` gets its own copy without .perceo/ (a project before `perceo init`);
#   `doc-test: own` its own copy; `doc-test: neo4j` / `doc-test: redis` their own copy and
#   the test services of scripts/test.sh (PERCEO_TEST_NEO4J_URI / PERCEO_TEST_REDIS_URL:
#   `localhost:7687` / `localhost:6379` in the block become the test service's address, and
#   PERCEO_NEO4J_PASSWORD / REDIS_ADMIN_URL / PERCEO_REDIS_PASSWORD are set). Without the
#   services those blocks are skipped, except under CI=true, where that is a failure.
# - checks that every other shell block names what exercises it (`<!-- exercised-by: path; path::fn -->`,
#   each path existing and each fn defined in it), that `<!-- same-as: path -->` blocks equal
#   the file, and that every `perceo` command and flag in the guide exists (`perceo ... --help`).
#
# Usage: scripts/docs-test.sh [DOC] (default docs/deployment.md). Prints `docs-tests: N passed, M failed`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/perceo/target}"
cargo build -q --locked -p perceo-cli --manifest-path "$root/Cargo.toml"
# PyYAML (in the machine's Python; from PyPI when missing).
python3 -c 'import yaml' 2>/dev/null || python3 -m pip install -q pyyaml >&2
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

python3 - "$root" "$work" "$CARGO_TARGET_DIR/debug" "${1:-docs/deployment.md}" <<'PY'
import json, os, re, shlex, shutil, signal, subprocess, sys, urllib.parse

root, work, bindir, doc_rel = sys.argv[1:5]
doc_path = os.path.join(root, doc_rel)
text = open(doc_path).read()
lines = text.splitlines()
passed = failed = skipped = 0
under_ci = os.environ.get("CI") == "true"


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok: {name}", file=sys.stderr)
    else:
        failed += 1
        print(f"FAILED: {name}" + (f"\n{detail}" if detail else ""), file=sys.stderr)
    return ok


# ------------------------------------------------------------------ the blocks

SHELL = {"sh", "bash", "shell", "console"}
blocks = []  # {info, body, line, marker}
i = 0
while i < len(lines):
    m = re.match(r"^(\s*)(```+|~~~+)\s*([\w+-]*)", lines[i])
    if not m:
        i += 1
        continue
    fence, info, start = m.group(2), m.group(3).lower(), i
    j = i + 1
    while j < len(lines) and not lines[j].strip().startswith(fence):
        j += 1
    k = start - 1
    while k >= 0 and not lines[k].strip():
        k -= 1
    marker = lines[k].strip() if k >= 0 and lines[k].strip().startswith("<!--") else ""
    blocks.append({"info": info, "body": "\n".join(lines[start + 1:j]) + "\n", "line": start + 1, "marker": marker})
    i = j + 1


def marker_of(block):
    m = re.fullmatch(r"<!--\s*([\w-]+)\s*(?::\s*(.*?))?\s*-->", block["marker"])
    return (m.group(1), (m.group(2) or "").strip()) if m else (None, "")


# -- every shell block is run here or names what runs it
unexercised, bad_refs = [], []
for b in blocks:
    kind, arg = marker_of(b)
    if kind == "exercised-by":
        for ref in (r.strip() for r in arg.split(";") if r.strip()):
            path = ref.split(" (")[0].strip()
            path, _, fn = path.partition("::")
            full = os.path.join(root, path)
            if not os.path.exists(full):
                bad_refs.append(f"line {b['line']}: {path} does not exist")
            elif fn and not re.search(rf"\bfn {re.escape(fn)}\b", open(full).read()):
                bad_refs.append(f"line {b['line']}: no fn {fn} in {path}")
    elif b["info"] in SHELL and kind != "doc-test":
        unexercised.append(f"line {b['line']}")
check("every shell block is run by this test or names the test that runs it (exercised-by)", not unexercised,
      "unmarked blocks at " + ", ".join(unexercised))
check("every exercised-by reference exists", not bad_refs, "\n".join(bad_refs))

# -- quoted files are the files
for b in blocks:
    kind, arg = marker_of(b)
    if kind == "same-as":
        path = os.path.join(root, arg)
        same = os.path.isfile(path) and open(path).read() == b["body"]
        check(f"the block at line {b['line']} is {arg} as committed", same,
              f"update the block from {arg}" if os.path.isfile(path) else f"{arg} does not exist")

# -- the composite action's inputs (a table row each) and outputs are documented
if doc_rel == "docs/deployment.md":
    import yaml
    action = yaml.safe_load(open(os.path.join(root, ".github/actions/perceo-action/action.yml")))
    missing = [f"input {k}" for k in action["inputs"] if not re.search(rf"^\| `{re.escape(k)}` \|", text, re.M)]
    missing += [f"output {k}" for k in action["outputs"] if f"`{k}`" not in text]
    check("every input and output of .github/actions/perceo-action is documented", not missing, ", ".join(missing))

# -- every perceo command and flag exists
perceo = os.path.join(bindir, "perceo")
helps = {}


def help_of(path):
    key = tuple(path)
    if key not in helps:
        r = subprocess.run([perceo, *path, "--help"], capture_output=True, text=True)
        helps[key] = r.stdout if r.returncode == 0 else None
    return helps[key]


def subcommands(help_text):
    m = re.search(r"^Commands:\n(.*?)(?:\n\n|\Z)", help_text, re.S | re.M)
    return set(re.findall(r"^  ([a-z][\w-]*)", m.group(1), re.M)) if m else set()


GLOBAL_VALUE_FLAGS = {"--project-dir"}
top = subcommands(help_of([]))
START = re.compile(r"(?:^|[\s(`\"'])(?:pnpm dlx \"?@perceo/perceo(?:@[^\s\"]+)?\"?|npx (?:-y |--yes )?@perceo/perceo(?:@\S+)?|npx perceo|perceo)\s+(?=[a-z-])")
problems, commands = [], 0
sources = [b["body"] for b in blocks] + re.findall(r"(?<!`)`([^`\n]+)`(?!`)", re.sub(r"```.*?```", "", text, flags=re.S))
for source in sources:
    for raw in source.replace("\\\n", " ").splitlines():
        for m in START.finditer(raw):
            rest = raw[m.end():]
            rest = re.split(r"\s(?:\||\|\||&&|;|>>?|2>&1|2>|<|#)\s|[`;)]|\s&$|\s&\s", " " + rest + " ")[0]
            try:
                words = shlex.split(rest)
            except ValueError:
                words = rest.split()
            if not words:
                continue
            commands += 1
            path, i = [], 0
            while i < len(words):
                w = words[i]
                if w in GLOBAL_VALUE_FLAGS:
                    i += 2
                    continue
                if w.startswith("-"):
                    i += 1
                    continue
                subs = subcommands(help_of(path) or "")
                if w in subs:
                    path.append(w)
                    i += 1
                    continue
                if subs and w not in subs:
                    problems.append(f"`perceo {' '.join(path + [w])}`: no such command (in: {raw.strip()})")
                break
            help_text = help_of(path) or ""
            for w in words:
                if w.startswith("--"):
                    flag = w.split("=")[0]
                    if not re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", help_text):
                        problems.append(f"`perceo {' '.join(path)}` has no {flag} (in: {raw.strip()})")
                elif re.fullmatch(r"-[a-zA-Z]", w) and not re.search(rf"(?<![\w-]){w},", help_text):
                    problems.append(f"`perceo {' '.join(path)}` has no {w} (in: {raw.strip()})")
check(f"every perceo command and flag in the guide exists ({commands} commands)", not problems and commands > 0,
      "\n".join(sorted(set(problems))))

# -- every configuration key named in the guide is in schema/config.schema.json
schema = json.load(open(os.path.join(root, "schema/config.schema.json")))


def schema_has(dotted):
    node = schema
    for part in dotted.split("."):
        seen = 0
        while "properties" not in node and seen < 5:  # follow $ref / anyOf to the object
            seen += 1
            ref = node.get("$ref") or next((a["$ref"] for a in node.get("anyOf", []) if "$ref" in a), None)
            if not ref:
                return False
            node = schema["$defs"][ref.split("/")[-1]]
        if part not in node.get("properties", {}):
            return False
        node = node["properties"][part]
    return True


SECTIONS = "version|project|observer|analyzer|analytics|coordinator|flowGraph|eventBus|notifications|serve"
# Dotted names in inline code, and the keys of `perceo config get|set`; event types (the
# catalogue in perceo-core/src/bus/mod.rs) share the section names and are left out.
events = set(re.findall(r'"([a-z]+\.[a-z]+\.[a-z]+)"', open(os.path.join(root, "perceo-core/src/bus/mod.rs")).read()))
spans = re.findall(r"(?<!`)`([^`\n]+)`(?!`)", re.sub(r"```.*?```", "", text, flags=re.S))
keys = {k for span in spans for k in re.findall(rf"(?<![\w./-])((?:{SECTIONS})(?:\.[A-Za-z][\w]*)+)(?![\w(/-])", span)}
keys |= {m for b in blocks for m in re.findall(r"perceo config (?:get|set) ([\w.]+)", b["body"])}
keys -= events
unknown = sorted(k for k in keys if not schema_has(k))
check(f"every configuration key in the guide is in the schema ({len(keys)} keys)", not unknown and keys, ", ".join(unknown))

# ------------------------------------------------------------------ run the doc-test blocks


def git(cwd, *args):
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "init.defaultBranch=main", *args],
                   cwd=cwd, check=True, capture_output=True)


copies = 0


def shop_with_change(with_perceo=True):
    """examples/shop as a git repo: `main`, and `feature` (checked out) with one change."""
    global copies
    copies += 1
    app = os.path.join(work, f"app-{copies}")
    shutil.copytree(os.path.join(root, "examples/shop"), app,
                    ignore=shutil.ignore_patterns("*.db", "*.db-wal", "*.db-shm", "cache", "config.local.json", "node_modules"))
    if not with_perceo:
        shutil.rmtree(os.path.join(app, ".perceo"))
    git(app, "init", "-q")
    git(app, "add", "-A")
    git(app, "commit", "-qm", "base")
    git(app, "checkout", "-qb", "feature")
    with open(os.path.join(app, "src/lib/cart/store.ts"), "a") as f:
        f.write("\nexport const MAX = 3;\n")
    git(app, "commit", "-qam", "change")
    return app


def service(kind):
    """(replacements, env) for a block that needs a test service, or None when there is none."""
    if kind == "neo4j":
        uri = os.environ.get("PERCEO_TEST_NEO4J_URI")
        if not uri:
            return None
        host = urllib.parse.urlsplit(uri).netloc
        return ({"localhost:7687": host},
                {"PERCEO_NEO4J_PASSWORD": os.environ.get("PERCEO_TEST_NEO4J_PASSWORD", "perceo-test-pw")})
    if kind == "redis":
        url = os.environ.get("PERCEO_TEST_REDIS_URL")
        if not url:
            return None
        parts = urllib.parse.urlsplit(url)
        return ({"localhost:6379": f"{parts.hostname}:{parts.port}"},
                {"REDIS_ADMIN_URL": url, "PERCEO_REDIS_PASSWORD": "docs-test-bus-pw"})
    return ({}, {})


base_env = {k: v for k, v in os.environ.items() if not k.startswith("PERCEO_") and k not in ("NODE_ENV", "GITHUB_ACTIONS")}
base_env.update({"PATH": bindir + ":" + os.environ["PATH"], "NO_COLOR": "1"})
shared = None
for b in blocks:
    kind, arg = marker_of(b)
    if kind != "doc-test":
        continue
    first = next((l.strip() for l in b["body"].splitlines() if l.strip() and not l.strip().startswith("#")), "")
    name = f"{doc_rel}:{b['line']} `{first[:60]}`"
    options = arg.split()
    svc_kind = next((o for o in options if o in ("neo4j", "redis")), None)
    svc = service(svc_kind)
    if svc is None:
        if under_ci:
            check(name, False, f"needs the {svc_kind} test service (PERCEO_TEST_{svc_kind.upper()}_…), which must be set under CI")
        else:
            skipped += 1
            print(f"skipped: {name} (no {svc_kind} test service; scripts/test.sh starts one)", file=sys.stderr)
        continue
    replacements, env_extra = svc
    if "fresh" in options:
        app = shop_with_change(with_perceo=False)
    elif options:
        app = shop_with_change()
    else:
        shared = shared or shop_with_change()
        app = shared
    body = b["body"]
    for old, new in replacements.items():
        body = body.replace(old, new)
    script = os.path.join(work, f"block-{b['line']}.sh")
    open(script, "w").write(body)
    env = dict(base_env, **env_extra)
    proc = subprocess.Popen(["bash", "-euo", "pipefail", script], cwd=app, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=180)
        rc = proc.returncode
    except subprocess.TimeoutExpired:
        out, rc = "timed out after 180 s", -1
    finally:
        try:  # anything the block left running in the background
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    if os.environ.get("DOCS_TEST_VERBOSE"):
        print(out, file=sys.stderr)
    # A configuration the guide writes must be all known keys (unknown ones are only warnings).
    check(name, rc == 0 and "unknown key" not in out, f"exit {rc}:\n{out}")

print(f"docs-tests: {passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
sys.exit(1 if failed else 0)
PY
