//! Port of PyMOTW's `weakref_finalize.py`: a finalizer that outlives its handle and
//! runs when the object is deleted.
//!
//! ```text
//! $ cargo run --example weakref_finalize
//! (Deleting <__main__.ExpensiveObject object at 0x…>)
//! on_finalize(('extra argument',))
//! ```

use std::fmt;

use weakrefs::rc::{finalize, Rc};

struct ExpensiveObject;

impl fmt::Display for ExpensiveObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<__main__.ExpensiveObject object at {:p}>", self)
    }
}

impl Drop for ExpensiveObject {
    fn drop(&mut self) {
        println!("(Deleting {})", self);
    }
}

/// Python's `on_finalize(*args)`, printing `args` as Python's `repr` of a tuple.
fn on_finalize(args: (&str,)) {
    println!("on_finalize(('{}',))", args.0);
}

fn main() {
    let obj = Rc::new(ExpensiveObject);
    // The handle is not kept: the registration keeps itself alive.
    finalize(&obj, on_finalize, ("extra argument",));

    drop(obj);
}
