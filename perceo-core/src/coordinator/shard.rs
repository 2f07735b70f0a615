//! Deterministic sharding of flows across CI machines, balanced by expected duration.

/// The expected milliseconds of a flow without history.
pub const DEFAULT_EXPECTED_MS: u64 = 30_000;

/// Shard `i` of `n` (1-based) of `flows`, balanced by each flow's expected duration: the
/// mean of its recorded runs (`history`, newest first) that belong to another change than
/// `change_id`, since other shards of this change may already have recorded theirs and must
/// not move the split; [`DEFAULT_EXPECTED_MS`] without any.
pub fn my_shard(
    flows: Vec<crate::flows::Flow>,
    (i, n): (usize, usize),
    change_id: Option<&str>,
    history: impl Fn(&str) -> Vec<crate::graph::TestRun>,
) -> Vec<crate::flows::Flow> {
    let durations: Vec<(String, u64)> = flows
        .iter()
        .map(|f| {
            let earlier: Vec<u64> = history(&f.id)
                .iter()
                .filter(|r| r.change_id.is_none() || r.change_id.as_deref() != change_id)
                .map(|r| r.duration_ms)
                .collect();
            let expected = if earlier.is_empty() {
                DEFAULT_EXPECTED_MS
            } else {
                earlier.iter().sum::<u64>() / earlier.len() as u64
            };
            (f.id.clone(), expected)
        })
        .collect();
    let mine = assign(&durations, n).swap_remove(i.clamp(1, n.max(1)) - 1);
    flows.into_iter().filter(|f| mine.contains(&f.id)).collect()
}

/// Assigns `items` (id, expected milliseconds) to `shards` shards by longest-processing-time
/// first: longest flows first (ties by id), each to the least-loaded shard (ties: the lowest
/// index). The same input gives the same assignment on every machine. Returns, per shard,
/// the ids in the order given.
pub fn assign(items: &[(String, u64)], shards: usize) -> Vec<Vec<String>> {
    let shards = shards.max(1);
    let mut order: Vec<&(String, u64)> = items.iter().collect();
    order.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut load = vec![0u64; shards];
    let mut out: Vec<Vec<String>> = vec![Vec::new(); shards];
    for (id, ms) in order {
        let target = (0..shards).min_by_key(|&i| (load[i], i)).unwrap_or(0);
        load[target] += ms.max(&1);
        out[target].push(id.clone());
    }
    for shard in &mut out {
        shard.sort_by_key(|id| items.iter().position(|(i, _)| i == id));
    }
    out
}

/// Parses a shard `i/n` (1-based, `1 <= i <= n`), as every binding takes it.
pub fn parse_shard(text: &str) -> crate::Result<(usize, usize)> {
    let parsed = text.split_once('/').and_then(|(i, n)| {
        let (i, n): (usize, usize) = (i.trim().parse().ok()?, n.trim().parse().ok()?);
        (i >= 1 && n >= 1 && i <= n).then_some((i, n))
    });
    parsed.ok_or_else(|| crate::Error::Argument(format!("shard `{text}`: use i/n with 1 <= i <= n, e.g. 2/4")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(v: &[(&str, u64)]) -> Vec<(String, u64)> {
        v.iter().map(|(i, d)| (i.to_string(), *d)).collect()
    }

    #[test]
    fn every_flow_lands_on_exactly_one_shard_deterministically() {
        let flows = items(&[("a", 10), ("b", 50), ("c", 30), ("d", 30), ("e", 5), ("f", 60)]);
        let shards = assign(&flows, 3);
        let mut all: Vec<String> = shards.iter().flatten().cloned().collect();
        all.sort();
        assert_eq!(all, vec!["a", "b", "c", "d", "e", "f"]);
        assert_eq!(assign(&flows, 3), shards, "deterministic");
        // Balanced: 60 | 50+10+5 | 30+30  → loads 60, 65, 60.
        let load = |s: &Vec<String>| {
            s.iter()
                .map(|id| flows.iter().find(|(i, _)| i == id).unwrap().1)
                .sum::<u64>()
        };
        let loads: Vec<u64> = shards.iter().map(load).collect();
        assert!(
            loads.iter().max().unwrap() - loads.iter().min().unwrap() <= 5,
            "{loads:?}"
        );
    }

    #[test]
    fn shard_arguments_are_validated() {
        assert_eq!(parse_shard("2/4").unwrap(), (2, 4));
        assert!(parse_shard("0/4").is_err());
        assert!(parse_shard("5/4").is_err());
        assert!(parse_shard("x").is_err());
    }
}
