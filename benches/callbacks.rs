//! Callbacks and finalizers, in one run: a weak reference with a callback created and
//! fired, against the hand-rolled std way (a `Vec<Box<dyn FnOnce()>>` that `T`'s
//! `Drop` runs); `finalize` registered and fired, and registered and detached; and
//! dropping an object with 1, 8 and 64 callbacks. Both flavours. Run with
//! `cargo bench --bench callbacks`; with `--json FILE` it also writes the figures for
//! `scripts/benchmarks.py`.
//!
//! Method: as `hot_path.rs` (alternating batches, medians, median of paired ratios).
//! Every operation includes making and dropping its object, on both sides, and every
//! callback captures a `u64` of state (as real callbacks capture something), which
//! the hand-rolled side boxes and ours stores in the registration.

mod common;

use std::hint::black_box;
use std::sync::Mutex;

use common::{Figures, Row};

const BATCH: u64 = 1 << 14;
const ROUNDS: usize = 31;

fn compare(base: impl FnMut(), ours: impl FnMut()) -> Figures {
    common::compare(BATCH, ROUNDS, base, ours)
}

fn alone(op: impl FnMut()) -> f64 {
    common::alone(BATCH, ROUNDS, op)
}

/// The hand-rolled single-threaded way: callbacks the value's `Drop` runs.
struct HandRolled {
    callbacks: Vec<Box<dyn FnOnce()>>,
}

impl Drop for HandRolled {
    fn drop(&mut self) {
        for callback in self.callbacks.drain(..).rev() {
            callback();
        }
    }
}

/// The same for threads: the callbacks behind a mutex, `Send`.
struct HandRolledSync {
    callbacks: Mutex<Vec<Box<dyn FnOnce() + Send>>>,
}

impl Drop for HandRolledSync {
    fn drop(&mut self) {
        let callbacks = std::mem::take(self.callbacks.get_mut().unwrap());
        for callback in callbacks.into_iter().rev() {
            callback();
        }
    }
}

fn with_callbacks_rc<const N: usize>() -> Figures {
    compare(
        || {
            let state = black_box(7u64);
            let mut obj = std::rc::Rc::new(HandRolled {
                callbacks: Vec::with_capacity(N),
            });
            // The std way has no `&Rc` registration: the value must be mutable.
            let callbacks = &mut std::rc::Rc::get_mut(&mut obj).unwrap().callbacks;
            for _ in 0..N {
                callbacks.push(Box::new(move || {
                    black_box(state);
                }));
            }
            drop(obj);
        },
        || {
            let state = black_box(7u64);
            let obj = weakrefs::rc::Rc::new(0u64);
            let weaks: [_; N] = std::array::from_fn(|_| {
                weakrefs::rc::Rc::downgrade_with(&obj, move |dead| {
                    black_box((dead, state));
                })
            });
            drop(obj);
            drop(black_box(weaks));
        },
    )
}

fn main() {
    let mut rows: Vec<(String, Figures)> = Vec::new();
    rows.push((
        "rc: weak ref with callback, created and fired".into(),
        compare(
            || {
                let state = black_box(7u64);
                let obj = std::rc::Rc::new(HandRolled {
                    callbacks: vec![Box::new(move || {
                        black_box(state);
                    })],
                });
                drop(obj);
            },
            || {
                let state = black_box(7u64);
                let obj = weakrefs::rc::Rc::new(0u64);
                let weak = weakrefs::rc::Rc::downgrade_with(&obj, move |dead| {
                    black_box((dead, state));
                });
                drop(obj);
                drop(weak);
            },
        ),
    ));
    rows.push((
        "sync: weak ref with callback, created and fired".into(),
        compare(
            || {
                let state = black_box(7u64);
                let obj = std::sync::Arc::new(HandRolledSync {
                    callbacks: Mutex::new(Vec::new()),
                });
                obj.callbacks.lock().unwrap().push(Box::new(move || {
                    black_box(state);
                }));
                drop(obj);
            },
            || {
                let state = black_box(7u64);
                let obj = weakrefs::sync::Arc::new(0u64);
                let weak = weakrefs::sync::Arc::downgrade_with(&obj, move |dead| {
                    black_box((dead, state));
                });
                drop(obj);
                drop(weak);
            },
        ),
    ));
    rows.push((
        "rc: drop an object with 1 callback".into(),
        with_callbacks_rc::<1>(),
    ));
    rows.push((
        "rc: drop an object with 8 callbacks".into(),
        with_callbacks_rc::<8>(),
    ));
    rows.push((
        "rc: drop an object with 64 callbacks".into(),
        with_callbacks_rc::<64>(),
    ));

    let alone_rows: Vec<(&str, f64)> = vec![
        (
            "rc: new + drop (for reference)",
            alone(|| drop(black_box(weakrefs::rc::Rc::new(0u64)))),
        ),
        (
            "rc: finalize registered and fired",
            alone(|| {
                let obj = weakrefs::rc::Rc::new(0u64);
                weakrefs::rc::finalize(
                    &obj,
                    |x: u64| {
                        black_box(x);
                    },
                    1,
                );
                drop(obj);
            }),
        ),
        (
            "rc: finalize registered and detached",
            alone(|| {
                let obj = weakrefs::rc::Rc::new(0u64);
                let f = weakrefs::rc::finalize(
                    &obj,
                    |x: u64| {
                        black_box(x);
                    },
                    1,
                );
                drop(black_box(f.detach()));
                drop(obj);
            }),
        ),
        (
            "sync: new + drop (for reference)",
            alone(|| drop(black_box(weakrefs::sync::Arc::new(0u64)))),
        ),
        (
            "sync: finalize registered and fired",
            alone(|| {
                let obj = weakrefs::sync::Arc::new(0u64);
                weakrefs::sync::finalize(
                    &obj,
                    |x: u64| {
                        black_box(x);
                    },
                    1,
                );
                drop(obj);
            }),
        ),
        (
            "sync: finalize registered and detached",
            alone(|| {
                let obj = weakrefs::sync::Arc::new(0u64);
                let f = weakrefs::sync::finalize(
                    &obj,
                    |x: u64| {
                        black_box(x);
                    },
                    1,
                );
                drop(black_box(f.detach()));
                drop(obj);
            }),
        ),
    ];

    println!(
        "{:<48} {:>12} {:>10} {:>8}",
        "operation (incl. new + drop)", "std by hand", "ours ns", "ratio"
    );
    for (name, (base, ours, ratio)) in &rows {
        println!("{name:<48} {base:>12.1} {ours:>10.1} {ratio:>8.3}");
    }
    println!();
    println!("{:<48} {:>10}", "operation (incl. new + drop)", "ours ns");
    for (name, ours) in &alone_rows {
        println!("{name:<48} {ours:>10.1}");
    }

    let mut json: Vec<Row> = rows
        .iter()
        .map(|(name, f)| Row::pair(name.clone(), *f))
        .collect();
    json.extend(
        alone_rows
            .iter()
            .map(|(name, ns)| Row::single(*name, "ours_ns", *ns)),
    );
    common::write_json_if_asked(&json);
}
