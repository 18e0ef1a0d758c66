//! One broadcast channel per conversation with open sockets in this process, events serialised once and shared by every receiver; and the poller that reads those conversations' rows and tells the sockets what other processes' sockets did.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use domain::chat::{Chat, ChatMessage, ConversationPulse, ConversationStatus, Side};
use serde_json::json;
use tokio::sync::broadcast;

use crate::time::rfc3339_utc;

/// Events a slow socket may fall behind by before it reads the rest from the database.
const ROOM_CAPACITY: usize = 256;
/// How often the poller reads the rows of the conversations with sockets here.
pub(crate) const POLL_INTERVAL: Duration = Duration::from_millis(500);
/// A typing mark older than this is not news any more (the page shows one for 4 s; a slow
/// poll still passes on a recent one).
const TYPING_FRESH_MS: i64 = 10_000;

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum EventKind {
    /// A stored message: its seq lets each socket deliver it once, in order.
    Message(i64),
    /// Messages up to this seq are stored (by another process): a socket behind reads them.
    Stored(i64),
    /// When the side said it was typing (Unix ms).
    Typing(i64),
    /// The side's read mark.
    Read(i64),
    Closed,
}

/// What one socket's action tells the others, with its JSON frame ready to send.
#[derive(Clone, Debug)]
pub(crate) struct Event {
    pub kind: EventKind,
    pub from: Side,
    pub frame: Arc<str>,
}

impl Event {
    pub fn message(message: &ChatMessage) -> Event {
        Event {
            kind: EventKind::Message(message.seq),
            from: message.sender,
            frame: message_frame(message).into(),
        }
    }

    pub fn typing(from: Side, at_ms: i64) -> Event {
        Event {
            kind: EventKind::Typing(at_ms),
            from,
            frame: json!({"type": "typing", "from": from.name()})
                .to_string()
                .into(),
        }
    }

    pub fn read(from: Side, seq: i64) -> Event {
        Event {
            kind: EventKind::Read(seq),
            from,
            frame: json!({"type": "read", "from": from.name(), "seq": seq})
                .to_string()
                .into(),
        }
    }

    pub fn stored(last_seq: i64) -> Event {
        Event {
            kind: EventKind::Stored(last_seq),
            // Read by no one: a `Stored` event is for both sides.
            from: Side::User,
            frame: Arc::from(""),
        }
    }

    pub fn closed(from: Side) -> Event {
        Event {
            kind: EventKind::Closed,
            from,
            frame: json!({"type": "closed", "from": from.name()})
                .to_string()
                .into(),
        }
    }
}

/// The frame a stored message travels in, to sockets and in the history alike.
pub(crate) fn message_value(message: &ChatMessage) -> serde_json::Value {
    json!({
        "type": "message",
        "seq": message.seq,
        "from": message.sender.name(),
        "client_id": message.client_id,
        "body": message.body,
        "sent_at": rfc3339_utc(message.created_at_ms.div_euclid(1_000)),
        "sent_at_ms": message.created_at_ms,
    })
}

pub(crate) fn message_frame(message: &ChatMessage) -> String {
    message_value(message).to_string()
}

/// What the sockets of one conversation here were last told, so the poller sends only news.
#[derive(Default)]
struct Known {
    last_seq: i64,
    read: [i64; 2],
    typing_ms: [i64; 2],
    closed: bool,
}

fn slot(side: Side) -> usize {
    match side {
        Side::User => 0,
        Side::Agent => 1,
    }
}

struct Room {
    sender: broadcast::Sender<Event>,
    known: Known,
}

/// The rooms of this process. A socket subscribes before it reads what it missed, so nothing
/// published in between is lost; a room is dropped when its last socket leaves.
#[derive(Default)]
pub struct Hub {
    rooms: Mutex<HashMap<String, Room>>,
}

impl Hub {
    fn rooms(&self) -> std::sync::MutexGuard<'_, HashMap<String, Room>> {
        self.rooms
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }

    /// Joins the room of a conversation whose row said `last_seq` and read marks `read`
    /// (user, agent) when the socket opened.
    pub(crate) fn subscribe(
        &self,
        conversation_id: &str,
        last_seq: i64,
        read: [i64; 2],
    ) -> broadcast::Receiver<Event> {
        self.rooms()
            .entry(conversation_id.to_owned())
            .or_insert_with(|| Room {
                sender: broadcast::channel(ROOM_CAPACITY).0,
                // Typing is not in the row the socket read: a mark the poller finds is news if it
                // is fresh (a stamp of the opening time could equal a mark made the same
                // millisecond on another process, and hide it).
                known: Known {
                    last_seq,
                    read,
                    typing_ms: [0; 2],
                    closed: false,
                },
            })
            .sender
            .subscribe()
    }

    /// Sends `event` to every socket of the conversation open in this process; none is fine.
    pub(crate) fn publish(&self, conversation_id: &str, event: Event) {
        let mut rooms = self.rooms();
        if let Some(room) = rooms.get_mut(conversation_id) {
            let known = &mut room.known;
            match event.kind {
                EventKind::Message(seq) | EventKind::Stored(seq) => {
                    known.last_seq = known.last_seq.max(seq);
                }
                EventKind::Read(seq) => {
                    let at = slot(event.from);
                    known.read[at] = known.read[at].max(seq);
                }
                EventKind::Typing(at_ms) => {
                    let at = slot(event.from);
                    known.typing_ms[at] = known.typing_ms[at].max(at_ms);
                }
                EventKind::Closed => known.closed = true,
            }
            let _ = room.sender.send(event);
        }
    }

    /// Called after a socket dropped its receiver.
    pub(crate) fn leave(&self, conversation_id: &str) {
        let mut rooms = self.rooms();
        if rooms
            .get(conversation_id)
            .is_some_and(|room| room.sender.receiver_count() == 0)
        {
            rooms.remove(conversation_id);
        }
    }

    /// The conversations with sockets here.
    fn room_ids(&self) -> Vec<String> {
        self.rooms().keys().cloned().collect()
    }

    /// Publishes what `pulses` (rows read just now) say that the sockets here were not told.
    fn apply(&self, pulses: &[ConversationPulse], now_ms: i64) {
        let mut news: Vec<(String, Event)> = Vec::new();
        {
            let mut rooms = self.rooms();
            for pulse in pulses {
                let Some(room) = rooms.get_mut(&pulse.id) else {
                    continue;
                };
                let known = &mut room.known;
                // `publish` below moves what the room knows.
                if pulse.last_seq > known.last_seq {
                    news.push((pulse.id.clone(), Event::stored(pulse.last_seq)));
                }
                for side in [Side::User, Side::Agent] {
                    let at = slot(side);
                    if pulse.read_seq(side) > known.read[at] {
                        news.push((pulse.id.clone(), Event::read(side, pulse.read_seq(side))));
                    }
                    let typing = pulse.typing_ms(side);
                    if typing > known.typing_ms[at] {
                        if now_ms - typing < TYPING_FRESH_MS {
                            news.push((pulse.id.clone(), Event::typing(side, typing)));
                        } else {
                            known.typing_ms[at] = typing;
                        }
                    }
                }
                if pulse.status == ConversationStatus::Closed && !known.closed {
                    // Which side closed it is not in the row; the frame says the agent's
                    // desk or the user ended it alike.
                    news.push((pulse.id.clone(), Event::closed(Side::User)));
                }
            }
        }
        for (id, event) in news {
            self.publish(&id, event);
        }
    }
}

/// Reads the rows of the conversations with sockets here every [`POLL_INTERVAL`] and tells the
/// sockets what changed; one read for all of them. Ends when the hub is dropped.
pub(crate) async fn poll(hub: Weak<Hub>, chat: Arc<Chat>) {
    let mut ticks = tokio::time::interval(POLL_INTERVAL);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let Some(hub) = hub.upgrade() else {
            return;
        };
        let ids = hub.room_ids();
        if ids.is_empty() {
            continue;
        }
        for chunk in ids.chunks(2_000) {
            match chat.pulses(chunk).await {
                Ok(pulses) => hub.apply(&pulses, unix_now_ms()),
                Err(error) => tracing::warn!(%error, "reading the chat conversations failed"),
            }
        }
    }
}

pub(crate) fn unix_now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_millis() as i64)
}
