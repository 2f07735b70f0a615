//! Watch mode: the facade's file watcher, analysing each batch of changes as it comes.

use std::path::PathBuf;
use std::time::Duration;

use crate::bus::payloads::{ChangeDetected, FlowsAffected, Payload};
use crate::error::{Error, Result};

use crate::git::checked_out_commit;
use crate::impact::{OnEmpty, is_manifest};
use crate::watch::{WatchBatch, Watcher};

use super::{ChangeSource, Perceo};

impl Perceo {
    /// Watches the project's files until `stop` completes: every debounced batch of changes
    /// (`observer.watch.debounceMs`) is applied to the in-memory model incrementally,
    /// analysed by the same impact stage as [`Perceo::analyze`] (a changed manifest is
    /// compared with the checked-out commit), published as `observer.change.detected` and `observer.flows.affected`, and
    /// handed to `on_batch`. `on_ready` is called once the model is built and watching began.
    pub fn watch(
        &self,
        on_ready: &mut dyn FnMut(&Watcher),
        on_batch: &mut dyn FnMut(&WatchBatch),
        stop: impl std::future::Future<Output = ()>,
    ) -> Result<()> {
        use notify_debouncer_full::notify::RecursiveMode;
        let s = &self.config.settings;
        let options = self.graph_options();
        let mut watcher = Watcher::new(&self.config.project_dir, &s.project, options)?;
        let bus = self.bus()?;
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let mut debouncer = notify_debouncer_full::new_debouncer(
            Duration::from_millis(s.observer.watch.debounce_ms),
            None,
            move |result: notify_debouncer_full::DebounceEventResult| {
                let _ = tx.send(result);
            },
        )
        .map_err(|e| Error::Internal(format!("cannot start the file watcher: {e}")))?;
        for (root, recursive) in watcher.watch_roots(&s.observer.watch.paths) {
            let mode = if recursive {
                RecursiveMode::Recursive
            } else {
                RecursiveMode::NonRecursive
            };
            if root.exists() {
                debouncer
                    .watch(&root, mode)
                    .map_err(|e| Error::io(&root, std::io::Error::other(format!("cannot watch it: {e}"))))?;
            }
        }
        let mut stop = std::pin::pin!(stop);
        if self.block_on(crate::fsutil::stop_requested(stop.as_mut())) {
            return Ok(());
        }
        on_ready(&watcher);
        self.block_on(async {
            loop {
                tokio::select! {
                    _ = &mut stop => return Ok(()),
                    message = rx.recv() => {
                        let Some(result) = message else { return Ok(()) };
                        // Watch errors (e.g. a vanished directory) do not stop watch mode.
                        let Ok(events) = result else { continue };
                        // Reads (our own included) are not changes: only creations, writes,
                        // renames and removals count.
                        let paths: Vec<PathBuf> = events
                            .iter()
                            .filter(|e| {
                                use notify_debouncer_full::notify::EventKind;
                                use notify_debouncer_full::notify::event::ModifyKind;
                                matches!(
                                    e.kind,
                                    EventKind::Create(_)
                                        | EventKind::Remove(_)
                                        | EventKind::Modify(ModifyKind::Data(_) | ModifyKind::Name(_) | ModifyKind::Any)
                                )
                            })
                            .flat_map(|e| e.paths.iter().cloned())
                            .collect();
                        let changed = watcher.relevant(&paths);
                        if changed.is_empty() {
                            continue;
                        }
                        let batch = self.analyze_batch(&mut watcher, &changed)?;
                        let metadata = self.metadata();
                        bus.publish(&ChangeDetected::batch(&batch.report.changes).to_event(metadata.clone()))
                            .await?;
                        bus.publish(&FlowsAffected::of(&batch.report).to_event(metadata)).await?;
                        on_batch(&batch);
                    }
                }
            }
        })
    }

    /// One batch of watch mode: applied to the model, then analysed like a working-tree
    /// change set.
    fn analyze_batch(&self, watcher: &mut Watcher, changed: &[String]) -> Result<WatchBatch> {
        let started = std::time::Instant::now();
        let mut update = watcher.apply(changed)?;
        if update.change_set.changes.iter().any(|c| is_manifest(&c.path))
            && let Ok(head) = checked_out_commit(&self.config.project_dir)
        {
            update.change_set.merge_base = head;
        }
        let report = self.impact(
            watcher.model(),
            &update.change_set,
            &ChangeSource::WorkingTree,
            watcher.flows(),
            OnEmpty::None,
        );
        Ok(WatchBatch {
            changed: update.changed,
            report,
            processing: started.elapsed(),
            reparsed: update.reparsed,
            reresolved: update.reresolved,
            rebuilt: update.rebuilt,
        })
    }
}
