//! `okpay bench chat`: many chat sockets on one process, messages both ways, and the delivery latency from one side's send to the other side's receipt; also the small WebSocket client the chat tests share.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use domain::IdentityStore;
use domain::SecurityStore;
use domain::chat::{ChatStore, Conversation, ConversationStatus};
use domain::identity::{SessionRecord, UserRecord, UserStatus};
use domain::staff::{StaffRecord, StaffRole, StaffStatus};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// A chat socket as a client sees it: JSON frames in and out.
pub struct ChatSocket {
    stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl ChatSocket {
    /// Opens `path` (e.g. `/api/v1/chat/ws`) on the server at `base_url` (`http://host:port`)
    /// with `Authorization: Bearer <token>`, asking for the messages after `after`.
    pub async fn connect(
        base_url: &str,
        path: &str,
        token: &str,
        conversation: &str,
        after: i64,
    ) -> anyhow::Result<ChatSocket> {
        let url = format!(
            "{}{path}?conversation={conversation}&after={after}",
            base_url.replacen("http", "ws", 1)
        );
        let mut request = url.into_client_request()?;
        request
            .headers_mut()
            .insert("Authorization", format!("Bearer {token}").parse()?);
        let (stream, _) = tokio_tungstenite::connect_async(request)
            .await
            .with_context(|| format!("opening {path}"))?;
        Ok(ChatSocket { stream })
    }

    pub async fn send(&mut self, frame: &Value) -> anyhow::Result<()> {
        self.stream
            .send(Message::Text(frame.to_string().into()))
            .await?;
        Ok(())
    }

    /// The next JSON frame, or `None` when the server closed the socket or `wait` passed.
    pub async fn next(&mut self, wait: Duration) -> Option<Value> {
        loop {
            let message = tokio::time::timeout(wait, self.stream.next())
                .await
                .ok()??
                .ok()?;
            match message {
                Message::Text(text) => return serde_json::from_str(text.as_str()).ok(),
                Message::Close(_) => return None,
                _ => {}
            }
        }
    }

    /// The next frame of `kind` (`message`, `ack`, `typing`…), skipping others.
    pub async fn next_of(&mut self, kind: &str, wait: Duration) -> Option<Value> {
        let deadline = Instant::now() + wait;
        loop {
            let left = deadline.checked_duration_since(Instant::now())?;
            let frame = self.next(left).await?;
            if frame["type"] == kind {
                return Some(frame);
            }
        }
    }

    /// Drops the connection without a closing handshake, as a failing network would.
    pub fn drop_connection(self) {
        drop(self.stream);
    }
}

fn digest(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs() as i64)
}

/// One conversation of the run: who is on each side and their tokens.
struct Pair {
    conversation: String,
    user_token: String,
    agent_token: String,
}

/// Users, agents, sessions and conversations written straight to the store: the benchmark
/// measures the chat, not sign-in (argon2 would take minutes for a thousand people).
async fn make_pairs(store: &store::Store, pairs: usize) -> anyhow::Result<Vec<Pair>> {
    let now = unix_now();
    let run = uuid::Uuid::now_v7().simple().to_string();
    let agents_needed = pairs.div_ceil(domain::chat::AGENT_CONVERSATIONS_MAX as usize);
    let mut agents = Vec::new();
    for index in 0..agents_needed {
        let id = domain::ids::new_id("stf");
        store
            .insert_staff(&StaffRecord {
                id: id.clone(),
                email: format!("bench-agent-{run}-{index}@okpay.invalid"),
                name: None,
                role: StaffRole::Agent,
                password_hash: None,
                status: StaffStatus::Active,
                locale: "en".into(),
                created_at: now,
            })
            .await?;
        let token = domain::ids::new_id("tok");
        store
            .insert_staff_session(&SessionRecord {
                id: domain::ids::new_id("sss"),
                token_hash: digest(&token),
                user_id: id.clone(),
                created_at: now,
                last_seen_at: now,
                revoked_at: None,
                ip: "127.0.0.1".into(),
                user_agent: "okpay bench chat".into(),
            })
            .await?;
        agents.push((id, token));
    }
    let mut made = Vec::with_capacity(pairs);
    for index in 0..pairs {
        let user_id = domain::ids::new_id("usr");
        store
            .insert_user(&UserRecord {
                id: user_id.clone(),
                email: Some(format!("bench-chat-{run}-{index}@okpay.invalid")),
                phone: None,
                // No password signs in to it: the session below is its only way in.
                password_hash: "bench".into(),
                status: UserStatus::Active,
                locale: "en".into(),
                created_at: now,
                verified_at: Some(now),
            })
            .await?;
        let token = domain::ids::new_id("tok");
        store
            .insert_session(&SessionRecord {
                id: domain::ids::new_id("ses"),
                token_hash: digest(&token),
                user_id: user_id.clone(),
                created_at: now,
                last_seen_at: now,
                revoked_at: None,
                ip: "127.0.0.1".into(),
                user_agent: "okpay bench chat".into(),
            })
            .await?;
        let (agent_id, agent_token) = &agents[index % agents.len()];
        let conversation = Conversation {
            id: domain::ids::new_id("cht"),
            user_id,
            agent_id: agent_id.clone(),
            status: ConversationStatus::Active,
            last_seq: 0,
            user_read_seq: 0,
            agent_read_seq: 0,
            created_at: now,
            updated_at: now,
            closed_at: None,
        };
        store.insert_conversation(&conversation).await?;
        made.push(Pair {
            conversation: conversation.id,
            user_token: token,
            agent_token: agent_token.clone(),
        });
    }
    Ok(made)
}

/// What one side of a conversation does: waits for the start, sends `messages` messages
/// `interval` apart stamped with the time since `epoch`, and records how long each message of
/// the other side took to arrive, until it has all of them.
async fn side(
    mut socket: ChatSocket,
    me: &'static str,
    messages: usize,
    interval: Duration,
    epoch: Instant,
    start: Arc<tokio::sync::Barrier>,
) -> anyhow::Result<Vec<f64>> {
    start.wait().await;
    let mut latencies = Vec::with_capacity(messages);
    let mut sent = 0;
    // People do not all type at the same instant: each socket starts at its own offset.
    let offset = interval.mul_f64(rand::random::<f64>());
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + offset, interval);
    let wait = Duration::from_secs(60);
    while sent < messages || latencies.len() < messages {
        tokio::select! {
            _ = ticks.tick(), if sent < messages => {
                let stamp = epoch.elapsed().as_micros() as u64;
                socket
                    .send(&json!({"type": "send", "client_id": format!("{me}-{sent}"), "body": format!("{stamp}")}))
                    .await?;
                sent += 1;
            }
            frame = socket.next(wait) => {
                let frame = frame.context("a socket went quiet for a minute")?;
                if frame["type"] == "message" && frame["from"] != me {
                    let stamp: u64 = frame["body"].as_str().unwrap_or("0").parse().unwrap_or(0);
                    let now = epoch.elapsed().as_micros() as u64;
                    latencies.push(now.saturating_sub(stamp) as f64 / 1_000.0);
                }
            }
        }
    }
    Ok(latencies)
}

fn percentile(sorted: &[f64], fraction: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let index = ((sorted.len() as f64 - 1.0) * fraction).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

/// `okpay bench chat`: `connections` sockets (half users, half agents' sockets, one
/// conversation per pair) on one process; prints delivery p50/p99/max.
pub async fn run(
    config: &crate::config::Config,
    connections: usize,
    messages: usize,
    interval: Duration,
) -> anyhow::Result<()> {
    let running = crate::app::start(config).await?;
    let pairs = (connections / 2).max(1);
    eprintln!("making {pairs} conversations ({} sockets)…", pairs * 2);
    let made = make_pairs(&running.store, pairs).await?;
    let base = running.url();
    let start = Arc::new(tokio::sync::Barrier::new(pairs * 2));
    let epoch = Instant::now();
    // Connect a hundred at a time: the listen queue would drop a thousand at once.
    let opening = Arc::new(tokio::sync::Semaphore::new(100));
    let mut tasks = tokio::task::JoinSet::new();
    for pair in made {
        for (path, token, me) in [
            ("/api/v1/chat/ws", pair.user_token.clone(), "user"),
            ("/api/v1/staff/chat/ws", pair.agent_token.clone(), "agent"),
        ] {
            let base = base.clone();
            let conversation = pair.conversation.clone();
            let start = Arc::clone(&start);
            let opening = Arc::clone(&opening);
            tasks.spawn(async move {
                let socket = {
                    let _permit = opening.acquire().await?;
                    let mut socket =
                        ChatSocket::connect(&base, path, &token, &conversation, 0).await?;
                    socket
                        .next_of("hello", Duration::from_secs(30))
                        .await
                        .context("no hello")?;
                    socket
                };
                side(socket, me, messages, interval, epoch, start).await
            });
        }
    }
    let mut latencies = Vec::new();
    let began = Instant::now();
    while let Some(done) = tasks.join_next().await {
        latencies.extend(done??);
    }
    let seconds = began.elapsed().as_secs_f64();
    latencies.sort_by(f64::total_cmp);
    println!(
        "database {} · {} sockets · {} conversations · {messages} messages each way every {} ms",
        match running.store.dialect() {
            store::Dialect::Sqlite => "sqlite",
            store::Dialect::Postgres => "postgres",
        },
        pairs * 2,
        pairs,
        interval.as_millis()
    );
    println!(
        "delivery: p50 {:.1} ms · p99 {:.1} ms · max {:.1} ms · {} messages delivered in {:.1} s ({:.0}/s)",
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.99),
        latencies.last().copied().unwrap_or_default(),
        latencies.len(),
        seconds,
        latencies.len() as f64 / seconds.max(0.001)
    );
    running.stop().await?;
    Ok(())
}
