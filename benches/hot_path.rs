//! The hot path, side by side with std in one run, for both flavours: `clone`+`drop`,
//! `downgrade`+`drop`, `upgrade`+`drop` (live and dead), `Weak` `clone`+`drop` and
//! `new`+`drop`, and dropping a 100,000-node chain, `weakrefs::rc` against `std::rc` and
//! `weakrefs::sync` against `std::sync`; and contended `upgrade` and `clone` from two
//! threads on one object.
//! Run with `cargo bench --bench hot_path`.
//!
//! Method: each operation is timed in batches of `BATCH` iterations; batches of std
//! and ours alternate in pairs (std then ours, ours then std, …) so that drift on a
//! shared machine hits both alike. The ns columns are the median batch, in ns per
//! iteration; the ratio is the median over the pairs of ours / std, which cancels
//! drift between pairs. Contended figures (two threads on one object) are noisier on
//! a 2-core machine: they get more rounds and bigger batches. Timings are not
//! asserted anywhere: this measures, the tests check behaviour.

mod common;

use std::hint::black_box;
use std::sync::Barrier;
use std::time::{Duration, Instant};

const BATCH: u64 = 1 << 16;
const ROUNDS: usize = 61;
const CONTENDED_BATCH: u64 = 1 << 18;
const CONTENDED_ROUNDS: usize = 31;

/// The two implementations, under common names.
mod std_rc {
    pub use std::rc::Rc;
}
mod our_rc {
    pub use weakrefs::rc::Rc;
}
mod std_sync {
    pub use std::sync::Arc as Rc;
}
mod our_sync {
    pub use weakrefs::sync::Arc as Rc;
}

use common::{Figures, Row};

/// Alternating batches of `std_op` and `our_op`.
fn compare(std_op: impl FnMut(), our_op: impl FnMut()) -> Figures {
    common::compare(BATCH, ROUNDS, std_op, our_op)
}

/// Runs `op` on two threads at once, `BATCH` times each; ns per operation per thread.
fn time_contended<S: Sync>(state: &S, op: impl Fn(&S) + Sync) -> f64 {
    let barrier = Barrier::new(2);
    let elapsed = std::thread::scope(|scope| {
        let worker = || {
            barrier.wait();
            let start = Instant::now();
            for _ in 0..CONTENDED_BATCH {
                op(state);
            }
            start.elapsed()
        };
        let a = scope.spawn(worker);
        let b = scope.spawn(worker);
        a.join().unwrap().max(b.join().unwrap())
    });
    elapsed.as_nanos() as f64 / CONTENDED_BATCH as f64
}

fn compare_contended<S1: Sync, S2: Sync>(
    std_state: &S1,
    std_op: impl Fn(&S1) + Sync,
    our_state: &S2,
    our_op: impl Fn(&S2) + Sync,
) -> Figures {
    let (mut s, mut o) = (Vec::new(), Vec::new());
    for round in 0..CONTENDED_ROUNDS {
        if round % 2 == 0 {
            s.push(time_contended(std_state, &std_op));
            o.push(time_contended(our_state, &our_op));
        } else {
            o.push(time_contended(our_state, &our_op));
            s.push(time_contended(std_state, &std_op));
        }
    }
    common::figures(s, o)
}

/// A value with a `Drop` of its own, whose death may run user code (so ours goes
/// through the deep-drop counter: see `raw/trashcan.rs`).
struct Droppy(u64);

impl Drop for Droppy {
    fn drop(&mut self) {
        black_box(self.0);
    }
}

/// Builds the same state and operation for std and ours from one text.
macro_rules! both {
    ($std:ident, $ours:ident, |$m:ident| $setup:block, |$s:ident| $op:block) => {{
        let std_state = {
            #[allow(unused_imports)]
            use $std as $m;
            $setup
        };
        let our_state = {
            #[allow(unused_imports)]
            use $ours as $m;
            $setup
        };
        compare(
            || {
                #[allow(unused_imports)]
                use $std as $m;
                let $s = &std_state;
                $op
            },
            || {
                #[allow(unused_imports)]
                use $ours as $m;
                let $s = &our_state;
                $op
            },
        )
    }};
}

/// The single-threaded operations, for one pair of modules.
macro_rules! hot_path {
    ($std:ident, $ours:ident) => {
        vec![
            (
                "clone + drop",
                both!($std, $ours, |m| { m::Rc::new(5u64) }, |s| {
                    let _ = black_box(m::Rc::clone(black_box(s)));
                }),
            ),
            (
                "downgrade + Weak drop",
                both!($std, $ours, |m| { m::Rc::new(5u64) }, |s| {
                    let _ = black_box(m::Rc::downgrade(black_box(s)));
                }),
            ),
            (
                "upgrade + drop (live)",
                both!(
                    $std,
                    $ours,
                    |m| {
                        let strong = m::Rc::new(5u64);
                        let weak = m::Rc::downgrade(&strong);
                        (strong, weak)
                    },
                    |s| {
                        let _ = black_box(black_box(&s.1).upgrade());
                    }
                ),
            ),
            (
                "upgrade (dead)",
                both!(
                    $std,
                    $ours,
                    |m| { m::Rc::downgrade(&m::Rc::new(5u64)) },
                    |s| {
                        let _ = black_box(black_box(s).upgrade());
                    }
                ),
            ),
            (
                "Weak clone + drop",
                both!(
                    $std,
                    $ours,
                    |m| {
                        let strong = m::Rc::new(5u64);
                        let weak = m::Rc::downgrade(&strong);
                        (strong, weak)
                    },
                    |s| {
                        let _ = black_box(black_box(&s.1).clone());
                    }
                ),
            ),
            (
                "new + drop",
                both!($std, $ours, |m| {}, |_s| {
                    let _ = black_box(m::Rc::new(black_box(5u64)));
                }),
            ),
            (
                "new + drop (T: Drop)",
                both!($std, $ours, |m| {}, |_s| {
                    let _ = black_box(m::Rc::new(Droppy(black_box(5u64))));
                }),
            ),
        ]
    };
}

/// Nodes in the chain of the deep-drop rows: as deep as std's `Rc` can drop on the main
/// thread's 8 MiB stack in release (it overflows past about 250,000).
const CHAIN: usize = 100_000;
const CHAIN_ROUNDS: usize = 21;

/// Dropping a `CHAIN`-node linked list from its head, std against ours, in alternating
/// pairs: ns per node. Ours defers every `NESTING_LIMIT`-th death (issue #14), std
/// recurses all the way.
macro_rules! chain_drop {
    ($std:ident, $ours:ident) => {{
        fn time_std() -> f64 {
            #[allow(dead_code)]
            struct Node(Option<$std::Rc<Node>>);
            let mut head = $std::Rc::new(Node(None));
            for _ in 1..CHAIN {
                head = $std::Rc::new(Node(Some(head)));
            }
            let start = Instant::now();
            drop(black_box(head));
            start.elapsed().as_nanos() as f64 / CHAIN as f64
        }
        fn time_ours() -> f64 {
            #[allow(dead_code)]
            struct Node(Option<$ours::Rc<Node>>);
            let mut head = $ours::Rc::new(Node(None));
            for _ in 1..CHAIN {
                head = $ours::Rc::new(Node(Some(head)));
            }
            let start = Instant::now();
            drop(black_box(head));
            start.elapsed().as_nanos() as f64 / CHAIN as f64
        }
        let (mut s, mut o) = (Vec::new(), Vec::new());
        for round in 0..CHAIN_ROUNDS {
            if round % 2 == 0 {
                s.push(time_std());
                o.push(time_ours());
            } else {
                o.push(time_ours());
                s.push(time_std());
            }
        }
        ("drop a 100,000-node chain", common::figures(s, o))
    }};
}

fn print_table(title: &str, rows: &[(&str, Figures)]) {
    println!("\n{title}");
    println!(
        "{:<32} {:>10} {:>10} {:>8}",
        "operation", "std ns", "ours ns", "ratio"
    );
    for (name, (std_ns, our_ns, ratio)) in rows {
        println!("{name:<32} {std_ns:>10.2} {our_ns:>10.2} {ratio:>8.3}");
    }
}

fn main() {
    let started = Instant::now();
    let mut rc_rows = hot_path!(std_rc, our_rc);
    rc_rows.push(chain_drop!(std_rc, our_rc));
    print_table("rc: weakrefs::rc vs std::rc", &rc_rows);
    let mut sync_rows = hot_path!(std_sync, our_sync);
    sync_rows.push(chain_drop!(std_sync, our_sync));
    print_table("sync: weakrefs::sync vs std::sync (one thread)", &sync_rows);

    let std_arc = std::sync::Arc::new(5u64);
    let std_weak = std::sync::Arc::downgrade(&std_arc);
    let our_arc = weakrefs::sync::Arc::new(5u64);
    let our_weak = weakrefs::sync::Arc::downgrade(&our_arc);
    let contended = vec![
        (
            "upgrade + drop, 2 threads",
            compare_contended(
                &std_weak,
                |w| drop(black_box(w.upgrade())),
                &our_weak,
                |w| drop(black_box(w.upgrade())),
            ),
        ),
        (
            "clone + drop, 2 threads",
            compare_contended(
                &std_arc,
                |a| drop(black_box(a.clone())),
                &our_arc,
                |a| drop(black_box(a.clone())),
            ),
        ),
    ];
    print_table("sync, contended: one object, two threads", &contended);
    let mut json = Vec::new();
    for (prefix, rows) in [
        ("rc", &rc_rows),
        ("sync", &sync_rows),
        ("sync contended", &contended),
    ] {
        json.extend(
            rows.iter()
                .map(|(name, f)| Row::pair(format!("{prefix}: {name}"), *f)),
        );
    }
    common::write_json_if_asked(&json);
    println!(
        "\n(total {:.1?})",
        Duration::from_secs_f64(started.elapsed().as_secs_f64())
    );
}
