#!/usr/bin/env python3
"""Perceo's production funnels against Biopython's PairwiseAligner (issue 22).

Generates a seeded synthetic GA4 BigQuery export (newline-delimited JSON rows) with every
journey kind: complete, a step missing (first, middle, last), extra events, early stops, out
of order, repeated steps, split by the inactivity timeout (and at exactly the timeout),
provider session ids that join or split, dynamic page segments, and journeys outside the
correlation window. Runs `perceo analytics sync` and `perceo analytics correlate --json` on
it in a fresh project, then computes the README's rules ("How production sessions are matched
to flows") from the sessions it generated, with Biopython's aligner doing every alignment:

- the prefix score of step k: over every event i equal to step k, the best global alignment
  of steps 1..k-1 with the events before i, where events at the left end are free (local on
  the session side) and those just before i are not (they sit inside the walk), plus the
  match of step k;
- entered = the session does step 1; depth = the last step whose prefix score is at least
  minSimilarity x 2 x k; completed = depth is the last step; funnel step k = depth >= k.

Prints a table per flow (entered, completed, success rate, funnel, daily attempts) and exits
1 when any figure differs. `--markdown` prints the table for BENCHMARKS.md.
"""

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid

from Bio import Align

MIN_SIMILARITY = 0.7
MATCH, MISMATCH, GAP = 2, -1, -1
TIMEOUT_S = 30 * 60
WINDOW_DAYS = 7
SITE = "https://shop.example"

# Flows: (id, steps), a step being ("event", name, page-it-happens-on) or ("page", pattern).
FLOWS = [
    ("checkout", [("event", "view_item", "/product/[id]"), ("event", "add_to_cart", "/product/[id]"),
                  ("page", "/cart"), ("event", "begin_checkout", "/cart"), ("event", "purchase", "/checkout")]),
    ("compare", [("page", "/item/[id]"), ("page", "/item/[id]"), ("page", "/compare")]),
    ("signup", [("page", "/signup"), ("event", "sign_up", "/signup"), ("page", "/welcome/[name]")]),
    ("search", [("page", "/search"), ("event", "search", "/search"), ("page", "/product/[id]"),
                ("event", "add_to_wishlist", "/product/[id]")]),
    ("setup", [("page", f"/setup/{name}") for name in
               ["profile", "team", "invite", "billing", "plan", "domain", "theme", "import", "review", "done"]]),
]
NOISE_PAGES = ["/", "/about", "/help", "/blog/launch-notes", "/blog/pricing-update", "/careers"]
NOISE_EVENTS = ["scroll", "click_banner", "video_start"]


def token(step):
    """The symbol a step is marked by in production (its event, else its page)."""
    return f"event:{step[1]}" if step[0] == "event" else f"page:{step[1]}"


def concrete(pattern, rng):
    """A real path for a page pattern: [id] → digits or a UUID, [name] → a word."""
    parts = []
    for seg in pattern.split("/"):
        if seg == "[id]":
            parts.append(str(rng.randint(1, 99999)) if rng.random() < 0.7 else str(uuid.UUID(int=rng.getrandbits(128))))
        elif seg == "[name]":
            parts.append(rng.choice(["alice", "bob", "chen", "dara"]))
        else:
            parts.append(seg)
    return "/".join(parts)


def step_event(step, rng):
    """(event_name, path, token) of doing a step."""
    if step[0] == "event":
        return step[1], concrete(step[2], rng), token(step)
    return "page_view", concrete(step[1], rng), token(step)


def noise_event(rng, n):
    """An event no flow has as a step (its token unique, so it matches nothing)."""
    if rng.random() < 0.6:
        return "page_view", rng.choice(NOISE_PAGES), f"noise:{n}"
    return rng.choice(NOISE_EVENTS), rng.choice(NOISE_PAGES), f"noise:{n}"


class Export:
    """The GA4 rows being written, and the sessions they must become (the truth)."""

    def __init__(self, rng, now_s):
        self.rng = rng
        self.now_s = now_s
        self.rows = []
        self.truth = []  # token lists of the sessions inside the window
        self.users = 0
        self.noise = 0
        self.kinds = {}

    def user(self):
        self.users += 1
        return f"u{self.users:05d}"

    def noise_step(self):
        self.noise += 1
        return ("noise", self.noise)

    def events(self, steps):
        out = []
        for step in steps:
            if step[0] == "noise":
                out.append(noise_event(self.rng, step[1]))
            else:
                out.append(step_event(step, self.rng))
        return out

    def row(self, user, t_s, name, path, device, session_id=None, micros=0):
        params = [{"key": "page_location", "value": {"string_value": SITE + path}}]
        if session_id is not None:
            params.append({"key": "ga_session_id", "value": {"int_value": str(session_id)}})
        self.rows.append({
            "event_date": time.strftime("%Y%m%d", time.gmtime(t_s)),
            "event_timestamp": str(int(t_s) * 1_000_000 + micros),
            "event_name": name,
            "user_pseudo_id": user,
            "event_params": params,
            "device": {"category": device},
        })

    def journey(self, kind, parts, start_s, gaps_s=None, session_ids=None, inside=True):
        """Writes one user's journey: `parts` is a list of step lists, each a session of the
        truth (when `inside`); `gaps_s[i]` the pause before part i+1."""
        self.kinds[kind] = self.kinds.get(kind, 0) + 1
        user, device = self.user(), self.rng.choice(["mobile", "desktop", "tablet"])
        last = start_s
        for i, steps in enumerate(parts):
            # The pause before a part runs from the previous part's last event.
            t = last + gaps_s[i - 1] if i > 0 else start_s
            tokens = []
            for name, path, tok in self.events(steps):
                self.row(user, t, name, path, device, None if session_ids is None else session_ids[i])
                tokens.append(tok)
                last = t
                t += self.rng.randint(5, 240)
            if inside and tokens:
                self.truth.append(tokens)


def build(rng, now_s, journeys):
    ex = Export(rng, now_s)
    window_start = now_s - WINDOW_DAYS * 86400
    kinds = ["complete", "missing_first", "missing_middle", "missing_last", "extra_inside", "extra_around",
             "early_stop", "out_of_order", "repeated", "split_timeout", "exactly_timeout", "ids_join",
             "ids_split", "outside_window", "random_walk", "two_flows"]
    for n in range(journeys):
        kind = kinds[n % len(kinds)]
        _, steps = rng.choice(FLOWS)
        steps = list(steps)
        start = rng.randint(window_start + 3 * 3600, now_s - 3 * 3600)
        if kind == "missing_first":
            steps = steps[1:]
        elif kind == "missing_middle" and len(steps) > 2:
            del steps[rng.randint(1, len(steps) - 2)]
        elif kind == "missing_last":
            steps = steps[:-1]
        elif kind == "extra_inside":
            for _ in range(rng.randint(1, 2)):
                steps.insert(rng.randint(1, len(steps) - 1), ex.noise_step())
        elif kind == "extra_around":
            steps = [ex.noise_step(), ex.noise_step()] + steps + [ex.noise_step()]
        elif kind == "early_stop":
            steps = steps[: rng.randint(1, len(steps) - 1)]
        elif kind == "out_of_order" and len(steps) > 1:
            i = rng.randint(0, len(steps) - 2)
            steps[i], steps[i + 1] = steps[i + 1], steps[i]
        elif kind == "repeated":
            i = rng.randrange(len(steps))
            steps.insert(i, steps[i])
        elif kind == "random_walk":
            pool = [s for _, f in FLOWS for s in f]
            steps = [rng.choice(pool) if rng.random() < 0.7 else ex.noise_step() for _ in range(rng.randint(2, 12))]
        elif kind == "two_flows":
            steps = steps + list(rng.choice(FLOWS)[1])
        if kind in ("split_timeout", "exactly_timeout", "ids_join", "ids_split"):
            cut = rng.randint(1, len(steps) - 1)
            parts = [steps[:cut], steps[cut:]]
            if kind == "split_timeout":
                ex.journey(kind, parts, start, [TIMEOUT_S + rng.randint(1, 3600)])
            elif kind == "exactly_timeout":
                ex.journey(kind, parts, start, [TIMEOUT_S])
            elif kind == "ids_join":
                # One provider session across a long pause: one session.
                sid = rng.randint(10**9, 2 * 10**9)
                ex.kinds[kind] = ex.kinds.get(kind, 0) + 1
                user, device = ex.user(), "desktop"
                t, tokens = start, []
                for i, (name, path, tok) in enumerate(ex.events(steps)):
                    if i == cut:
                        t += TIMEOUT_S + 600
                    ex.row(user, t, name, path, device, sid)
                    tokens.append(tok)
                    t += rng.randint(5, 240)
                ex.truth.append(tokens)
            else:
                # Two provider sessions a minute apart: two sessions.
                sid = rng.randint(10**9, 2 * 10**9)
                ex.journey(kind, parts, start, [60], session_ids=[sid, sid + 1])
        elif kind == "outside_window":
            ex.journey(kind, [steps], window_start - rng.randint(2 * 86400, 20 * 86400), inside=False)
        else:
            ex.journey(kind, [steps], start)
    rng.shuffle(ex.rows)
    return ex


def aligners():
    base = dict(mode="global", match_score=MATCH, mismatch_score=MISMATCH, open_gap_score=GAP, extend_gap_score=GAP)
    # Whole flow: session events before and after the walk are free; missing flow steps at
    # either end cost a gap.
    whole = Align.PairwiseAligner(**base)
    whole.end_deletion_score = 0
    whole.end_insertion_score = GAP
    # Steps 1..k-1 against the events before the event matching step k: free on the left
    # end of the session, not on the right (those events are inside the walk).
    prefix = Align.PairwiseAligner(**base)
    prefix.end_insertion_score = GAP
    prefix.open_left_deletion_score = 0
    prefix.extend_left_deletion_score = 0
    prefix.open_right_deletion_score = GAP
    prefix.extend_right_deletion_score = GAP
    return whole, prefix


def depth(session, flow, prefix_aligner):
    """The README's depth of `session` in `flow` (token lists)."""
    if flow[0] not in session:
        return 0
    reached = 0
    for k in range(1, len(flow) + 1):
        best = None
        for i, event in enumerate(session):
            if event != flow[k - 1]:
                continue
            if k == 1:
                score = MATCH
            elif i == 0:
                score = GAP * (k - 1) + MATCH
            else:
                score = prefix_aligner.score(session[:i], flow[: k - 1]) + MATCH
            best = score if best is None else max(best, score)
        if best is not None and best >= MIN_SIMILARITY * MATCH * k:
            reached = k
    return reached


def run(cmd, cwd, env):
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr}")
    return done.stdout


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--perceo", required=True, help="the perceo binary")
    ap.add_argument("--seed", type=int, default=20261205)
    ap.add_argument("--journeys", type=int, default=480)
    ap.add_argument("--markdown", action="store_true", help="print the table for BENCHMARKS.md")
    ap.add_argument("--keep", action="store_true", help="keep the project folder")
    args = ap.parse_args()

    rng = random.Random(args.seed)
    now_s = int(time.time())
    ex = build(rng, now_s, args.journeys)
    project = tempfile.mkdtemp(prefix="perceo-funnels-")
    os.makedirs(os.path.join(project, ".perceo", "flows"))
    with open(os.path.join(project, ".perceo", "config.json"), "w") as f:
        json.dump({"version": "1.0", "project": {"name": "funnels", "framework": "nextjs"},
                   "analytics": {"provider": "ga4", "credentials": "${GA4_KEY}",
                                 "ga4": {"exportPath": "export/"},
                                 "correlation": {"minSimilarity": MIN_SIMILARITY, "windowDays": WINDOW_DAYS}}}, f)
    for flow_id, steps in FLOWS:
        spec = []
        for s in steps:
            if s[0] == "event":
                spec.append({"name": s[1], "event": s[1], "page": s[2]})
            else:
                spec.append({"name": s[1], "page": s[1]})
        with open(os.path.join(project, ".perceo", "flows", f"{flow_id}.json"), "w") as f:
            json.dump({"id": flow_id, "name": flow_id, "steps": spec}, f)
    os.makedirs(os.path.join(project, "export"))
    with open(os.path.join(project, "export", "events_000.ndjson"), "w") as f:
        for row in ex.rows:
            f.write(json.dumps(row) + "\n")

    env = dict(os.environ, GA4_KEY="")
    sync = json.loads(run([args.perceo, "analytics", "sync", "--no-correlate", "--json"], project, env))
    report = json.loads(run([args.perceo, "analytics", "correlate", "--json"], project, env))

    whole, prefix = aligners()
    flows = [(fid, [token(s) for s in steps]) for fid, steps in FLOWS]
    want = {}
    unmatched = 0
    for session in ex.truth:
        entered_any = False
        for fid, flow in flows:
            d = depth(session, flow, prefix)
            w = want.setdefault(fid, {"entered": 0, "completed": 0, "funnel": [0] * len(flow), "similar": 0})
            if d == 0:
                continue
            entered_any = True
            w["entered"] += 1
            w["completed"] += d == len(flow)
            for k in range(d):
                w["funnel"][k] += 1
            if whole.score(session, flow) >= MIN_SIMILARITY * MATCH * len(flow):
                w["similar"] += 1
        unmatched += not entered_any

    problems = []
    checks = 0

    def check(what, got, expected):
        nonlocal checks
        checks += 1
        if got != expected:
            problems.append(f"{what}: perceo {got}, Biopython {expected}")

    check("sessions", report["sessions"], len(ex.truth))
    check("sessions entering no flow", report["sessionsUnmatched"], unmatched)
    days_ok = abs(report["days"] - WINDOW_DAYS) < 0.01
    check("days covered ≈ the window", days_ok, True)
    rows = []
    for f in report["flows"]:
        w = want[f["flow"]]
        m = f.get("metrics") or {}
        funnel = [s["sessions"] for s in m.get("funnel", [])] or [0] * len(w["funnel"])
        success = m.get("successRate", 0.0)
        want_success = w["completed"] / w["entered"] if w["entered"] else 0.0
        attempts = m.get("dailyAttempts", 0.0)
        check(f"{f['flow']} entered", f["sessionsEntered"], w["entered"])
        check(f"{f['flow']} completed", f["sessionsCompleted"], w["completed"])
        check(f"{f['flow']} funnel", funnel, w["funnel"])
        check(f"{f['flow']} success rate", round(success, 9), round(want_success, 9))
        check(f"{f['flow']} whole-flow matches", f["sessionsMatched"], w["similar"])
        check(f"{f['flow']} daily attempts", abs(attempts - w["entered"] / report["days"]) < 1e-9, True)
        rows.append((f["flow"], len(w["funnel"]), f["sessionsEntered"], w["entered"], f["sessionsCompleted"],
                     w["completed"], success, want_success, funnel, w["funnel"], attempts))

    kinds = ", ".join(f"{k} {v}" for k, v in sorted(ex.kinds.items()))
    if args.markdown:
        print(f"Seed {args.seed}: {len(ex.rows)} GA4 rows, {args.journeys} journeys ({kinds}); "
              f"{report['sessions']} sessions in the window, {report['days']:.4f} days covered.\n")
        print("| flow | steps | entered (Perceo / Biopython) | completed | success rate | funnel (Perceo = Biopython) | daily attempts |")
        print("|---|---|---|---|---|---|---|")
        for (fid, n, e, we, c, wc, s, ws, fun, wfun, a) in rows:
            same = "=" if fun == wfun else "≠"
            print(f"| {fid} | {n} | {e} / {we} | {c} / {wc} | {s:.3f} / {ws:.3f} | {' → '.join(map(str, fun))} {same} | {a:.2f} |")
    else:
        print(f"{len(ex.rows)} rows ({sync['events']} synced), {report['sessions']} sessions; {kinds}", file=sys.stderr)
        for (fid, n, e, we, c, wc, s, ws, fun, wfun, a) in rows:
            print(f"{fid:9} entered {e}/{we} completed {c}/{wc} success {s:.3f}/{ws:.3f} funnel {fun} / {wfun}")
    if args.keep:
        print(f"kept {project}", file=sys.stderr)
    else:
        subprocess.run(["rm", "-rf", project])
    for p in problems:
        print("DIFFERS:", p, file=sys.stderr)
    print(f"funnel-check: {checks - len(problems)} of {checks} figures agree", file=sys.stderr)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
