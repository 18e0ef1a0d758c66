//! Per-user turns for limit-checked movements: one at a time per user within a process, so two
//! racing movements cannot both pass a limit.
//!
//! A movement reads the user's limit usage (summed from transaction records), submits its ledger
//! command, and only then writes the record that the next usage read sums. Without turns two
//! movements of one user that overlap both read the usage from before either was written, and
//! both pass a daily or monthly limit that only one of them fits. `Wallet` takes the user's turn
//! before the limit check and holds it until the movement's records are written (or it failed).
//! A top-up holds it only until its record is written `processing` (which the next check counts);
//! the card is charged after, so a slow processor never holds up the user's other movements.
//!
//! Cost: a turn is a tokio mutex per user, in a map split into [`SHARDS`] shards, each behind a
//! std mutex held only to find or drop an entry (never across an await). Movements of different
//! users never wait on each other except for those few instructions; movements of one user run
//! one after another, which is what a limit means. An entry lives while someone holds or waits
//! for the turn and is removed by the last one to leave, so the map holds at most one entry per
//! user with a movement in flight.
//!
//! Across processes: turns serialize movements within one process only. When several OKPay
//! processes share one database (PostgreSQL in production, or two processes on one SQLite file),
//! two movements of one user that land on different processes can still both pass a limit. This
//! module does not pretend otherwise: closing that needs the database itself to arbitrate — for
//! example a usage counter per (user, limit kind, currency, day and month) reserved by one
//! conditional `UPDATE … WHERE used + amount <= limit` before the ledger command and given back
//! when the movement is refused — or a front end that routes each user to one process.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::{Arc, Mutex};

use tokio::sync::OwnedMutexGuard;

/// How many independently locked parts the map has; a power of two well above the number of
/// threads, so that two users rarely share a shard lock.
const SHARDS: usize = 64;

type Turn = Arc<tokio::sync::Mutex<()>>;

/// The turns of every user with a limit-checked movement in flight in this process.
pub struct UserTurns {
    shards: Box<[Mutex<HashMap<String, Turn>>]>,
    hasher: RandomState,
}

impl Default for UserTurns {
    fn default() -> Self {
        UserTurns {
            shards: (0..SHARDS).map(|_| Mutex::default()).collect(),
            hasher: RandomState::new(),
        }
    }
}

impl UserTurns {
    fn shard(&self, user_id: &str) -> &Mutex<HashMap<String, Turn>> {
        let index = self.hasher.hash_one(user_id) as usize % SHARDS;
        &self.shards[index]
    }

    /// Waits until no other movement of `user_id` holds its turn, and holds it until the answer
    /// is dropped.
    pub async fn take(&self, user_id: &str) -> HeldTurn<'_> {
        let turn = {
            let mut shard = self
                .shard(user_id)
                .lock()
                .expect("a turn shard is never poisoned");
            Arc::clone(shard.entry(user_id.to_owned()).or_default())
        };
        let guard = turn.lock_owned().await;
        HeldTurn {
            turns: self,
            user_id: user_id.to_owned(),
            guard: Some(guard),
        }
    }

    /// How many users have an entry now (held or waited for); for tests.
    pub fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|shard| shard.lock().expect("a turn shard is never poisoned").len())
            .sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A user's turn, given back when dropped.
pub struct HeldTurn<'a> {
    turns: &'a UserTurns,
    user_id: String,
    guard: Option<OwnedMutexGuard<()>>,
}

impl Drop for HeldTurn<'_> {
    fn drop(&mut self) {
        let mut shard = self
            .turns
            .shard(&self.user_id)
            .lock()
            .expect("a turn shard is never poisoned");
        // Our guard owns one reference to the entry; let it go first, so that a count of one
        // (the map's own) means nobody holds or waits for the turn. Others only clone the entry
        // under this shard lock, so the count cannot rise between the check and the removal.
        drop(self.guard.take());
        if shard
            .get(&self.user_id)
            .is_some_and(|turn| Arc::strong_count(turn) == 1)
        {
            shard.remove(&self.user_id);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn one_users_movements_take_turns_and_leave_no_entry_behind() {
        let turns = Arc::new(UserTurns::default());
        let inside = Arc::new(AtomicUsize::new(0));
        let most_inside = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..16)
            .map(|_| {
                let (turns, inside, most_inside) = (
                    Arc::clone(&turns),
                    Arc::clone(&inside),
                    Arc::clone(&most_inside),
                );
                tokio::spawn(async move {
                    let _turn = turns.take("usr_one").await;
                    let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                    most_inside.fetch_max(now, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(2)).await;
                    inside.fetch_sub(1, Ordering::SeqCst);
                })
            })
            .collect();
        for task in tasks {
            task.await.expect("the task ends");
        }
        assert_eq!(most_inside.load(Ordering::SeqCst), 1);
        assert!(turns.is_empty());
    }

    #[tokio::test]
    async fn different_users_hold_their_turns_at_once() {
        let turns = UserTurns::default();
        let first = turns.take("usr_a").await;
        let second = tokio::time::timeout(Duration::from_secs(5), turns.take("usr_b"))
            .await
            .expect("another user's turn is free");
        assert_eq!(turns.len(), 2);
        drop(first);
        drop(second);
        assert!(turns.is_empty());
    }

    #[tokio::test]
    async fn a_waiter_keeps_the_entry_when_the_holder_leaves() {
        let turns = Arc::new(UserTurns::default());
        let held = turns.take("usr_a").await;
        let waiter = {
            let turns = Arc::clone(&turns);
            tokio::spawn(async move {
                let _turn = turns.take("usr_a").await;
            })
        };
        // Let the waiter reach the lock and clone the entry.
        while turns.shards.iter().all(|shard| {
            shard
                .lock()
                .expect("not poisoned")
                .get("usr_a")
                .is_none_or(|turn| Arc::strong_count(turn) < 3)
        }) {
            tokio::task::yield_now().await;
        }
        drop(held);
        assert_eq!(turns.len(), 1, "the waiter's entry stays");
        waiter.await.expect("the waiter gets its turn");
        assert!(turns.is_empty());
    }
}
