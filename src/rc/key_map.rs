//! The weak-key maps and weak sets of `rc` ([`WeakKeyMap`], [`PtrWeakKeyMap`],
//! [`WeakSet`], [`PtrWeakSet`], also at `rc`'s top level) and their iterators.

crate::api::key_map::key_map_iterators!(rc, Rc, Local);

crate::api::key_map::weak_key_map!(
    rc, Rc, Local, WeakKeyMap, crate::raw::key_map::ByValue,
    lookup: by_value,
    key_bounds: [::core::hash::Hash + Eq +], bounds: ['static],
    compare: "by value (the keys' `Eq` and `Hash`)"
);

crate::api::key_map::weak_key_map!(
    rc, Rc, Local, PtrWeakKeyMap, crate::raw::key_map::ByIdentity,
    lookup: by_identity,
    key_bounds: [], bounds: ['static],
    compare: "by identity (which allocation)"
);

crate::api::key_map::weak_set!(
    rc, Rc, Local, WeakSet, crate::raw::key_map::ByValue,
    lookup: by_value,
    key_bounds: [::core::hash::Hash + Eq +], bounds: ['static],
    compare: "by value (the elements' `Eq` and `Hash`)"
);

crate::api::key_map::weak_set!(
    rc, Rc, Local, PtrWeakSet, crate::raw::key_map::ByIdentity,
    lookup: by_identity,
    key_bounds: [], bounds: ['static],
    compare: "by identity (which allocation)"
);
