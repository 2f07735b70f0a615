"""Compares `react-router routes --json` (argv[1]) with `perceo routes --json` (argv[2]).
argv[3]: the app directory prefix of the framework's files (e.g. 'app')."""
import json, sys
fw = json.load(open(sys.argv[1])); pc = json.load(open(sys.argv[2])); app = sys.argv[3]
entries = []
def walk(es, parent, outer):
    for e in es:
        path = e.get('path')
        if path is None: p = parent
        elif path.startswith('/'): p = path.strip('/')
        else: p = '/'.join(x for x in [parent.strip('/'), path.strip('/')] if x)
        kids = e.get('children') or []
        has_index = any(c.get('index') and c.get('path') is None for c in kids)
        page = bool(e.get('index')) or (path is not None and not has_index and e['id'] != 'root')
        f = app + '/' + e['file']
        entries.append(dict(pattern='/' + p.strip('/'), file=f, page=page, attached=outer, id=e['id']))
        walk(kids, p, outer + [f])
walk(fw, '', [])
entries = [e for e in entries if e['id'] != 'root']
perceo = {(r['pattern'], r['file']): r for r in pc}
attached_all = {a for r in pc for a in r['attached']}
pages = [e for e in entries if e['page']]
layouts = [e for e in entries if not e['page']]
ok = same_att = 0; problems = []
rows = []
for e in sorted(pages, key=lambda e: (e['pattern'], e['file'])):
    r = perceo.get((e['pattern'], e['file']))
    if r is None:
        problems.append(f"missing page: {e['pattern']} {e['file']}"); rows.append((e['pattern'], e['file'], 'MISSING')); continue
    ok += 1
    if r['attached'] == e['attached']: same_att += 1; rows.append((e['pattern'], e['file'], 'same'))
    else:
        problems.append(f"attached differ for {e['pattern']}: framework {e['attached']} perceo {r['attached']}"); rows.append((e['pattern'], e['file'], 'attached differ'))
lay_ok = 0
for e in layouts:
    if e['file'] in attached_all: lay_ok += 1
    else: problems.append(f"layout not attached anywhere: {e['pattern']} {e['file']}")
fw_keys = {(e['pattern'], e['file']) for e in pages}
extra = [k for k in perceo if k not in fw_keys]
for k in extra: problems.append(f"extra in perceo: {k}")
print(f"framework entries: {len(entries)} ({len(pages)} pages, {len(layouts)} layouts); perceo routes: {len(pc)}")
print(f"pages found with same pattern and file: {ok}/{len(pages)}; same attached: {same_att}/{len(pages)}; layouts attached: {lay_ok}/{len(layouts)}; extra: {len(extra)}")
for p in problems: print(' -', p)
if len(sys.argv) > 4:
    with open(sys.argv[4], 'w') as out:
        for pat, f, st in rows: out.write(f"| `{pat}` | `{f}` | {st} |\n")
