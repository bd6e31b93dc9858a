//! [`CloneToRc`]: the values that `make_mut` can clone, sized or not.

use crate::{rc, sync};

/// A value that [`rc::Rc::make_mut`] and [`sync::Arc::make_mut`] can clone into a new
/// object: every sized `T: Clone`, slices of `T: Clone`, and `str` (std's unstable
/// `CloneToUninit` plays this part for `std::rc::Rc::make_mut`).
///
/// You do not normally name it: `Rc::make_mut(&mut rc)` works for the same types as
/// std's.
///
/// ```
/// use weakrefs::{rc::Rc, CloneToRc};
///
/// let text: Rc<str> = CloneToRc::clone_to_rc("copied");
/// assert_eq!(&*text, "copied");
/// ```
///
/// The trait is sealed: `make_mut` hands out `&mut T` on the promise that the clone
/// is a new object that nothing else refers to, which only these implementations are
/// trusted to keep.
///
/// ```compile_fail
/// use weakrefs::{rc::Rc, sync::Arc, CloneToRc};
///
/// trait Shape {}
/// impl CloneToRc for dyn Shape { // error: the trait is sealed
///     fn clone_to_rc(&self) -> Rc<dyn Shape> { unimplemented!() }
///     fn clone_to_arc(&self) -> Arc<dyn Shape> { unimplemented!() }
/// }
/// ```
pub trait CloneToRc: sealed::Sealed {
    /// A new `rc::Rc` holding a clone of `self`.
    ///
    /// ```
    /// use weakrefs::CloneToRc;
    /// let slice = [1, 2].clone_to_rc();
    /// assert_eq!(*slice, [1, 2]);
    /// ```
    fn clone_to_rc(&self) -> rc::Rc<Self>;

    /// A new `sync::Arc` holding a clone of `self`.
    ///
    /// ```
    /// use weakrefs::CloneToRc;
    /// let slice = [1, 2][..].clone_to_arc();
    /// assert_eq!(&*slice, [1, 2]);
    /// ```
    fn clone_to_arc(&self) -> sync::Arc<Self>;
}

mod sealed {
    /// Implemented for exactly the types that implement `CloneToRc`.
    pub trait Sealed {}

    impl<T: Clone> Sealed for T {}
    impl<T: Clone> Sealed for [T] {}
    impl Sealed for str {}
}

impl<T: Clone> CloneToRc for T {
    fn clone_to_rc(&self) -> rc::Rc<T> {
        rc::Rc::new(self.clone())
    }

    fn clone_to_arc(&self) -> sync::Arc<T> {
        sync::Arc::new(self.clone())
    }
}

impl<T: Clone> CloneToRc for [T] {
    fn clone_to_rc(&self) -> rc::Rc<[T]> {
        rc::Rc::from(self)
    }

    fn clone_to_arc(&self) -> sync::Arc<[T]> {
        sync::Arc::from(self)
    }
}

impl CloneToRc for str {
    fn clone_to_rc(&self) -> rc::Rc<str> {
        rc::Rc::from(self)
    }

    fn clone_to_arc(&self) -> sync::Arc<str> {
        sync::Arc::from(self)
    }
}
