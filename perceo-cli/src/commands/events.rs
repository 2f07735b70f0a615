//! `perceo events tail|publish`.

use perceo_core::bus::{Delivery, Event, EventFilter, EventType, Since};

use crate::args::{Cli, EventsCommand};
use crate::commands::open;
use crate::output::Output;
use crate::{CmdResult, Failure};

/// `--since`: an event id, a duration ago, or an RFC 3339 time.
fn parse_since(text: &str) -> Result<Since, perceo_core::Error> {
    if let Ok(d) = humantime::parse_duration(text) {
        return Ok(Since::Time(std::time::SystemTime::now() - d));
    }
    if let Ok(t) = humantime::parse_rfc3339_weak(text) {
        return Ok(Since::Time(t));
    }
    if perceo_core::bus::id_millis(text).is_some() {
        return Ok(Since::Id(text.to_string()));
    }
    Err(perceo_core::Error::Argument(format!(
        "--since `{text}` is neither an event id, a duration (10m, 2h) nor an RFC 3339 time"
    )))
}

fn print_event(out: &Output, e: &Event) -> std::io::Result<()> {
    if out.json {
        return out.result(&serde_json::to_string(e).map_err(std::io::Error::other)?);
    }
    out.result(&format!(
        "{}  {:<32} {:<12} {}  {}",
        e.timestamp,
        e.kind.as_str(),
        e.source,
        e.id,
        e.data
    ))
}

pub(crate) fn run(cli: &Cli, cmd: &EventsCommand, out: &Output) -> CmdResult {
    let perceo = open(cli, out)?;
    match cmd {
        EventsCommand::Publish { kind, data, source } => {
            let data: serde_json::Value = serde_json::from_str(data)
                .map_err(|e| perceo_core::Error::Argument(format!("--data is not JSON: {e}")))?;
            let event = perceo.publish(EventType::parse(kind), source, data)?;
            if out.json {
                return Ok(out.json_value(&serde_json::to_value(&event).map_err(std::io::Error::other)?)?);
            }
            out.result(&event.id)?;
            Ok(())
        }
        EventsCommand::Tail { kind, since, no_follow } => {
            if perceo.config().settings.event_bus.kind == perceo_core::config::EventBusKind::InMemory {
                return Err(perceo_core::Error::Argument(
                    "`events tail` needs eventBus.type = \"redis\": the in-memory bus lives inside one process".into(),
                )
                .into());
            }
            let filter = EventFilter::prefix(kind.as_deref().unwrap_or(""));
            let since = since.as_deref().map(parse_since).transpose()?;
            if *no_follow {
                for e in perceo.replay(since.unwrap_or(Since::Start), &filter, usize::MAX)? {
                    print_event(out, &e)?;
                }
                return Ok(());
            }
            let mut sub = perceo.subscribe(filter, since)?;
            out.info("Following events (Ctrl-C to stop)...");
            perceo.block_on(async {
                loop {
                    tokio::select! {
                        _ = tokio::signal::ctrl_c() => return Ok(()),
                        next = sub.next() => match next {
                            Some(Ok(Delivery::Event(e))) => print_event(out, &e)?,
                            Some(Ok(Delivery::Missed(n))) => out.warn(&format!("{n} event(s) were missed (the subscriber fell behind)")),
                            Some(Err(e)) => return Err(Failure::from(e)),
                            None => return Ok(()),
                        },
                    }
                }
            })
        }
    }
}
