//! `perceo events tail|publish`.

use perceo_core::bus::{Delivery, Event, EventFilter, EventType, Since};

use crate::CmdResult;
use crate::args::{Cli, EventsCommand};
use crate::commands::open;
use crate::output::Output;

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
            let since = since.as_deref().map(Since::parse).transpose()?;
            if *no_follow {
                for e in perceo.replay(since.unwrap_or(Since::Start), &filter, usize::MAX)? {
                    print_event(out, &e)?;
                }
                return Ok(());
            }
            out.info("Following events (Ctrl-C to stop)...");
            let mut printing = Ok(());
            let ctrl_c = async {
                let _ = tokio::signal::ctrl_c().await;
            };
            perceo.follow(filter, since, ctrl_c, &mut |delivery| {
                match delivery {
                    Delivery::Event(e) => printing = print_event(out, &e),
                    Delivery::Missed(n) => out.warn(&format!("{n} event(s) were missed (the subscriber fell behind)")),
                }
                printing.is_ok()
            })?;
            Ok(printing?)
        }
    }
}
