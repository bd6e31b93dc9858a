//! Weak collections, written once over the flavour: the cores (generic over the
//! crate's `Flavor`) and the public types' definitions, which `rc` and `sync`
//! instantiate; and the lock discipline they share (`guarded.rs`).

pub(crate) mod guarded;
pub(crate) mod key_map;
pub(crate) mod key_map_api;
pub(crate) mod value_map;
pub(crate) mod value_map_api;
