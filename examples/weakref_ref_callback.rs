//! Port of PyMOTW's `weakref_ref_callback.py`: a weak reference whose callback runs
//! when the referent is deleted, and receives the (now dead) reference.
//!
//! ```text
//! $ cargo run --example weakref_ref_callback
//! obj: <__main__.ExpensiveObject object at 0x…>
//! ref: <weakref at 0x…; to 'ExpensiveObject' at 0x…>
//! r(): <__main__.ExpensiveObject object at 0x…>
//! deleting obj
//! (Deleting <__main__.ExpensiveObject object at 0x…>)
//! callback(<weakref at 0x…; dead>)
//! r(): None
//! ```

use std::fmt;

use weakrefs::rc::{Rc, Weak};

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

/// Invoked when the referenced object is deleted.
fn callback(reference: &Weak<ExpensiveObject>) {
    println!("callback({:?})", reference);
}

fn call(r: &Weak<ExpensiveObject>) -> String {
    match r.upgrade() {
        Some(obj) => obj.to_string(),
        None => "None".to_owned(),
    }
}

fn main() {
    let obj = Rc::new(ExpensiveObject);
    let r = Rc::downgrade_with(&obj, callback);

    println!("obj: {}", obj);
    println!("ref: {:?}", r);
    println!("r(): {}", call(&r));

    println!("deleting obj");
    drop(obj);
    println!("r(): {}", call(&r));
}
