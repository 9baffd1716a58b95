//! Placeholder, filled by the prediction engine.
