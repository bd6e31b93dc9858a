//! Memory, counted by this binary's global allocator: bytes allocated for one object
//! with no weak reference, with a plain weak reference, with a weak reference with a
//! callback and with a finalizer, ours against std (and the hand-rolled std way for a
//! callback); bytes per entry of the weak-valued map against `weak-table` 0.4. Run
//! with `cargo bench --bench memory`; `--json FILE` also writes the figures. (What a
//! collection holds after all its referents died is in `collections.rs`.)

mod common;

use std::sync::atomic::Ordering::Relaxed;

use common::Row;

#[global_allocator]
static ALLOCATOR: common::Counting = common::Counting;
use common::LIVE;

/// Bytes still allocated by what `make` returns (kept alive while measuring).
fn bytes<T>(make: impl FnOnce() -> T) -> isize {
    let before = LIVE.load(Relaxed);
    let kept = make();
    let held = LIVE.load(Relaxed) - before;
    drop(kept);
    held
}

/// The hand-rolled std way to have callbacks: a list in the value.
struct HandRolled {
    _value: u64,
    _callbacks: Vec<Box<dyn FnOnce()>>,
}

fn main() {
    let state = 7u64; // what a callback captures
    let rows: Vec<(&str, isize, isize)> = vec![
        (
            "object (u64), no weak reference",
            bytes(|| std::rc::Rc::new(0u64)),
            bytes(|| weakrefs::rc::Rc::new(0u64)),
        ),
        (
            "object + a plain weak reference",
            bytes(|| {
                let o = std::rc::Rc::new(0u64);
                (std::rc::Rc::downgrade(&o), o)
            }),
            bytes(|| {
                let o = weakrefs::rc::Rc::new(0u64);
                (weakrefs::rc::Rc::downgrade(&o), o)
            }),
        ),
        (
            "object + a weak reference with a callback",
            bytes(|| {
                let cb: Box<dyn FnOnce()> = Box::new(move || {
                    std::hint::black_box(state);
                });
                std::rc::Rc::new(HandRolled {
                    _value: 0,
                    _callbacks: vec![cb],
                })
            }),
            bytes(|| {
                let o = weakrefs::rc::Rc::new(0u64);
                (
                    weakrefs::rc::Rc::downgrade_with(&o, move |_| {
                        std::hint::black_box(state);
                    }),
                    o,
                )
            }),
        ),
        (
            "object + a finalizer",
            0,
            bytes(|| {
                let o = weakrefs::rc::Rc::new(0u64);
                (
                    weakrefs::rc::finalize(
                        &o,
                        |s: u64| {
                            std::hint::black_box(s);
                        },
                        state,
                    ),
                    o,
                )
            }),
        ),
        (
            "object + 8 weak references with callbacks",
            bytes(|| {
                let cbs: Vec<Box<dyn FnOnce()>> = (0..8)
                    .map(|_| {
                        Box::new(move || {
                            std::hint::black_box(state);
                        }) as Box<dyn FnOnce()>
                    })
                    .collect();
                std::rc::Rc::new(HandRolled {
                    _value: 0,
                    _callbacks: cbs,
                })
            }),
            bytes(|| {
                let o = weakrefs::rc::Rc::new(0u64);
                let weaks: Vec<_> = (0..8)
                    .map(|_| {
                        weakrefs::rc::Rc::downgrade_with(&o, move |_| {
                            std::hint::black_box(state);
                        })
                    })
                    .collect();
                (weaks, o)
            }),
        ),
    ];
    const N: u64 = 100_000;
    let values: Vec<std::rc::Rc<u64>> = (0..N).map(std::rc::Rc::new).collect();
    let theirs = bytes(|| {
        let mut map = weak_table::WeakValueHashMap::<
            u64,
            std::rc::Weak<u64>,
            std::collections::hash_map::RandomState,
        >::with_hasher(Default::default());
        for v in &values {
            map.insert(**v, v.clone());
        }
        map
    }) / N as isize;
    let our_values: Vec<weakrefs::rc::Rc<u64>> = (0..N).map(weakrefs::rc::Rc::new).collect();
    let ours = bytes(|| {
        let map = weakrefs::rc::WeakValueMap::<u64, u64>::new();
        for v in &our_values {
            map.insert(**v, v.clone());
        }
        map
    }) / N as isize;

    println!("{:<44} {:>10} {:>10}", "bytes allocated", "std", "weakrefs");
    for (name, std_bytes, our_bytes) in &rows {
        println!("{name:<44} {std_bytes:>10} {our_bytes:>10}");
    }
    println!(
        "{:<44} {:>10} {:>10}",
        "weak-valued map, per entry (weak-table 0.4)", theirs, ours
    );

    let mut json: Vec<Row> = rows
        .iter()
        .map(|(name, s, o)| Row {
            name: (*name).into(),
            fields: vec![("base", *s as f64), ("ours", *o as f64)],
        })
        .collect();
    json.push(Row {
        name: "weak-valued map, per entry".into(),
        fields: vec![("base", theirs as f64), ("ours", ours as f64)],
    });
    common::write_json_if_asked(&json);
}
