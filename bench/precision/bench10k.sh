#!/usr/bin/env bash
# Cold and warm `ci analyze` on the 10k-module monorepo (bench/README.md makes it): an older
# binary against the current one at file and at symbol precision, each under GNU time.
#   GEN_DIR=/tmp/bench-10k OLD=old/perceo NEW=target/release/perceo bench/precision/bench10k.sh
set -u
OLD=${OLD:?the older perceo binary} NEW=${NEW:?the current perceo binary}
cd "${GEN_DIR:-/tmp/bench-10k}"
python3 - <<'PY'
import json
t=open('.perceo/config.json').read()
c=json.loads("\n".join(l for l in t.splitlines() if not l.strip().startswith("//")))
c.setdefault("observer",{}).setdefault("analysis",{})["precision"]="symbol"
json.dump(c,open('/tmp/bench10k-symbol.json','w'))
PY
run() { # label bin [config]
  for i in 1 2 3; do
    rm -rf .perceo/cache
    if [ -n "${3:-}" ]; then export PERCEO_CONFIG_PATH=$3; else unset PERCEO_CONFIG_PATH; fi
    /usr/bin/time -f "$1 cold %e s %M KB" "$2" ci analyze --base HEAD~1 --head HEAD --json > /tmp/bench10k-$1.json 2>/tmp/bench10k-err || true
    tail -1 /tmp/bench10k-err
  done
  /usr/bin/time -f "$1 warm %e s %M KB" "$2" ci analyze --base HEAD~1 --head HEAD --json > /dev/null 2>/tmp/bench10k-err; tail -1 /tmp/bench10k-err
  unset PERCEO_CONFIG_PATH
}
run old "$OLD"
run new "$NEW"
run new-symbol "$NEW" /tmp/bench10k-symbol.json
python3 -c "
import json
for l in ['old','new','new-symbol']:
    r=json.load(open(f'/tmp/bench10k-{l}.json')); print(l, r['totals']['affectedFlows'], r['timings']['totalMs'], r['timings']['graph']['parseMs'], r['timings']['impactMs'])"
