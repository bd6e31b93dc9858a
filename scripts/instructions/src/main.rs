//! One loop per measured operation, for instruction counts under callgrind:
//! `weakrefs-instructions OP N` runs OP N times after the same setup, so that the
//! difference between two runs with different N, divided by the difference of the N,
//! is the count of one iteration (setup and process start cancel out). Each OP has a
//! counterpart with the std or `weak-table` way, named `OP/base`.

use std::collections::hash_map::RandomState;
use std::hint::black_box;

/// Entries in the maps of the map operations (cache-resident).
const ENTRIES: u64 = 10_000;

struct HandRolled(Vec<Box<dyn FnOnce()>>);

impl Drop for HandRolled {
    fn drop(&mut self) {
        for callback in self.0.drain(..).rev() {
            callback();
        }
    }
}

struct HandRolledSync(std::sync::Mutex<Vec<Box<dyn FnOnce() + Send>>>);

impl Drop for HandRolledSync {
    fn drop(&mut self) {
        let callbacks = std::mem::take(self.0.get_mut().unwrap());
        for callback in callbacks.into_iter().rev() {
            callback();
        }
    }
}

fn rc_callbacks<const K: usize>(n: u64) {
    for _ in 0..n {
        let state = black_box(7u64);
        let obj = weakrefs::rc::Rc::new(0u64);
        let weaks: [_; K] = std::array::from_fn(|_| {
            weakrefs::rc::Rc::downgrade_with(&obj, move |dead| {
                black_box((dead, state));
            })
        });
        drop(obj);
        drop(weaks);
    }
}

fn rc_callbacks_base<const K: usize>(n: u64) {
    for _ in 0..n {
        let state = black_box(7u64);
        let mut obj = std::rc::Rc::new(HandRolled(Vec::with_capacity(K)));
        let callbacks = &mut std::rc::Rc::get_mut(&mut obj).unwrap().0;
        for _ in 0..K {
            callbacks.push(Box::new(move || {
                black_box(state);
            }));
        }
        drop(obj);
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let op = args.next().expect("usage: weakrefs-instructions OP N");
    let n: u64 = args.next().and_then(|s| s.parse().ok()).expect("N");
    match op.as_str() {
        "rc: downgrade + Weak drop" => {
            let obj = weakrefs::rc::Rc::new(1u64);
            for _ in 0..n {
                drop(black_box(weakrefs::rc::Rc::downgrade(black_box(&obj))));
            }
        }
        "rc: downgrade + Weak drop/base" => {
            let obj = std::rc::Rc::new(1u64);
            for _ in 0..n {
                drop(black_box(std::rc::Rc::downgrade(black_box(&obj))));
            }
        }
        "rc: Weak clone + drop" => {
            let obj = weakrefs::rc::Rc::new(1u64);
            let weak = weakrefs::rc::Rc::downgrade(&obj);
            for _ in 0..n {
                drop(black_box(black_box(&weak).clone()));
            }
        }
        "rc: Weak clone + drop/base" => {
            let obj = std::rc::Rc::new(1u64);
            let weak = std::rc::Rc::downgrade(&obj);
            for _ in 0..n {
                drop(black_box(black_box(&weak).clone()));
            }
        }
        "rc: weak ref with callback, created and fired" => rc_callbacks::<1>(n),
        "rc: weak ref with callback, created and fired/base" => rc_callbacks_base::<1>(n),
        "rc: drop an object with 64 callbacks" => rc_callbacks::<64>(n),
        "rc: drop an object with 64 callbacks/base" => rc_callbacks_base::<64>(n),
        "sync: weak ref with callback, created and fired" => {
            for _ in 0..n {
                let state = black_box(7u64);
                let obj = weakrefs::sync::Arc::new(0u64);
                let weak = weakrefs::sync::Arc::downgrade_with(&obj, move |dead| {
                    black_box((dead, state));
                });
                drop(obj);
                drop(weak);
            }
        }
        "sync: weak ref with callback, created and fired/base" => {
            for _ in 0..n {
                let state = black_box(7u64);
                let obj = std::sync::Arc::new(HandRolledSync(Default::default()));
                obj.0.lock().unwrap().push(Box::new(move || {
                    black_box(state);
                }));
                drop(obj);
            }
        }
        "rc: finalize registered and fired" => {
            for _ in 0..n {
                let obj = weakrefs::rc::Rc::new(0u64);
                weakrefs::rc::finalize(
                    &obj,
                    |x: u64| {
                        black_box(x);
                    },
                    1,
                );
                drop(obj);
            }
        }
        "sync: finalize registered and fired" => {
            for _ in 0..n {
                let obj = weakrefs::sync::Arc::new(0u64);
                weakrefs::sync::finalize(
                    &obj,
                    |x: u64| {
                        black_box(x);
                    },
                    1,
                );
                drop(obj);
            }
        }
        "rc: new + drop" => {
            for _ in 0..n {
                drop(black_box(weakrefs::rc::Rc::new(0u64)));
            }
        }
        "rc: new + drop/base" => {
            for _ in 0..n {
                drop(black_box(std::rc::Rc::new(0u64)));
            }
        }
        "sync: new + drop/base" => {
            for _ in 0..n {
                drop(black_box(std::sync::Arc::new(0u64)));
            }
        }
        "sync: new + drop" => {
            for _ in 0..n {
                drop(black_box(weakrefs::sync::Arc::new(0u64)));
            }
        }
        "rc WeakValueMap: get (live)" => {
            let values: Vec<_> = (0..ENTRIES).map(weakrefs::rc::Rc::new).collect();
            let map = weakrefs::rc::WeakValueMap::<u64, u64>::new();
            values.iter().for_each(|v| drop(map.insert(**v, v.clone())));
            for i in 0..n {
                black_box(map.get(&(i % ENTRIES)));
            }
        }
        "rc WeakValueMap: get (live)/base" => {
            let values: Vec<_> = (0..ENTRIES).map(std::rc::Rc::new).collect();
            let mut map =
                weak_table::WeakValueHashMap::<u64, std::rc::Weak<u64>, RandomState>::default();
            values.iter().for_each(|v| drop(map.insert(**v, v.clone())));
            for i in 0..n {
                black_box(map.get(&(i % ENTRIES)));
            }
        }
        "rc WeakValueMap: insert + remove" => {
            let values: Vec<_> = (0..ENTRIES).map(weakrefs::rc::Rc::new).collect();
            let map = weakrefs::rc::WeakValueMap::<u64, u64>::new();
            values.iter().for_each(|v| drop(map.insert(**v, v.clone())));
            for i in 0..n {
                let v = &values[(i % ENTRIES) as usize];
                black_box(map.insert(ENTRIES + i % ENTRIES, v.clone()));
                black_box(map.remove(&(ENTRIES + i % ENTRIES)));
            }
        }
        "rc WeakValueMap: insert + remove/base" => {
            let values: Vec<_> = (0..ENTRIES).map(std::rc::Rc::new).collect();
            let mut map =
                weak_table::WeakValueHashMap::<u64, std::rc::Weak<u64>, RandomState>::default();
            values.iter().for_each(|v| drop(map.insert(**v, v.clone())));
            for i in 0..n {
                let v = &values[(i % ENTRIES) as usize];
                black_box(map.insert(ENTRIES + i % ENTRIES, v.clone()));
                black_box(map.remove(&(ENTRIES + i % ENTRIES)));
            }
        }
        other => panic!("unknown operation {other:?}"),
    }
}
