#!/usr/bin/env python3
"""Watch-mode latency: time from saving a file to `perceo watch --json` printing the batch,
minus the debounce. Usage: bench/watch_latency.py PERCEO PROJECT_DIR FILE [SAVES]"""
import json, subprocess, sys, time, statistics

perceo, project, rel = sys.argv[1:4]
saves = int(sys.argv[4]) if len(sys.argv) > 4 else 10
debounce_ms = 100
subprocess.run([perceo, "config", "set", "observer.watch.debounceMs", str(debounce_ms)], cwd=project, check=True, capture_output=True)
proc = subprocess.Popen([perceo, "watch", "--json"], cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
while "Watching" not in proc.stderr.readline():
    pass
after_debounce, processing = [], []
path = f"{project}/{rel}"
for i in range(saves):
    time.sleep(0.4)
    t0 = time.monotonic()
    with open(path, "a") as f:
        f.write(f"\n// save {i}\n")
    while True:
        batch = json.loads(proc.stdout.readline())
        if rel in batch["changed"]:
            break
    elapsed_ms = (time.monotonic() - t0) * 1000
    after_debounce.append(elapsed_ms - debounce_ms)
    processing.append(batch["processingMs"])
proc.terminate()
print(f"{project} {rel}: save→printed minus {debounce_ms} ms debounce: median {statistics.median(after_debounce):.1f} ms, "
      f"max {max(after_debounce):.1f} ms; analysis itself median {statistics.median(processing):.1f} ms "
      f"({saves} saves)")
