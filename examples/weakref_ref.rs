//! Port of PyMOTW's `weakref_ref.py`: a weak reference, before and after its
//! referent is deleted.
//!
//! ```text
//! $ cargo run --example weakref_ref
//! obj: <__main__.ExpensiveObject object at 0x…>
//! ref: <weakref at 0x…; to 'ExpensiveObject' at 0x…>
//! r(): <__main__.ExpensiveObject object at 0x…>
//! deleting obj
//! (Deleting <__main__.ExpensiveObject object at 0x…>)
//! r(): None
//! ```

use std::fmt;

use weakrefs::rc::{Rc, Weak};

struct ExpensiveObject;

impl fmt::Display for ExpensiveObject {
    // Python's default repr for an instance of a class defined in `__main__`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<__main__.ExpensiveObject object at {:p}>", self)
    }
}

impl Drop for ExpensiveObject {
    // Python's `__del__`.
    fn drop(&mut self) {
        println!("(Deleting {})", self);
    }
}

/// Python's `r()`, printed: the referent, or `None`.
fn call(r: &Weak<ExpensiveObject>) -> String {
    match r.upgrade() {
        Some(obj) => obj.to_string(),
        None => "None".to_owned(),
    }
}

fn main() {
    let obj = Rc::new(ExpensiveObject);
    let r = Rc::downgrade(&obj);

    println!("obj: {}", obj);
    println!("ref: {:?}", r);
    println!("r(): {}", call(&r));

    println!("deleting obj");
    drop(obj);
    println!("r(): {}", call(&r));
}
