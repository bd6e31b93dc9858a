//! `rc::WeakKeyMap`, `rc::PtrWeakKeyMap`, `rc::WeakSet`, `rc::PtrWeakSet`.

use crate::raw::key_map::{ByIdentity, ByValue};
use crate::api::key_map::{weak_key_map, weak_set};
use crate::rc::{Rc, Weak};

weak_key_map!(
    "rc", Rc, crate::flavor::Local, WeakKeyMap, ByValue,
    lookup: &K, |key| key,
    key_bounds: [core::hash::Hash + Eq +], bounds: ['static],
    compare: "by value (the keys' `Eq` and `Hash`)"
);

weak_key_map!(
    "rc", Rc, crate::flavor::Local, PtrWeakKeyMap, ByIdentity,
    lookup: &Rc<K>, |key| &**key,
    key_bounds: [], bounds: ['static],
    compare: "by identity (which allocation)"
);

weak_set!(
    "rc", Rc, crate::flavor::Local, WeakSet, ByValue,
    lookup: &T, |value| value,
    key_bounds: [core::hash::Hash + Eq +], bounds: ['static],
    compare: "by value (the elements' `Eq` and `Hash`)"
);

weak_set!(
    "rc", Rc, crate::flavor::Local, PtrWeakSet, ByIdentity,
    lookup: &Rc<T>, |value| &**value,
    key_bounds: [], bounds: ['static],
    compare: "by identity (which allocation)"
);
