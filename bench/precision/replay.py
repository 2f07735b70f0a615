#!/usr/bin/env python3
"""Replays commits of a real repository at file and at symbol precision and prints, per
commit, the flows each selects (every reason, with its kind and chain) and writes the flows
symbol precision excludes, with the file-level chain that selected them, for reading by
hand.

    python3 bench/precision/replay.py REPO PERCEO_BIN COMMITS [--n 400] [--pages REGEX]
        [--max-files 40] [--tag NAME] > out.json

REPO (the project: a monorepo's app folder is fine) must hold a `.perceo/` (untracked: it
survives the checkouts). Of the last `--n` first-parent commits, the first COMMITS that
change a JS/TS module outside the page files (`--pages`, a regex; default `/pages/|/app/`,
use e.g. `/page\.tsx$|/layout\.tsx$` for an app router) and at most `--max-files` files are
checked out (detached) and analysed against their first parent with both precisions; the
original HEAD is restored at the end.
"""
import argparse, json, os, re, subprocess, sys, tempfile, time

ap = argparse.ArgumentParser()
ap.add_argument("repo"); ap.add_argument("perceo"); ap.add_argument("wanted", type=int)
ap.add_argument("--n", type=int, default=400)
ap.add_argument("--pages", default=r"/pages/|/app/")
ap.add_argument("--max-files", type=int, default=40)
ap.add_argument("--tag", default="x")
a = ap.parse_args()
repo, perceo, wanted = a.repo, a.perceo, a.wanted
pages = re.compile(a.pages)

def git(*args):
    return subprocess.run(["git", "-C", repo, *args], check=True, capture_output=True, text=True).stdout

text = open(os.path.join(repo, ".perceo/config.json")).read()
config = json.loads("\n".join(l for l in text.splitlines() if not l.strip().startswith("//")))
configs = {}
for precision in ("file", "symbol"):
    c = json.loads(json.dumps(config))
    c.setdefault("observer", {}).setdefault("analysis", {})["precision"] = precision
    path = os.path.join(tempfile.gettempdir(), f"perceo-precision-{a.tag}-{precision}.json")
    json.dump(c, open(path, "w"))
    configs[precision] = path

start = git("rev-parse", "HEAD").strip()
# The branch to go back to (a detached HEAD goes back to its commit).
branch = git("rev-parse", "--abbrev-ref", "HEAD").strip()
start = start if branch == "HEAD" else branch
commits = git("log", "--first-parent", "--format=%H", "-n", str(a.n)).split()
results = []
try:
    for sha in commits:
        if len(results) >= wanted:
            break
        try:
            files = git("diff", "--name-only", f"{sha}~1", sha).split()
        except subprocess.CalledProcessError:
            continue
        modules = [f for f in files if f.endswith((".ts", ".tsx", ".js", ".jsx", ".mts", ".cts", ".mjs", ".cjs")) and not pages.search(f)]
        if not modules or len(files) > a.max_files:
            continue
        git("checkout", "-q", "--detach", sha)
        row = {"commit": sha[:10], "files": files, "modules": modules}
        for precision, path in configs.items():
            env = dict(os.environ, PERCEO_CONFIG_PATH=path)
            t0 = time.time()
            out = subprocess.run(
                [perceo, "ci", "analyze", "--base", f"{sha}~1", "--head", sha, "--json", "--on-empty", "none"],
                cwd=repo, env=env, capture_output=True, text=True)
            wall = round((time.time() - t0) * 1000)
            if out.returncode not in (0, 1):
                row[precision] = {"error": out.stderr.strip()[-600:], "rc": out.returncode}
                continue
            report = json.loads(out.stdout)
            row[precision] = {
                "flows": report["totals"]["flows"],
                "changedFiles": report["totals"]["changedFiles"],
                "selected": sorted(f["id"] for f in report["flows"]),
                "reasons": {f["id"]: [r["kind"] + ": " + r["detail"] + " | " + " → ".join(r.get("chain") or []) for r in f["reasons"]] for f in report["flows"]},
                "impactMs": report["timings"]["impactMs"],
                "totalMs": report["timings"]["totalMs"],
                "wallMs": wall,
                "warnings": [w for w in report.get("warnings", []) if "has no tests" not in str(w)][:10],
            }
        if "selected" in row.get("file", {}) and "selected" in row.get("symbol", {}):
            row["excluded"] = {f: row["file"]["reasons"][f] for f in row["file"]["selected"] if f not in row["symbol"]["selected"]}
            row["added"] = [f for f in row["symbol"]["selected"] if f not in row["file"]["selected"]]
        results.append(row)
        print(f"{sha[:10]} files={len(files)} file={len(row.get('file',{}).get('selected',[]))} symbol={len(row.get('symbol',{}).get('selected',[]))} err={'error' in row.get('file',{}) or 'error' in row.get('symbol',{})}", file=sys.stderr)
finally:
    git("checkout", "-q", start)
json.dump(results, sys.stdout, indent=1)
