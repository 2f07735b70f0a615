//! The Redis event bus: every event is added to a capped stream (replay log) and published
//! on a channel (live delivery for any listener, default `Perceo:events`). Perceo's own
//! subscribers read the stream with `XREAD BLOCK` on a dedicated connection: they resume
//! from the last entry they saw after any disconnect, so nothing published while they were
//! away is lost, and events seen twice are dropped by event id.

use std::collections::{HashSet, VecDeque};
use std::time::Duration;

use async_trait::async_trait;
use redis::aio::{ConnectionManager, ConnectionManagerConfig, MultiplexedConnection};
use redis::streams::{StreamId, StreamRangeReply, StreamReadReply};
use redis::{AsyncConnectionConfig, Client, RedisError};

use super::{Delivery, Event, EventBus, EventFilter, Since, Subscription, SubscriptionInner, after_since, id_millis};
use crate::config::redact_url;
use crate::error::{Error, Result};

/// Default live channel (the seed's name).
pub const DEFAULT_CHANNEL: &str = "Perceo:events";
/// How long connecting and each command may take before Redis counts as down.
const TIMEOUT: Duration = Duration::from_secs(3);
/// How long one blocking read waits for new entries.
const BLOCK: Duration = Duration::from_secs(2);
/// Event ids remembered per subscriber to drop duplicates.
const DEDUPE_WINDOW: usize = 10_000;
/// Stream entries fetched per round trip.
const PAGE: usize = 1000;

/// The Redis event bus.
pub struct RedisBus {
    client: Client,
    manager: ConnectionManager,
    channel: String,
    stream: String,
    max_len: u64,
    location: String,
}

impl std::fmt::Debug for RedisBus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisBus")
            .field("location", &self.location)
            .field("channel", &self.channel)
            .finish_non_exhaustive()
    }
}

fn map_error(location: &str, e: RedisError) -> Error {
    let message = e.to_string();
    if e.kind() == redis::ErrorKind::AuthenticationFailed || message.contains("WRONGPASS") || message.contains("NOAUTH")
    {
        Error::BusAuth {
            location: location.to_string(),
            message: "the user name or password is wrong".into(),
        }
    } else if e.kind() == redis::ErrorKind::Parse || message.contains("Parse error") {
        // Something answered, but not in RESP: another service on the Redis port.
        Error::BusUnreachable {
            location: location.to_string(),
            message: "the server there does not speak RESP (the Redis protocol); check the host and port of eventBus.redisUrl".into(),
        }
    } else if e.is_io_error() || e.is_connection_refusal() || e.is_timeout() {
        Error::BusUnreachable {
            location: location.to_string(),
            message: if e.is_connection_refusal() {
                "connection refused".into()
            } else {
                message
            },
        }
    } else {
        Error::Bus(message)
    }
}

async fn timed<T>(
    location: &str,
    f: impl std::future::Future<Output = std::result::Result<T, RedisError>>,
) -> Result<T> {
    match tokio::time::timeout(TIMEOUT, f).await {
        Ok(r) => r.map_err(|e| map_error(location, e)),
        Err(_) => Err(Error::BusUnreachable {
            location: location.to_string(),
            message: format!("no answer within {} s", TIMEOUT.as_secs()),
        }),
    }
}

fn parse_entry(entry: &StreamId) -> Option<Event> {
    let text: String = entry.get("event")?;
    serde_json::from_str(&text).ok()
}

/// Where an `XRANGE` for `since` starts.
fn range_start(since: &Since) -> String {
    match since {
        Since::Start => "-".into(),
        Since::Id(id) => id_millis(id).map_or_else(|| "-".into(), |ms| format!("{ms}-0")),
        Since::Time(t) => format!(
            "{}-0",
            t.duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis())
        ),
    }
}

impl RedisBus {
    /// Connects to `url` (`redis://` or `rediss://`, ACL user and password in the URL) and
    /// checks it answers; a down server is an error within seconds.
    pub async fn connect(url: &str, channel: Option<&str>, max_len: u64) -> Result<RedisBus> {
        Self::connect_with_ca(url, channel, max_len, None).await
    }

    /// Like [`RedisBus::connect`], trusting the CA certificate `ca_pem` (PEM) for `rediss://`.
    pub async fn connect_with_ca(
        url: &str,
        channel: Option<&str>,
        max_len: u64,
        ca_pem: Option<Vec<u8>>,
    ) -> Result<RedisBus> {
        // TLS (rediss://) uses rustls with ring; installing twice is harmless.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let location = redact_url(url);
        let bad_url = |e: RedisError| {
            Error::Argument(format!(
                "eventBus.redisUrl: `{location}` is not a usable Redis URL: {e}"
            ))
        };
        let client = match ca_pem {
            Some(pem) => Client::build_with_tls(
                url,
                redis::TlsCertificates {
                    client_tls: None,
                    root_cert: Some(pem),
                },
            )
            .map_err(bad_url)?,
            None => Client::open(url).map_err(bad_url)?,
        };
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(TIMEOUT))
            .set_response_timeout(Some(TIMEOUT))
            .set_number_of_retries(2)
            .set_max_delay(Duration::from_secs(2));
        let mut manager = timed(&location, client.get_connection_manager_with_config(config)).await?;
        let _: String = timed(&location, redis::cmd("PING").query_async(&mut manager)).await?;
        let channel = channel.unwrap_or(DEFAULT_CHANNEL).to_string();
        Ok(RedisBus {
            client,
            manager,
            stream: format!("{channel}:stream"),
            channel,
            max_len,
            location,
        })
    }

    async fn read_range(&self, conn: &mut MultiplexedConnection, start: &str) -> Result<Vec<StreamId>> {
        let mut out = Vec::new();
        let mut from = start.to_string();
        loop {
            let reply: StreamRangeReply = timed(
                &self.location,
                redis::cmd("XRANGE")
                    .arg(&self.stream)
                    .arg(&from)
                    .arg("+")
                    .arg("COUNT")
                    .arg(PAGE)
                    .query_async(conn),
            )
            .await?;
            let n = reply.ids.len();
            if let Some(last) = reply.ids.last() {
                from = format!("({}", last.id);
            }
            out.extend(reply.ids);
            if n < PAGE {
                return Ok(out);
            }
        }
    }

    async fn dedicated(client: &Client) -> std::result::Result<MultiplexedConnection, RedisError> {
        let config = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(TIMEOUT))
            .set_response_timeout(Some(BLOCK + TIMEOUT));
        client.get_multiplexed_async_connection_with_config(&config).await
    }
}

#[async_trait]
impl EventBus for RedisBus {
    async fn publish(&self, event: &Event) -> Result<()> {
        self.publish_many(std::slice::from_ref(event)).await
    }

    async fn publish_many(&self, events: &[Event]) -> Result<()> {
        let mut pipe = redis::pipe();
        for event in events {
            let json = serde_json::to_string(event).map_err(|e| Error::Bus(e.to_string()))?;
            pipe.cmd("XADD")
                .arg(&self.stream)
                .arg("MAXLEN")
                .arg("~")
                .arg(self.max_len)
                .arg("*")
                .arg("type")
                .arg(event.kind.as_str())
                .arg("event")
                .arg(&json)
                .ignore()
                .cmd("PUBLISH")
                .arg(&self.channel)
                .arg(&json)
                .ignore();
        }
        let mut conn = self.manager.clone();
        let first: Result<()> = timed(&self.location, pipe.query_async(&mut conn)).await;
        match first {
            // The manager reconnects in the background after a dropped connection: one retry
            // (a duplicate from a retry is dropped by subscribers, by event id).
            Err(Error::BusUnreachable { .. }) => timed(&self.location, pipe.query_async(&mut conn)).await,
            other => other,
        }
    }

    async fn subscribe(&self, filter: EventFilter, since: Option<Since>) -> Result<Subscription> {
        let mut conn = timed(&self.location, Self::dedicated(&self.client)).await?;
        let (backlog, mut last_id) = match &since {
            Some(since) => {
                let entries = self.read_range(&mut conn, &range_start(since)).await?;
                let last = entries.last().map(|e| e.id.clone());
                let events = after_since(entries.iter().filter_map(parse_entry), since);
                let last = match last {
                    Some(l) => l,
                    None => last_stream_id(&self.location, &self.stream, &mut conn).await?,
                };
                (events, last)
            }
            None => (
                Vec::new(),
                last_stream_id(&self.location, &self.stream, &mut conn).await?,
            ),
        };
        let (tx, rx) = tokio::sync::mpsc::channel(1024);
        let client = self.client.clone();
        let stream = self.stream.clone();
        let task = tokio::spawn(async move {
            let mut seen: HashSet<String> = HashSet::new();
            let mut order: VecDeque<String> = VecDeque::new();
            let mut remember = |id: &str| -> bool {
                if !seen.insert(id.to_string()) {
                    return false;
                }
                order.push_back(id.to_string());
                if order.len() > DEDUPE_WINDOW
                    && let Some(old) = order.pop_front()
                {
                    seen.remove(&old);
                }
                true
            };
            for e in backlog {
                if filter.matches(&e) && remember(&e.id) && tx.send(Ok(Delivery::Event(e))).await.is_err() {
                    return;
                }
            }
            let mut backoff = Duration::from_millis(100);
            let mut conn = Some(conn);
            loop {
                let Some(c) = conn.as_mut() else {
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(5));
                    conn = RedisBus::dedicated(&client).await.ok();
                    continue;
                };
                let read: std::result::Result<Option<StreamReadReply>, RedisError> = redis::cmd("XREAD")
                    .arg("COUNT")
                    .arg(PAGE)
                    .arg("BLOCK")
                    .arg(BLOCK.as_millis() as u64)
                    .arg("STREAMS")
                    .arg(&stream)
                    .arg(&last_id)
                    .query_async(c)
                    .await;
                match read {
                    Ok(reply) => {
                        backoff = Duration::from_millis(100);
                        for entry in reply.into_iter().flat_map(|r| r.keys).flat_map(|k| k.ids) {
                            last_id = entry.id.clone();
                            let Some(e) = parse_entry(&entry) else { continue };
                            if filter.matches(&e) && remember(&e.id) && tx.send(Ok(Delivery::Event(e))).await.is_err() {
                                return;
                            }
                        }
                    }
                    // Disconnected: reconnect with backoff and resume from `last_id`.
                    Err(_) => conn = None,
                }
                if tx.is_closed() {
                    return;
                }
            }
        });
        Ok(Subscription {
            inner: SubscriptionInner::Channel { rx, task },
        })
    }

    async fn replay(&self, since: Since, filter: &EventFilter, limit: usize) -> Result<Vec<Event>> {
        let mut conn = timed(&self.location, Self::dedicated(&self.client)).await?;
        let entries = self.read_range(&mut conn, &range_start(&since)).await?;
        let mut events: Vec<Event> = after_since(entries.iter().filter_map(parse_entry), &since)
            .into_iter()
            .filter(|e| filter.matches(e))
            .collect();
        events.truncate(limit);
        Ok(events)
    }

    fn kind(&self) -> &'static str {
        "redis"
    }
}

/// The id of the newest stream entry, or `0-0` for an empty stream.
async fn last_stream_id(location: &str, stream: &str, conn: &mut MultiplexedConnection) -> Result<String> {
    let reply: StreamRangeReply = timed(
        location,
        redis::cmd("XREVRANGE")
            .arg(stream)
            .arg("+")
            .arg("-")
            .arg("COUNT")
            .arg(1)
            .query_async(conn),
    )
    .await?;
    Ok(reply.ids.first().map_or_else(|| "0-0".to_string(), |e| e.id.clone()))
}
