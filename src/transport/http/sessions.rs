//! Legacy (initialize-based) Streamable HTTP sessions: `initialize` creates one and
//! names it in `Mcp-Session-Id`; later requests carry the id. Bounded in number and
//! forgotten when idle, so clients that never send DELETE cannot grow our memory.
//!
//! Each POST runs on its own `Connection` (its own response stream and cancellation)
//! sharing the session's handshake state; the session keeps weak links to the running
//! ones so a notification (e.g. `notifications/cancelled`) and DELETE can reach them.

use crate::mcp::context::Session;
use crate::mcp::dispatch::Connection;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

pub struct LegacySession {
    pub state: Arc<Session>,
    last_used: Mutex<Instant>,
    running: Mutex<Vec<Weak<Connection>>>,
}

impl LegacySession {
    fn new(state: Arc<Session>) -> Self {
        Self {
            state,
            last_used: Mutex::new(Instant::now()),
            running: Mutex::new(Vec::new()),
        }
    }

    fn touch(&self) {
        *self.last_used.lock().unwrap_or_else(|e| e.into_inner()) = Instant::now();
    }

    fn idle_for(&self) -> Duration {
        self.last_used
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .elapsed()
    }

    /// Registers a request's connection for as long as it lives.
    pub fn attach(&self, conn: &Arc<Connection>) {
        let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
        running.retain(|c| c.strong_count() > 0);
        running.push(Arc::downgrade(conn));
    }

    /// The requests still running.
    pub fn running(&self) -> Vec<Arc<Connection>> {
        let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
        running.retain(|c| c.strong_count() > 0);
        running.iter().filter_map(Weak::upgrade).collect()
    }

    /// Cancels every running request (their demos are killed).
    pub fn close(&self) {
        for conn in self.running() {
            conn.closed.cancel();
        }
    }
}

#[derive(Debug)]
pub struct Full;

pub struct Sessions {
    map: Mutex<HashMap<String, Arc<LegacySession>>>,
    max: usize,
    idle: Duration,
}

/// 128 random bits as hex: unguessable, and visible ASCII as the header requires.
fn new_id() -> Option<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).ok()?;
    Some(hex::encode(bytes))
}

impl Sessions {
    pub fn new(max: usize, idle: Duration) -> Self {
        Self {
            map: Mutex::new(HashMap::new()),
            max,
            idle,
        }
    }

    fn expired(&self, session: &LegacySession) -> bool {
        session.idle_for() > self.idle && session.running().is_empty()
    }

    /// The live session `id`, marked as used; an expired one is dropped.
    pub fn get(&self, id: &str) -> Option<Arc<LegacySession>> {
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        let session = map.get(id)?.clone();
        if self.expired(&session) {
            map.remove(id);
            return None;
        }
        session.touch();
        Some(session)
    }

    /// Stores a new session and returns its id. When full, expired sessions go first,
    /// then the least recently used idle one; if every session is busy, `Full`.
    pub fn insert(&self, state: Arc<Session>) -> Result<String, Full> {
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= self.max {
            map.retain(|_, s| !self.expired(s));
        }
        if map.len() >= self.max {
            let oldest = map
                .iter()
                .filter(|(_, s)| s.running().is_empty())
                .max_by_key(|(_, s)| s.idle_for())
                .map(|(id, _)| id.clone());
            match oldest {
                Some(id) => {
                    map.remove(&id);
                }
                None => return Err(Full),
            }
        }
        let id = new_id().ok_or(Full)?;
        map.insert(id.clone(), Arc::new(LegacySession::new(state)));
        Ok(id)
    }

    pub fn remove(&self, id: &str) -> Option<Arc<LegacySession>> {
        self.map
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_hex() {
        let sessions = Sessions::new(8, Duration::from_secs(60));
        let a = sessions.insert(Session::new()).unwrap();
        let b = sessions.insert(Session::new()).unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert!(sessions.get(&a).is_some());
        assert!(sessions.get("nope").is_none());
    }

    #[test]
    fn full_store_evicts_the_least_recently_used_idle_session() {
        let sessions = Sessions::new(2, Duration::from_secs(60));
        let a = sessions.insert(Session::new()).unwrap();
        std::thread::sleep(Duration::from_millis(5));
        let b = sessions.insert(Session::new()).unwrap();
        let c = sessions.insert(Session::new()).unwrap();
        assert!(sessions.get(&a).is_none());
        assert!(sessions.get(&b).is_some());
        assert!(sessions.get(&c).is_some());
    }

    #[test]
    fn idle_sessions_expire() {
        let sessions = Sessions::new(2, Duration::from_millis(1));
        let a = sessions.insert(Session::new()).unwrap();
        std::thread::sleep(Duration::from_millis(10));
        assert!(sessions.get(&a).is_none());
    }

    #[test]
    fn busy_sessions_are_neither_expired_nor_evicted() {
        let sessions = Sessions::new(1, Duration::from_millis(1));
        let a = sessions.insert(Session::new()).unwrap();
        let session = sessions.get(&a).unwrap();
        let conn = Connection::new(session.state.clone(), None);
        session.attach(&conn);
        std::thread::sleep(Duration::from_millis(10));
        assert!(sessions.insert(Session::new()).is_err());
        assert!(sessions.get(&a).is_some());
        drop(conn);
        assert!(sessions.insert(Session::new()).is_ok());
    }
}
