//! The hot path, side by side with std in one run: `clone`+`drop`, `downgrade`+`drop`,
//! `upgrade`+`drop` (live and dead), and `new`+`drop`, for `weakref::rc` against
//! `std::rc`. Run with `cargo bench --bench hot_path`.
//!
//! Method: each operation is timed in batches of `BATCH` iterations; batches of std
//! and ours alternate (std, ours, std, ours, …) so that drift on a shared machine
//! hits both alike; the figure is the median batch, in ns per iteration, and the
//! ratio is ours / std. Timings are not asserted anywhere: this measures, the tests
//! check behaviour.

use std::hint::black_box;
use std::time::Instant;

const BATCH: u64 = 1 << 16;
const ROUNDS: usize = 41;

fn time_batch(mut op: impl FnMut()) -> f64 {
    let start = Instant::now();
    for _ in 0..BATCH {
        op();
    }
    start.elapsed().as_nanos() as f64 / BATCH as f64
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Runs `std_op` and `our_op` in alternating batches; returns (std ns, ours ns).
fn compare(mut std_op: impl FnMut(), mut our_op: impl FnMut()) -> (f64, f64) {
    // Warm up both.
    time_batch(&mut std_op);
    time_batch(&mut our_op);
    let (mut s, mut o) = (Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        // Alternate which goes first, too.
        if round % 2 == 0 {
            s.push(time_batch(&mut std_op));
            o.push(time_batch(&mut our_op));
        } else {
            o.push(time_batch(&mut our_op));
            s.push(time_batch(&mut std_op));
        }
    }
    (median(s), median(o))
}

macro_rules! both {
    (|$rc:ident| $setup:block, |$s:ident| $op:block) => {{
        let std_state = {
            #[allow(unused_imports)]
            use std::rc as $rc;
            $setup
        };
        let our_state = {
            #[allow(unused_imports)]
            use weakref::rc as $rc;
            $setup
        };
        compare(
            || {
                #[allow(unused_imports)]
                use std::rc as $rc;
                let $s = &std_state;
                $op
            },
            || {
                #[allow(unused_imports)]
                use weakref::rc as $rc;
                let $s = &our_state;
                $op
            },
        )
    }};
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing: run a
    // single quick round then, so the harness is checked without taking long.
    let rows: Vec<(&str, (f64, f64))> = vec![
        (
            "Rc clone + drop",
            both!(|rc| { rc::Rc::new(5u64) }, |s| {
                let _ = black_box(rc::Rc::clone(black_box(s)));
            }),
        ),
        (
            "Rc::downgrade + Weak drop",
            both!(|rc| { rc::Rc::new(5u64) }, |s| {
                let _ = black_box(rc::Rc::downgrade(black_box(s)));
            }),
        ),
        (
            "Weak::upgrade + drop (live)",
            both!(
                |rc| {
                    let strong = rc::Rc::new(5u64);
                    let weak = rc::Rc::downgrade(&strong);
                    (strong, weak)
                },
                |s| {
                    let _ = black_box(black_box(&s.1).upgrade());
                }
            ),
        ),
        (
            "Weak::upgrade (dead)",
            both!(|rc| { rc::Rc::downgrade(&rc::Rc::new(5u64)) }, |s| {
                let _ = black_box(black_box(s).upgrade());
            }),
        ),
        (
            "Weak clone + drop",
            both!(
                |rc| {
                    let strong = rc::Rc::new(5u64);
                    let weak = rc::Rc::downgrade(&strong);
                    (strong, weak)
                },
                |s| {
                    let _ = black_box(black_box(&s.1).clone());
                }
            ),
        ),
        (
            "Rc::new + drop",
            both!(|rc| {}, |_s| {
                let _ = black_box(rc::Rc::new(black_box(5u64)));
            }),
        ),
    ];
    println!(
        "{:<30} {:>10} {:>10} {:>8}",
        "operation", "std ns", "ours ns", "ratio"
    );
    for (name, (std_ns, our_ns)) in rows {
        println!(
            "{name:<30} {std_ns:>10.2} {our_ns:>10.2} {:>8.3}",
            our_ns / std_ns
        );
    }
}
