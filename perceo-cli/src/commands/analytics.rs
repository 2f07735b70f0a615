//! `perceo analytics connect|sync|correlate|gaps|impact`.

use perceo_core::analytics::metrics::{CorrelationReport, FlowCorrelation};
use perceo_core::bus::Since;
use perceo_core::config::{AnalyticsProvider, Region};
use perceo_core::{ConnectOptions, Error, SyncOptions, SyncProgress, SyncReport};

use crate::CmdResult;
use crate::args::{AnalyticsCommand, Cli, ProviderArg, RegionArg};
use crate::commands::open;
use crate::output::Output;

fn to_json<T: serde::Serialize>(value: &T) -> std::io::Result<serde_json::Value> {
    serde_json::to_value(value).map_err(std::io::Error::other)
}

fn percent(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

fn since_ms(text: &str) -> Result<i64, Error> {
    match Since::parse(text)? {
        Since::Time(t) => Ok(t
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64)),
        _ => Err(Error::Argument(format!(
            "--since {text}: give a time ago (`3d`, `12h`) or an RFC 3339 time"
        ))),
    }
}

/// The human lines for one flow's correlation.
fn flow_lines(f: &FlowCorrelation) -> Vec<String> {
    let mut lines = vec![format!("{} — {}", f.flow, f.name)];
    let Some(m) = &f.metrics else {
        lines.push(if f.observable_steps == 0 {
            "  no step has an `event` or a `page`, so production cannot see this flow".into()
        } else {
            "  no session entered this flow in the window".into()
        });
        return lines;
    };
    let duration = if f.sessions_completed == 0 {
        "no completion to time".to_string()
    } else {
        format!("avg {:.1}s to complete", m.avg_duration / 1000.0)
    };
    lines.push(format!(
        "  sessions {} entered, {} completed · success {} · {:.1} users/day · {duration}",
        f.sessions_entered,
        f.sessions_completed,
        percent(m.success_rate),
        m.daily_users,
    ));
    let funnel: Vec<String> = m.funnel.iter().map(|s| format!("{} {}", s.step, s.sessions)).collect();
    lines.push(format!("  funnel: {}", funnel.join(" → ")));
    if let Some(exit) = &m.top_exit_step {
        lines.push(format!("  most leave after: {exit}"));
    }
    if !m.device_breakdown.is_empty() {
        let devices: Vec<String> = m
            .device_breakdown
            .iter()
            .map(|(k, v)| format!("{k} {}", percent(*v)))
            .collect();
        lines.push(format!("  devices: {}", devices.join(", ")));
    }
    if !m.cohort_performance.is_empty() {
        let cohorts: Vec<String> = m
            .cohort_performance
            .iter()
            .map(|(k, v)| format!("{k} {}", percent(*v)))
            .collect();
        lines.push(format!("  success by cohort: {}", cohorts.join(", ")));
    }
    lines
}

fn print_correlation(report: &CorrelationReport, only: Option<&str>, out: &Output) -> CmdResult {
    let flows: Vec<&FlowCorrelation> = report
        .flows
        .iter()
        .filter(|f| only.is_none_or(|id| f.flow == id))
        .collect();
    if let Some(id) = only
        && flows.is_empty()
    {
        return Err(Error::Argument(format!("unknown flow `{id}` (see `perceo flows list`)")).into());
    }
    if out.json {
        let mut value = to_json(report)?;
        value["flows"] = to_json(&flows)?;
        return Ok(out.json_value(&value)?);
    }
    out.result(&format!(
        "{} session(s) over {} day(s) of synced data at similarity ≥ {}; {} entered no flow",
        report.sessions,
        (report.days * 10.0).round() / 10.0,
        report.min_similarity,
        report.sessions_unmatched
    ))?;
    for f in flows {
        for line in flow_lines(f) {
            out.result(&line)?;
        }
    }
    Ok(())
}

fn print_sync(report: &SyncReport, out: &Output) -> CmdResult {
    out.result(&format!(
        "Synced {} event(s) from {} ({} → {}) in {} request(s){}",
        report.events,
        report.provider.label(),
        report.from,
        report.to,
        report.requests,
        if report.malformed > 0 {
            format!("; skipped {} malformed line(s)", report.malformed)
        } else {
            String::new()
        }
    ))?;
    if let Some(c) = &report.correlation {
        let updated = c.flows.iter().filter(|f| f.metrics.is_some()).count();
        out.result(&format!(
            "Correlated {} session(s): production metrics updated for {updated} flow(s) (see `perceo analytics correlate`)",
            c.sessions
        ))?;
    }
    Ok(())
}

pub(crate) fn run(cli: &Cli, cmd: &AnalyticsCommand, out: &Output) -> CmdResult {
    let perceo = open(cli, out)?;
    match cmd {
        AnalyticsCommand::Connect {
            provider,
            credentials,
            property_id,
            export_path,
            project_id,
            region,
        } => {
            let provider = match provider {
                ProviderArg::Ga4 => AnalyticsProvider::Ga4,
                ProviderArg::Mixpanel => AnalyticsProvider::Mixpanel,
                ProviderArg::Amplitude => AnalyticsProvider::Amplitude,
            };
            out.info(&format!("Checking the credentials with {provider:?}…"));
            let report = perceo.analytics_connect(&ConnectOptions {
                provider: Some(provider),
                credentials: credentials.clone(),
                property_id: property_id.clone(),
                export_path: export_path.clone(),
                project_id: *project_id,
                region: region.map(|r| match r {
                    RegionArg::Us => Region::Us,
                    RegionArg::Eu => Region::Eu,
                    RegionArg::In => Region::In,
                }),
            })?;
            if out.json {
                return Ok(out.json_value(&to_json(&report)?)?);
            }
            out.result(&format!(
                "Connected {}: credentials accepted. Wrote {} to {} (analytics.credentials = {}).",
                report.provider.label(),
                report.keys.join(", "),
                report.config_file.display(),
                report.credentials
            ))?;
            out.result("Next: `perceo analytics sync` to fetch sessions and update the flows' production metrics.")?;
        }
        AnalyticsCommand::Sync {
            since,
            no_correlate,
            watch,
        } => {
            let options = SyncOptions {
                since_ms: since.as_deref().map(since_ms).transpose()?,
                correlate: !no_correlate,
            };
            if *watch {
                out.info(&format!(
                    "Syncing every {} s (analytics.syncInterval). Ctrl-C stops.",
                    perceo.config().settings.analytics.sync_interval
                ));
                let stop = async {
                    let _ = tokio::signal::ctrl_c().await;
                };
                perceo.analytics_sync_every(
                    &options,
                    &mut |result| match result {
                        Ok(report) if out.json => {
                            if let Ok(v) = to_json(&report) {
                                let _ = out.result(&v.to_string());
                            }
                        }
                        Ok(report) => {
                            let _ = print_sync(&report, out);
                        }
                        Err(e) => out.warn(&format!("sync failed (will retry at the next interval): {e}")),
                    },
                    stop,
                )?;
                return Ok(());
            }
            let bar = if out.quiet {
                indicatif::ProgressBar::hidden()
            } else {
                indicatif::ProgressBar::new_spinner()
            };
            bar.set_style(
                indicatif::ProgressStyle::with_template("{spinner} {msg} [{elapsed}]")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
            );
            bar.set_message("fetching events…");
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
            let report = perceo.analytics_sync(&options, &mut |p: SyncProgress| match p.sessions {
                None => bar.set_message(format!("{} events", p.events)),
                Some(s) => bar.set_message(format!("{} events, {s} sessions correlated", p.events)),
            });
            bar.finish_and_clear();
            let report = report?;
            if out.json {
                return Ok(out.json_value(&to_json(&report)?)?);
            }
            print_sync(&report, out)?;
        }
        AnalyticsCommand::Correlate { flow } => {
            out.info("Correlating synced sessions with the flows…");
            let report = perceo.analytics_correlate()?;
            print_correlation(&report, flow.as_deref(), out)?;
        }
        AnalyticsCommand::Gaps {
            min_sessions,
            limit,
            save,
        } => {
            let gaps = perceo.analytics_gaps(*min_sessions, *limit)?;
            let mut saved = Vec::new();
            if *save {
                for gap in &gaps {
                    match perceo.create_flow(&gap.suggested_flow) {
                        Ok((path, _)) => saved.push(path.display().to_string()),
                        Err(e) => out.warn(&format!("{} not saved: {e}", gap.suggested_flow.id)),
                    }
                }
            }
            if out.json {
                return Ok(out.json_value(&serde_json::json!({"gaps": to_json(&gaps)?, "saved": saved}))?);
            }
            if gaps.is_empty() {
                out.result(&format!(
                    "No uncovered journey taken by {min_sessions} or more sessions in the window: the flows cover what real users do."
                ))?;
                return Ok(());
            }
            for (i, gap) in gaps.iter().enumerate() {
                out.result(&format!(
                    "{}. {} — {:.0} users/week, {} session(s), avg {:.1}s{}",
                    i + 1,
                    gap.journey.join(" → "),
                    gap.weekly_users,
                    gap.sessions,
                    gap.avg_duration / 1000.0,
                    if gap.variants > 0 {
                        format!(" ({} similar journeys merged)", gap.variants)
                    } else {
                        String::new()
                    }
                ))?;
                if !*save {
                    let text = serde_json::to_string_pretty(&gap.suggested_flow).map_err(std::io::Error::other)?;
                    out.result(&format!(
                        "   suggested .perceo/flows/{}.json:\n{}",
                        gap.suggested_flow.id,
                        text.lines().map(|l| format!("   {l}")).collect::<Vec<_>>().join("\n")
                    ))?;
                }
            }
            for path in saved {
                out.result(&format!("Saved {path}"))?;
            }
        }
        AnalyticsCommand::Impact { flow } => {
            let impact = perceo.analytics_impact(flow)?;
            if out.json {
                return Ok(out.json_value(&to_json(&impact)?)?);
            }
            out.result(&format!(
                "{}: tests pass {}, real users finish {} · {:.1} attempts/day · average order {:.2}",
                impact.flow,
                percent(impact.synthetic_success),
                percent(impact.production_success),
                impact.daily_attempts,
                impact.avg_order_value
            ))?;
            out.result(&format!(
                "Revenue at risk: {:.2}/day · {:.2}/month · {:.2}/year",
                impact.daily, impact.monthly, impact.annual
            ))?;
        }
    }
    Ok(())
}
