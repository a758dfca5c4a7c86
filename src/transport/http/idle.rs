//! Which open connections have never sent a request, so that a flood of idle ones (a
//! slowloris, or thousands of sockets opened and left) cannot hold every connection slot
//! until the header timeout: when the slots run out, the oldest silent connections are
//! closed to make room. Connections that have sent a request are never evicted here;
//! the header timeout alone ends their idle keep-alive.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// A connection silent for less than this is still a client typing its first request.
const GRACE: Duration = Duration::from_millis(500);

struct Tracked {
    opened: Instant,
    spoke: Arc<AtomicBool>,
    evict: CancellationToken,
}

/// What a connection task holds: mark it as having spoken; await eviction.
pub struct Ticket {
    pub spoke: Arc<AtomicBool>,
    pub evict: CancellationToken,
    key: u64,
    connections: Arc<OpenConnections>,
}

impl Drop for Ticket {
    fn drop(&mut self) {
        self.connections.lock().remove(&self.key);
    }
}

#[derive(Default)]
pub struct OpenConnections {
    open: Mutex<HashMap<u64, Tracked>>,
    next: std::sync::atomic::AtomicU64,
}

impl OpenConnections {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Tracked>> {
        self.open.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn track(self: &Arc<Self>) -> Ticket {
        let key = self.next.fetch_add(1, Ordering::Relaxed);
        let spoke = Arc::new(AtomicBool::new(false));
        let evict = CancellationToken::new();
        self.lock().insert(
            key,
            Tracked {
                opened: Instant::now(),
                spoke: spoke.clone(),
                evict: evict.clone(),
            },
        );
        Ticket {
            spoke,
            evict,
            key,
            connections: self.clone(),
        }
    }

    /// Closes up to `most` of the oldest connections that have said nothing for longer
    /// than the grace period; returns how many.
    pub fn evict_silent(&self, most: usize) -> usize {
        let open = self.lock();
        let mut silent: Vec<&Tracked> = open
            .values()
            .filter(|t| !t.spoke.load(Ordering::Relaxed) && t.opened.elapsed() >= GRACE)
            .collect();
        silent.sort_by_key(|t| t.opened);
        let chosen = silent.into_iter().take(most);
        let mut n = 0;
        for t in chosen {
            t.evict.cancel();
            n += 1;
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_silent_connections_past_the_grace_period_are_evicted_oldest_first() {
        let open = Arc::new(OpenConnections::default());
        let old_silent = open.track();
        let talker = open.track();
        talker.spoke.store(true, Ordering::Relaxed);
        std::thread::sleep(GRACE + Duration::from_millis(20));
        let young = open.track();
        let second_silent_is_young = young.evict.clone();
        assert_eq!(open.evict_silent(10), 1);
        assert!(old_silent.evict.is_cancelled());
        assert!(!talker.evict.is_cancelled());
        assert!(!second_silent_is_young.is_cancelled());
        drop(old_silent);
        assert_eq!(open.lock().len(), 2);
    }
}
