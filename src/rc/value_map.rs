//! The weak-valued map of `rc` ([`WeakValueMap`], also at `rc`'s top level) and its
//! iterators.

crate::api::value_map::weak_value_map!(rc, Rc, Local, 'static);
