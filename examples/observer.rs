//! An observer list whose dead listeners drop out by themselves.
//!
//! A `Signal` keeps its listeners as `WeakMethod`s: it does not keep them alive, and
//! when one dies, its `WeakMethod`'s callback removes it from the signal at once, so
//! the list never holds dead entries and `emit` never meets one.
//!
//! ```text
//! $ cargo run --example observer
//! listeners: 2
//! [logger] saw "started"
//! [counter] 1 event(s)
//! dropping the logger
//! listeners: 1
//! [counter] 2 event(s)
//! ```

use std::cell::{Cell, RefCell};
use std::rc::Rc as StdRc;

use weakrefs::rc::{Rc, WeakMethod};

/// A listener as the signal stores it: a call that reports whether it still had a
/// receiver.
type Slot = Box<dyn Fn(&str) -> Option<()>>;

#[derive(Default)]
struct Signal {
    next_id: Cell<u64>,
    slots: RefCell<Vec<(u64, Slot)>>,
}

impl Signal {
    /// Connects `method` of `receiver`; the signal holds the receiver weakly.
    fn connect<T: 'static>(self: &StdRc<Self>, receiver: &Rc<T>, method: fn(&T, &str)) {
        let id = self.next_id.get();
        self.next_id.set(id + 1);
        let signal = StdRc::downgrade(self);
        let listener = WeakMethod::new(receiver, move |t: &T, event: String| method(t, &event))
            .with_callback(move |_dead| {
                // The receiver died: drop out, now.
                if let Some(signal) = signal.upgrade() {
                    signal.slots.borrow_mut().retain(|(slot, _)| *slot != id);
                }
            });
        self.slots.borrow_mut().push((
            id,
            Box::new(move |event: &str| listener.call(event.to_owned())),
        ));
    }

    fn emit(&self, event: &str) {
        for (_, slot) in self.slots.borrow().iter() {
            slot(event).expect("a dead listener would have removed itself");
        }
    }

    fn len(&self) -> usize {
        self.slots.borrow().len()
    }
}

struct Logger;

impl Logger {
    fn on_event(&self, event: &str) {
        println!("[logger] saw {event:?}");
    }
}

struct Counter(Cell<u32>);

impl Counter {
    fn on_event(&self, _event: &str) {
        self.0.set(self.0.get() + 1);
        println!("[counter] {} event(s)", self.0.get());
    }
}

fn main() {
    let signal = StdRc::new(Signal::default());
    let logger = Rc::new(Logger);
    let counter = Rc::new(Counter(Cell::new(0)));
    signal.connect(&logger, Logger::on_event);
    signal.connect(&counter, Counter::on_event);

    println!("listeners: {}", signal.len());
    signal.emit("started");

    println!("dropping the logger");
    drop(logger);
    println!("listeners: {}", signal.len());
    signal.emit("stopped");
}
