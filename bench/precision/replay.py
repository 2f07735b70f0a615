#!/usr/bin/env python3
"""Replays commits of a real repository at file and at symbol precision and prints, per
commit, the flows each selects; writes the flows symbol precision excludes, with the
file-level chain that selected them, for reading by hand.

    python3 bench/precision/replay.py REPO PERCEO_BIN [COMMITS] [--paths GLOB...] > out.json

REPO must hold a `.perceo/` (untracked: it survives the checkouts). Each commit is checked
out (detached) and analysed against its first parent with both precisions; the original
HEAD is restored at the end. Only commits that change a JS/TS module outside the pages are
replayed (the ones where precision can matter).
"""
import json, os, subprocess, sys, tempfile

repo, perceo = sys.argv[1], sys.argv[2]
wanted = int(sys.argv[3]) if len(sys.argv) > 3 else 20


def git(*args):
    return subprocess.run(["git", "-C", repo, *args], check=True, capture_output=True, text=True).stdout


# JSONC: whole-line comments only (what `perceo init` writes).
text = open(os.path.join(repo, ".perceo/config.json")).read()
config = json.loads("\n".join(l for l in text.splitlines() if not l.strip().startswith("//")))
configs = {}
for precision in ("file", "symbol"):
    c = json.loads(json.dumps(config))
    c.setdefault("observer", {}).setdefault("analysis", {})["precision"] = precision
    path = os.path.join(tempfile.gettempdir(), f"perceo-precision-{precision}.json")
    json.dump(c, open(path, "w"))
    configs[precision] = path

start = git("rev-parse", "HEAD").strip()
commits = git("log", "--first-parent", "--format=%H", "-n", "400").split()
results = []
try:
    for sha in commits:
        if len(results) >= wanted:
            break
        files = git("diff", "--name-only", f"{sha}~1", sha).split()
        modules = [f for f in files if f.endswith((".ts", ".tsx", ".js", ".jsx")) and "/pages/" not in f and "/app/" not in f]
        if not modules or len(files) > 40:
            continue
        git("checkout", "-q", "--detach", sha)
        row = {"commit": sha[:10], "files": files}
        for precision, path in configs.items():
            env = dict(os.environ, PERCEO_CONFIG_PATH=path)
            out = subprocess.run(
                [perceo, "ci", "analyze", "--base", f"{sha}~1", "--head", sha, "--json", "--on-empty", "none"],
                cwd=repo, env=env, capture_output=True, text=True)
            if out.returncode not in (0, 1):
                row[precision] = {"error": out.stderr.strip()[-400:]}
                continue
            report = json.loads(out.stdout)
            row[precision] = {
                "flows": report["totals"]["flows"],
                "selected": sorted(f["id"] for f in report["flows"]),
                "reasons": {f["id"]: f["reasons"][0]["detail"] + " | " + " → ".join(f["reasons"][0]["chain"]) for f in report["flows"]},
                "impactMs": report["timings"]["impactMs"],
            }
        if "selected" in row.get("file", {}) and "selected" in row.get("symbol", {}):
            row["excluded"] = {f: row["file"]["reasons"][f] for f in row["file"]["selected"] if f not in row["symbol"]["selected"]}
            row["added"] = [f for f in row["symbol"]["selected"] if f not in row["file"]["selected"]]
        results.append(row)
        print(f"{sha[:10]} file={len(row.get('file',{}).get('selected',[]))} symbol={len(row.get('symbol',{}).get('selected',[]))}", file=sys.stderr)
finally:
    git("checkout", "-q", start)
json.dump(results, sys.stdout, indent=1)
