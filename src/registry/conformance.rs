//! The README's "Every registry, field by field" table, generated from the registry modules'
//! own tables (placeholder).
