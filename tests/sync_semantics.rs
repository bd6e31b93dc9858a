//! The behaviour of `weakrefs::sync`: the same cases as `rc_semantics.rs`, run with
//! `Arc` in the place of `Rc`. What only the thread-safe flavour does (threads, races,
//! process exit) is in `sync_threads.rs` and `atexit_process.rs`.

mod common;

use weakrefs::sync::{
    finalize, Arc as Rc, Finalize, Proxy, PtrWeakKeyMap, PtrWeakSet, Weak, WeakKeyMap, WeakMethod,
    WeakSet, WeakValueMap,
};

// The flavour's `value_map::Entry`, for the shared cases.
use weakrefs::sync::value_map::Entry;

include!("cases/prelude.rs");
include!("cases/callbacks.rs");
include!("cases/finalize.rs");
include!("cases/value_map.rs");
include!("cases/key_map.rs");
include!("cases/proxy_method.rs");
include!("cases/under_lock.rs");
include!("cases/dying.rs");
include!("cases/unsized.rs");
