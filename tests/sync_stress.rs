//! Stress: threads churn shared objects, weak references with callbacks and
//! finalizers for a bounded number of operations; then every callback and every
//! finalizer must have run exactly the expected number of times, and every byte
//! allocated must have been freed (a counting global allocator checks it). This binary
//! holds this one test, so no other test's allocations interfere.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc as Shared, Barrier, Mutex};
use std::thread;

use weakrefs::sync::{finalize, Arc, Weak};

struct Counting;

static LIVE_BYTES: AtomicIsize = AtomicIsize::new(0);

// SAFETY: forwards every call to `System`, only counting sizes on the way.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE_BYTES.fetch_add(layout.size() as isize, SeqCst);
        // SAFETY: forwarded.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE_BYTES.fetch_sub(layout.size() as isize, SeqCst);
        // SAFETY: forwarded.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const THREADS: usize = 4;
const OPS: usize = if cfg!(miri) { 40 } else { 20_000 };
const SLOTS: usize = 8;

/// What the run counted.
#[derive(Default)]
struct Counts {
    callbacks_registered: AtomicUsize,
    callbacks_ran: AtomicUsize,
    finalizers_registered: AtomicUsize,
    finalizers_detached: AtomicUsize,
    finalizers_ran: AtomicUsize,
    values_dropped: AtomicUsize,
    values_made: AtomicUsize,
}

struct Payload {
    _bytes: Vec<u8>,
    counts: Shared<Counts>,
}

impl Drop for Payload {
    fn drop(&mut self) {
        self.counts.values_dropped.fetch_add(1, SeqCst);
    }
}

/// A small deterministic generator per thread.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % below
    }
}

fn churn(
    seed: u64,
    slots: &[Mutex<Option<Arc<Payload>>>],
    counts: &Shared<Counts>,
) -> Vec<Weak<Payload>> {
    let mut rng = Lcg(seed);
    // Returned and kept until every object is gone, so that every callback registered
    // runs (none is cancelled by its weak reference going first).
    let mut weaks: Vec<Weak<Payload>> = Vec::new();
    for _ in 0..OPS {
        let slot = &slots[rng.next(SLOTS)];
        match rng.next(6) {
            0 => {
                counts.values_made.fetch_add(1, SeqCst);
                let fresh = Arc::new(Payload {
                    _bytes: vec![0; rng.next(64)],
                    counts: counts.clone(),
                });
                // The old value, if any, may die here, on this thread.
                let old = slot.lock().unwrap().replace(fresh);
                drop(old);
            }
            1 => {
                let obj = slot.lock().unwrap().clone();
                if let Some(obj) = obj {
                    counts.callbacks_registered.fetch_add(1, SeqCst);
                    let c = counts.clone();
                    weaks.push(Arc::downgrade_with(&obj, move |dead| {
                        assert!(dead.upgrade().is_none());
                        c.callbacks_ran.fetch_add(1, SeqCst);
                    }));
                }
            }
            2 => {
                let obj = slot.lock().unwrap().clone();
                if let Some(obj) = obj {
                    counts.finalizers_registered.fetch_add(1, SeqCst);
                    let f = finalize(
                        &obj,
                        |c: Shared<Counts>| c.finalizers_ran.fetch_add(1, SeqCst),
                        counts.clone(),
                    );
                    if rng.next(4) == 0 && f.detach().is_some() {
                        counts.finalizers_detached.fetch_add(1, SeqCst);
                    }
                }
            }
            3 => {
                if let Some(w) = weaks.get(rng.next(weaks.len().max(1))) {
                    drop(w.upgrade());
                }
            }
            4 => {
                let taken = slot.lock().unwrap().take();
                drop(taken);
            }
            _ => {
                let obj = slot.lock().unwrap().clone();
                drop(obj.map(|o| Arc::downgrade(&o)));
            }
        }
    }
    weaks
}

/// One run; returns the counts and the bytes still held after it, measured between
/// barriers so that the window contains this run's work only (thread spawning and
/// joining, whose runtime bookkeeping is not ours, happen outside it).
fn run() -> (Shared<Counts>, isize) {
    let counts = Shared::new(Counts::default());
    let slots: Shared<Vec<Mutex<Option<Arc<Payload>>>>> =
        Shared::new((0..SLOTS).map(|_| Mutex::new(None)).collect());
    // Phases, each a barrier of all the threads: ready (spawned and started), start,
    // done (each thread keeps its weak references), cleared (the objects are gone),
    // dropped (the weak references too), measured. The threads are parked at
    // barriers when the window opens and when it closes.
    let phases: Shared<[Barrier; 6]> =
        Shared::new(std::array::from_fn(|_| Barrier::new(THREADS + 1)));
    let threads: Vec<_> = (0..THREADS)
        .map(|t| {
            let (slots, counts, phases) = (slots.clone(), counts.clone(), phases.clone());
            thread::spawn(move || {
                phases[0].wait();
                phases[1].wait();
                let weaks = churn(t as u64 + 1, &slots, &counts);
                phases[2].wait();
                phases[3].wait();
                assert!(weaks
                    .iter()
                    .all(|w| w.upgrade().is_none() && !w.has_callback()));
                drop(weaks);
                phases[4].wait();
                phases[5].wait();
            })
        })
        .collect();
    phases[0].wait();
    let before = LIVE_BYTES.load(SeqCst);
    phases[1].wait();
    phases[2].wait();
    for slot in slots.iter() {
        drop(slot.lock().unwrap().take());
    }
    phases[3].wait();
    phases[4].wait();
    let held = LIVE_BYTES.load(SeqCst) - before;
    phases[5].wait();
    for t in threads {
        t.join().unwrap();
    }
    (counts, held)
}

#[test]
fn churn_from_many_threads_counts_exactly_and_frees_everything() {
    for round in 0..3 {
        let (counts, held) = run();
        let c = &*counts;
        assert_eq!(
            c.values_dropped.load(SeqCst),
            c.values_made.load(SeqCst),
            "every value dropped once"
        );
        assert_eq!(
            c.callbacks_ran.load(SeqCst),
            c.callbacks_registered.load(SeqCst),
            "every callback ran once"
        );
        assert_eq!(
            c.finalizers_ran.load(SeqCst),
            c.finalizers_registered.load(SeqCst) - c.finalizers_detached.load(SeqCst),
            "every finalizer not detached ran once"
        );
        assert_eq!(held, 0, "bytes still held after round {round}");
        eprintln!(
            "round {round}: {THREADS} threads x {OPS} ops: {} values, {} callbacks, {} finalizers ({} detached), {held} bytes held",
            c.values_made.load(SeqCst),
            c.callbacks_ran.load(SeqCst),
            c.finalizers_registered.load(SeqCst),
            c.finalizers_detached.load(SeqCst),
        );
    }
}
