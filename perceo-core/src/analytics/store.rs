//! Synced events on disk: `.perceo/analytics/<provider>/<YYYY-MM-DD>/<start>-<end>.ndjson`,
//! one file per sync and UTC day, each written atomically, so an interrupted sync leaves no
//! half-written file and the graph's cursor only moves after every file is in place. The file
//! names record the range each sync covered (a sync that found no event writes an empty
//! file), which is what per-day figures divide by ([`EventStore::covered_ms`]).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use crate::analytics::event::AnalyticsEvent;
use crate::error::{Error, Result};
use crate::fsutil::write_atomic;

/// Milliseconds in a day.
pub const DAY_MS: i64 = crate::analytics::providers::time::MS_PER_DAY;

/// Days of events kept; older day folders are removed after a sync.
pub const RETENTION_DAYS: i64 = 90;

/// The event store of one provider.
#[derive(Debug, Clone)]
pub struct EventStore {
    dir: PathBuf,
}

/// `YYYY-MM-DD` of a Unix-millisecond time (UTC).
pub fn day_of(time_ms: i64) -> String {
    crate::analytics::providers::time::utc_date(time_ms)
}

impl EventStore {
    /// The store of `provider` (`ga4`, `mixpanel`, `amplitude`) under `project_dir/.perceo/analytics`.
    pub fn new(project_dir: &Path, provider: &str) -> EventStore {
        EventStore {
            dir: project_dir
                .join(crate::config::PERCEO_DIR)
                .join("analytics")
                .join(provider),
        }
    }

    /// The folder events are kept in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes the events fetched for `[start_ms, end_ms)`, one atomic file per UTC day (an
    /// empty one on the range's last day when there is no event, so the range is recorded).
    pub fn write(&self, start_ms: i64, end_ms: i64, events: &[AnalyticsEvent]) -> Result<usize> {
        let mut by_day: BTreeMap<String, Vec<&AnalyticsEvent>> = BTreeMap::new();
        for e in events {
            by_day.entry(day_of(e.time_ms)).or_default().push(e);
        }
        if by_day.is_empty() {
            by_day.insert(day_of(end_ms.saturating_sub(1).max(start_ms)), Vec::new());
        }
        for (day, events) in &by_day {
            let folder = self.dir.join(day);
            std::fs::create_dir_all(&folder).map_err(|e| Error::io(&folder, e))?;
            let mut bytes = Vec::with_capacity(events.len() * 160);
            for e in events {
                serde_json::to_writer(&mut bytes, e).map_err(|e| Error::encode("an event", e))?;
                bytes.write_all(b"\n").map_err(|e| Error::io(&folder, e))?;
            }
            write_atomic(&folder.join(format!("{start_ms}-{end_ms}.ndjson")), &bytes)?;
        }
        Ok(by_day.len())
    }

    /// Every stored event with `time_ms >= since_ms`, in file order (not sorted). Lines that
    /// do not decode (a file edited by hand) are skipped and counted in the second value.
    pub fn read_since(&self, since_ms: i64) -> Result<(Vec<AnalyticsEvent>, u64)> {
        let mut events = Vec::new();
        let mut bad = 0;
        let first_day = day_of(since_ms);
        for (day, folder) in self.days()? {
            if day < first_day {
                continue;
            }
            let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
                .map_err(|e| Error::io(&folder, e))?
                .filter_map(|entry| entry.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "ndjson"))
                .collect();
            files.sort();
            for file in files {
                let reader = BufReader::new(std::fs::File::open(&file).map_err(|e| Error::io(&file, e))?);
                for line in reader.lines() {
                    let line = line.map_err(|e| Error::io(&file, e))?;
                    match serde_json::from_str::<AnalyticsEvent>(&line) {
                        Ok(e) if e.time_ms >= since_ms => events.push(e),
                        Ok(_) => {}
                        Err(_) => bad += 1,
                    }
                }
            }
        }
        Ok((events, bad))
    }

    /// How much of `[start_ms, end_ms)` the stored syncs cover, in milliseconds: the union of
    /// the ranges their file names record, clipped to the window. Files named otherwise (by
    /// hand) are ignored.
    pub fn covered_ms(&self, start_ms: i64, end_ms: i64) -> Result<i64> {
        let mut ranges: Vec<(i64, i64)> = Vec::new();
        for (_, folder) in self.days()? {
            let entries = std::fs::read_dir(&folder).map_err(|e| Error::io(&folder, e))?;
            for entry in entries.filter_map(|e| e.ok()) {
                let name = entry.file_name().to_string_lossy().into_owned();
                let range = name
                    .strip_suffix(".ndjson")
                    .and_then(|stem| stem.split_once('-'))
                    .and_then(|(a, b)| Some((a.parse::<i64>().ok()?, b.parse::<i64>().ok()?)));
                if let Some((a, b)) = range {
                    let (a, b) = (a.max(start_ms), b.min(end_ms));
                    if a < b {
                        ranges.push((a, b));
                    }
                }
            }
        }
        ranges.sort_unstable();
        let (mut covered, mut reach) = (0i64, i64::MIN);
        for (a, b) in ranges {
            let a = a.max(reach);
            if b > a {
                covered += b - a;
                reach = b;
            }
        }
        Ok(covered)
    }

    /// Removes day folders older than `keep_days` before `now_ms`; returns how many.
    pub fn prune(&self, now_ms: i64, keep_days: i64) -> Result<usize> {
        let oldest = day_of(now_ms - keep_days * DAY_MS);
        let mut removed = 0;
        for (day, folder) in self.days()? {
            if day < oldest {
                std::fs::remove_dir_all(&folder).map_err(|e| Error::io(&folder, e))?;
                removed += 1;
            }
        }
        Ok(removed)
    }

    /// The day folders, oldest first.
    fn days(&self) -> Result<Vec<(String, PathBuf)>> {
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(Error::io(&self.dir, e)),
        };
        let mut days: Vec<(String, PathBuf)> = entries
            .filter_map(|entry| entry.ok())
            .filter(|e| e.path().is_dir())
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                (name.len() == 10 && name.as_bytes()[4] == b'-').then(|| (name, e.path()))
            })
            .collect();
        days.sort();
        Ok(days)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(time_ms: i64, name: &str) -> AnalyticsEvent {
        AnalyticsEvent {
            name: name.into(),
            time_ms,
            user: "u1".into(),
            session: None,
            page: None,
            device: None,
            new_user: None,
            revenue: None,
            insert_id: None,
        }
    }

    #[test]
    fn day_of_is_the_utc_calendar_day() {
        assert_eq!(day_of(0), "1970-01-01");
        assert_eq!(day_of(1_764_115_200_000), "2025-11-26");
        assert_eq!(day_of(1_764_115_200_000 - 1), "2025-11-25");
        assert_eq!(day_of(951_782_400_000), "2000-02-29");
    }

    #[test]
    fn writes_per_day_reads_back_since_and_prunes() {
        let dir = tempfile::tempdir().unwrap();
        let store = EventStore::new(dir.path(), "mixpanel");
        let day = 1_764_115_200_000;
        let events = vec![event(day - 10, "a"), event(day + 10, "b"), event(day + 20, "c")];
        assert_eq!(store.write(day - 100, day + 100, &events).unwrap(), 2);
        let (all, bad) = store.read_since(0).unwrap();
        assert_eq!((all.len(), bad), (3, 0));
        let (recent, _) = store.read_since(day + 15).unwrap();
        assert_eq!(recent, vec![events[2].clone()]);
        // A corrupt line is skipped and counted.
        let folder = store.dir().join("2025-11-26");
        std::fs::write(folder.join("x-y.ndjson"), "{not json\n").unwrap();
        assert_eq!(store.read_since(0).unwrap().1, 1);
        assert_eq!(store.prune(day + 100, 0).unwrap(), 1);
        assert_eq!(store.read_since(0).unwrap().0.len(), 2);
    }

    #[test]
    fn coverage_is_the_union_of_the_synced_ranges_within_the_window() {
        let dir = tempfile::tempdir().unwrap();
        let store = EventStore::new(dir.path(), "ga4");
        let day = 1_764_115_200_000;
        assert_eq!(store.covered_ms(0, i64::MAX).unwrap(), 0);
        // Two days with events only on the second, then an overlapping sync with none at all.
        store
            .write(day - DAY_MS, day + DAY_MS, &[event(day + 10, "a")])
            .unwrap();
        store.write(day + DAY_MS - 1000, day + DAY_MS + 5000, &[]).unwrap();
        assert_eq!(store.read_since(0).unwrap().0.len(), 1);
        assert_eq!(store.covered_ms(0, i64::MAX).unwrap(), 2 * DAY_MS + 5000);
        // Clipped to the window.
        assert_eq!(store.covered_ms(day, day + DAY_MS / 2).unwrap(), DAY_MS / 2);
        assert_eq!(store.covered_ms(day + 3 * DAY_MS, day + 4 * DAY_MS).unwrap(), 0);
        // A gap between syncs is not covered.
        store.write(day + 3 * DAY_MS, day + 4 * DAY_MS, &[]).unwrap();
        assert_eq!(store.covered_ms(0, i64::MAX).unwrap(), 3 * DAY_MS + 5000);
    }
}
