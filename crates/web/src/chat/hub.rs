//! One broadcast channel per conversation with open sockets in this process; events are serialised once and shared by every receiver.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use domain::chat::{ChatMessage, Side};
use serde_json::json;
use tokio::sync::broadcast;

use crate::time::rfc3339_utc;

/// Events a slow socket may fall behind by before it reads the rest from the database.
const ROOM_CAPACITY: usize = 256;

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum EventKind {
    /// A stored message: its seq lets each socket deliver it once, in order.
    Message(i64),
    Typing,
    Read,
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

    pub fn typing(from: Side) -> Event {
        Event {
            kind: EventKind::Typing,
            from,
            frame: json!({"type": "typing", "from": from.name()})
                .to_string()
                .into(),
        }
    }

    pub fn read(from: Side, seq: i64) -> Event {
        Event {
            kind: EventKind::Read,
            from,
            frame: json!({"type": "read", "from": from.name(), "seq": seq})
                .to_string()
                .into(),
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

/// The rooms of this process. A socket subscribes before it reads what it missed, so nothing
/// published in between is lost; a room is dropped when its last socket leaves.
#[derive(Default)]
pub struct Hub {
    rooms: Mutex<HashMap<String, broadcast::Sender<Event>>>,
}

impl Hub {
    pub(crate) fn subscribe(&self, conversation_id: &str) -> broadcast::Receiver<Event> {
        let mut rooms = self
            .rooms
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        rooms
            .entry(conversation_id.to_owned())
            .or_insert_with(|| broadcast::channel(ROOM_CAPACITY).0)
            .subscribe()
    }

    /// Sends `event` to every socket of the conversation open in this process; none is fine.
    pub(crate) fn publish(&self, conversation_id: &str, event: Event) {
        let rooms = self
            .rooms
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        if let Some(room) = rooms.get(conversation_id) {
            let _ = room.send(event);
        }
    }

    /// Called after a socket dropped its receiver.
    pub(crate) fn leave(&self, conversation_id: &str) {
        let mut rooms = self
            .rooms
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        if rooms
            .get(conversation_id)
            .is_some_and(|room| room.receiver_count() == 0)
        {
            rooms.remove(conversation_id);
        }
    }
}
