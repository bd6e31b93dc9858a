//! The public types' templates, written once: each file defines a macro that the
//! flavour modules (`rc/X.rs`, `sync/X.rs`) instantiate with their pointer names,
//! core flavour, bounds and the documentation that differs. A template is safe code
//! over its core in `raw/X.rs`.

pub(crate) mod finalize;
pub(crate) mod key_map;
pub(crate) mod proxy;
pub(crate) mod strong;
pub(crate) mod value_map;
pub(crate) mod weak;
pub(crate) mod weak_method;
