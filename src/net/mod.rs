//! The network layer every command that reads live state shares: one HTTP client with
//! timeouts, retries, rate-limit handling, per-service credentials, recording and replay
//! ([`http`]); the decisions of when to retry ([`retry`]); recordings on disk ([`store`]); and
//! the timestamps the APIs use ([`time`]).

pub mod conditional;
pub mod http;
pub mod response;
pub mod retry;
pub mod store;
pub mod time;
