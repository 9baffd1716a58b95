//! Upstream vectors (being ported).
