// Unsized values (issue #16): std's unsized `Rc`/`Arc` tests (library/alloctests),
// ported, and every weakref feature on `str`, `[T]` and `dyn Trait` objects. Included
// like `callbacks.rs`.

mod unsized_values {
    use super::*;
    use std::fmt::{Debug, Display};
    use weakrefs::coercion;

    trait Speak: Send + Sync {
        fn speak(&self) -> String;
    }

    struct Dog(&'static str, Log);

    impl Speak for Dog {
        fn speak(&self) -> String {
            format!("{} says woof", self.0)
        }
    }

    impl Drop for Dog {
        fn drop(&mut self) {
            self.1.push(format!("drop {}", self.0));
        }
    }

    // std: test_from_str, test_from_owned_str
    #[test]
    fn from_str_and_string() {
        let r: Rc<str> = Rc::from("foo");
        assert_eq!(&r[..], "foo");
        let s: Rc<str> = Rc::from(String::from("bar"));
        assert_eq!(&*s, "bar");
        let empty: Rc<str> = Rc::from("");
        assert_eq!(&*empty, "");
        assert_eq!(Rc::strong_count(&r), 1);
        assert_eq!(Rc::weak_count(&r), 0);
    }

    // std: test_from_box_str, test_from_box_slice, test_from_box_trait
    #[test]
    fn from_box_of_unsized_values() {
        let text: Rc<str> = Rc::from(Box::<str>::from("boxed"));
        assert_eq!(&*text, "boxed");
        let slice: Rc<[u32]> = Rc::from(vec![1, 2, 3].into_boxed_slice());
        assert_eq!(&*slice, [1, 2, 3]);
        let log = Log::new();
        let boxed: Box<dyn Speak> = Box::new(Dog("rex", log.clone()));
        let speaker: Rc<dyn Speak> = Rc::from(boxed);
        assert_eq!(speaker.speak(), "rex says woof");
        assert!(log.get().is_empty(), "the value moved, it was not dropped");
        drop(speaker);
        assert_eq!(log.take(), ["drop rex"]);
        let display: Rc<dyn Display> = Rc::from(Box::new(123) as Box<dyn Display>);
        assert_eq!(display.to_string(), "123");
        // A zero-sized value behind a vtable.
        let unit: Rc<dyn Debug> = Rc::from(Box::new(()) as Box<dyn Debug>);
        assert_eq!(format!("{unit:?}"), "()");
    }

    // std: test_from_vec, test_clone_from_slice, test_copy_from_slice
    #[test]
    fn from_vec_and_slices() {
        let v: Rc<[String]> = Rc::from(vec!["a".to_owned(), "b".to_owned()]);
        assert_eq!(&*v, ["a", "b"]);
        let cloned: Rc<[String]> = Rc::from(&v[..]);
        assert_eq!(&*cloned, ["a", "b"]);
        let copied: Rc<[u8]> = Rc::from(&[1u8, 2, 3][..]);
        assert_eq!(&*copied, [1, 2, 3]);
        let empty: Rc<[String]> = Rc::from(Vec::new());
        assert!(empty.is_empty());
        let zst: Rc<[()]> = Rc::from(vec![(); 5]);
        assert_eq!(zst.len(), 5);
        let from_array: Rc<[i32]> = Rc::from([4, 5]);
        assert_eq!(&*from_array, [4, 5]);
    }

    // std: test_clone_from_slice_panic
    #[test]
    fn a_clone_panicking_in_from_slice_drops_the_clones_made_so_far() {
        quiet_expected_panics();
        let log = Log::new();
        struct Fail(u32, Log);
        impl Clone for Fail {
            fn clone(&self) -> Fail {
                if self.0 == 2 {
                    panic!("{EXPECTED}: clone");
                }
                Fail(self.0, self.1.clone())
            }
        }
        impl Drop for Fail {
            fn drop(&mut self) {
                self.1.push(format!("drop {}", self.0));
            }
        }
        let source = vec![Fail(0, log.clone()), Fail(1, log.clone()), Fail(2, log.clone())];
        let result = catch_unwind(AssertUnwindSafe(|| Rc::<[Fail]>::from(&source[..])));
        assert!(result.is_err());
        assert_eq!(log.take(), ["drop 0", "drop 1"], "the two clones, once each");
        drop(source);
        assert_eq!(log.take(), ["drop 0", "drop 1", "drop 2"]);
    }

    // std: test_from_iter (shared_from_iter_normal and _trustedlen)
    #[test]
    fn from_iterator() {
        let squares: Rc<[u64]> = (0..5u64).map(|n| n * n).collect();
        assert_eq!(&*squares, [0, 1, 4, 9, 16]);
        let names: Rc<[String]> = ["x", "y"].iter().map(|s| s.to_string()).collect();
        assert_eq!(&*names, ["x", "y"]);
        let none: Rc<[u8]> = std::iter::empty().collect();
        assert!(none.is_empty());
    }

    // std: str_to_bytes (From<Rc<str>> for Rc<[u8]>)
    #[test]
    fn str_into_bytes_is_the_same_object() {
        let text: Rc<str> = Rc::from("abc");
        let weak = Rc::downgrade(&text);
        let bytes: Rc<[u8]> = text.into();
        assert_eq!(&*bytes, b"abc");
        assert_eq!(weak.upgrade().as_deref(), Some("abc"));
        assert_eq!(Rc::strong_count(&bytes), 1);
    }

    // std: into_from_raw_unsized
    #[test]
    fn into_raw_and_from_raw_unsized() {
        let text: Rc<str> = Rc::from("foo");
        let ptr = Rc::into_raw(text.clone());
        // SAFETY: a pointer from `into_raw` of this type, taken back once.
        let back = unsafe { Rc::from_raw(ptr) };
        assert_eq!(&*back, "foo");
        assert!(Rc::ptr_eq(&text, &back));

        let speaker: Rc<dyn Display> = Rc::unsize(Rc::new(123), coercion!(dyn Display));
        let ptr = Rc::into_raw(speaker.clone());
        // SAFETY: a pointer from `into_raw`, whose object is alive.
        unsafe { Rc::increment_strong_count(ptr) };
        assert_eq!(Rc::strong_count(&speaker), 3);
        // SAFETY: gives back the reference just taken.
        unsafe { Rc::decrement_strong_count(ptr) };
        // SAFETY: a pointer from `into_raw` of this type, taken back once.
        let back = unsafe { Rc::from_raw(ptr) };
        assert_eq!(back.to_string(), "123");
        assert_eq!(Rc::strong_count(&speaker), 2);

        // An over-aligned value behind a vtable: the offset comes from its alignment.
        #[repr(align(64))]
        #[derive(Debug)]
        struct Wide(#[allow(dead_code)] u8);
        let wide: Rc<dyn Debug> = Rc::unsize(Rc::new(Wide(9)), coercion!(dyn Debug));
        assert_eq!(Rc::as_ptr(&wide).cast::<u8>().addr() % 64, 0);
        // SAFETY: a pointer from `into_raw` of this type, taken back once.
        let back = unsafe { Rc::from_raw(Rc::into_raw(wide)) };
        assert_eq!(format!("{back:?}"), "Wide(9)");
    }

    // std: weak_from_raw_unsized, and the weak counts of unsized objects
    #[test]
    fn weak_into_raw_and_from_raw_unsized() {
        let text: Rc<str> = Rc::from("foo");
        let weak = Rc::downgrade(&text);
        let ptr = Weak::into_raw(weak.clone());
        // SAFETY: a pointer from `into_raw` of this type, taken back once.
        let back = unsafe { Weak::from_raw(ptr) };
        assert_eq!(back.upgrade().as_deref(), Some("foo"));
        assert!(back.ptr_eq(&weak));
        assert_eq!(Rc::weak_count(&text), 2);
        drop(text);
        // The value is dead, its allocation kept by the weak references: the raw
        // round trip still works.
        let ptr = Weak::into_raw(back);
        // SAFETY: a pointer from `into_raw` of this type, taken back once.
        let back = unsafe { Weak::from_raw(ptr) };
        assert!(back.upgrade().is_none());
        assert!(back.ptr_eq(&weak));

        let slice: Rc<[u16]> = Rc::from(vec![1, 2]);
        let weak = Rc::downgrade(&slice);
        assert_eq!(weak.strong_count(), 1);
        assert_eq!(weak.weak_count(), 1);
        assert!(std::ptr::addr_eq(weak.as_ptr(), Rc::as_ptr(&slice)));
    }

    // std: test_ptr_eq (of slices and trait objects: the address decides)
    #[test]
    fn ptr_eq_of_unsized() {
        let a: Rc<[i32]> = Rc::from(vec![1]);
        let b: Rc<[i32]> = Rc::from(vec![1]);
        assert!(Rc::ptr_eq(&a, &a.clone()));
        assert!(!Rc::ptr_eq(&a, &b));
        assert_eq!(a, b, "equal values");
        let empty_a: Rc<[u8]> = Rc::from(Vec::new());
        let empty_b = empty_a.clone();
        assert!(Rc::ptr_eq(&empty_a, &empty_b));
    }

    // std: the `dyn` Debug/Display tests, and Borrow<str> lookups
    #[test]
    fn traits_of_unsized_values() {
        let text: Rc<str> = Rc::from("key");
        assert_eq!(format!("{text}"), "key");
        assert_eq!(format!("{text:?}"), "\"key\"");
        let mut map = std::collections::HashMap::new();
        map.insert(text.clone(), 1);
        assert_eq!(map.get("key"), Some(&1));
        let mut set = std::collections::BTreeSet::new();
        set.insert(Rc::<str>::from("b"));
        set.insert(Rc::<str>::from("a"));
        assert_eq!(set.iter().map(|s| &**s).collect::<Vec<_>>(), ["a", "b"]);
        let debug: Rc<dyn Debug> = Rc::unsize(Rc::new(vec![1, 2]), coercion!(dyn Debug));
        assert_eq!(format!("{debug:?}"), "[1, 2]");
        assert_eq!(format!("{:p}", debug), format!("{:p}", Rc::as_ptr(&debug)));
    }

    // std: test_error (impl Error for Rc<T> / Arc<T>)
    #[test]
    fn an_error_behind_the_pointer_is_an_error() {
        #[derive(Debug)]
        struct Broken;
        impl Display for Broken {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("broken")
            }
        }
        impl std::error::Error for Broken {}
        let error: Box<dyn std::error::Error> = Box::new(Rc::new(Broken));
        assert_eq!(error.to_string(), "broken");
        assert!(error.source().is_none());
    }

    #[test]
    fn unsize_keeps_the_object_its_weak_references_and_callbacks() {
        let log = Log::new();
        let fired = Log::new();
        let dog = Rc::new(Dog("fido", log.clone()));
        let plain = Rc::downgrade(&dog);
        let on_death = fired.clone();
        let with_callback = Rc::downgrade_with(&dog, move |dead: &Weak<Dog>| {
            assert!(dead.upgrade().is_none());
            on_death.push("typed callback")
        });
        let speaker: Rc<dyn Speak> = Rc::unsize(dog, coercion!(dyn Speak));
        assert_eq!(speaker.speak(), "fido says woof");
        assert_eq!(plain.upgrade().map(|d| d.0), Some("fido"));
        assert_eq!(Rc::weakref_count(&speaker), 2);

        // Python's getweakrefs through the unsized handle: the plain reference, then
        // the one with the callback, each upgrading to the same object.
        let refs = Rc::weakrefs(&speaker);
        assert_eq!(refs.len(), 2);
        assert!(refs[1].has_callback());
        for weak in &refs {
            assert_eq!(weak.upgrade().unwrap().speak(), "fido says woof");
        }

        // A weak reference with a callback, unsized, keeps its identity and callback.
        let unsized_callback: Weak<dyn Speak> = Weak::unsize(with_callback.clone(), coercion!(dyn Speak));
        assert!(unsized_callback.has_callback());
        assert!(unsized_callback.ptr_eq(&refs[1]));
        assert_eq!(format!("{unsized_callback:?}"), format!("{:?}", refs[1]));
        assert_eq!(unsized_callback.upgrade().unwrap().speak(), "fido says woof");

        // A callback registered through the unsized handle gets a `Weak<dyn Speak>`.
        let on_death = fired.clone();
        let dyn_callback = Rc::downgrade_with(&speaker, move |dead: &Weak<dyn Speak>| {
            assert!(dead.upgrade().is_none());
            on_death.push("dyn callback")
        });
        assert_eq!(dyn_callback.upgrade().unwrap().speak(), "fido says woof");
        drop(refs);
        drop(speaker);
        assert_eq!(log.take(), ["drop fido"]);
        assert_eq!(fired.take(), ["dyn callback", "typed callback"], "newest first");
        assert!(unsized_callback.upgrade().is_none());
        assert!(!unsized_callback.has_callback());
        assert!(plain.upgrade().is_none());
        drop((with_callback, dyn_callback));
    }

    #[test]
    fn callbacks_and_counts_on_str_and_slices() {
        let fired = Log::new();
        let text: Rc<str> = Rc::from("spam");
        let on_death = fired.clone();
        let weak = Rc::downgrade_with(&text, move |dead: &Weak<str>| {
            assert!(dead.upgrade().is_none());
            on_death.push("str died")
        });
        assert_eq!(weak.upgrade().as_deref(), Some("spam"));
        assert_eq!(Rc::weakref_count(&text), 1);
        let clone = weak.clone();
        assert!(clone.ptr_eq(&weak));
        drop(text);
        assert_eq!(fired.take(), ["str died"]);
        // The raw round trip of a dead callback reference gives a plain one.
        let raw = Weak::into_raw(clone);
        // SAFETY: a pointer from `into_raw` of this type, taken back once.
        let plain = unsafe { Weak::from_raw(raw) };
        assert!(plain.upgrade().is_none());

        let log = Log::new();
        let noisy: Rc<[Noisy]> = Rc::from(vec![Noisy::new("a", &log), Noisy::new("b", &log)]);
        let on_death = fired.clone();
        let _w = Rc::downgrade_with(&noisy, move |_: &Weak<[Noisy]>| on_death.push("slice died"));
        drop(noisy);
        assert_eq!(log.take().len(), 2, "each element dropped once");
        assert_eq!(fired.take(), ["slice died"]);
    }

    #[test]
    fn a_dangling_weak_unsized_stays_dangling() {
        let empty: Weak<dyn Speak> = Weak::unsize(Weak::<Dog>::new(), coercion!(dyn Speak));
        assert!(empty.upgrade().is_none());
        assert_eq!(empty.strong_count(), 0);
        let copy = empty.clone();
        let raw = Weak::into_raw(copy);
        // SAFETY: a pointer from `into_raw` of this type, taken back once.
        let back = unsafe { Weak::from_raw(raw) };
        assert!(back.upgrade().is_none());
        assert!(format!("{back:?}").contains("dead"));
    }

    #[test]
    fn unsizing_a_plain_weak_and_upgrading_it() {
        let rc = Rc::new([1u8, 2, 3]);
        // SAFETY: an unsizing coercion, written out.
        let to_slice = unsafe { weakrefs::Coercion::new(|p: *const [u8; 3]| -> *const [u8] { p }) };
        let weak: Weak<[u8]> = Weak::unsize(Rc::downgrade(&rc), to_slice);
        assert_eq!(weak.upgrade().as_deref(), Some(&[1u8, 2, 3][..]));
        let slice: Rc<[u8]> = Rc::unsize(rc, to_slice);
        assert_eq!(Rc::weak_count(&slice), 1);
        drop(slice);
        assert!(weak.upgrade().is_none());
    }

    #[test]
    fn a_coercion_that_moves_the_pointer_panics_and_leaks_nothing_unsound() {
        quiet_expected_panics();
        fn moved(p: *const [u8; 2]) -> *const [u8] {
            std::ptr::slice_from_raw_parts(p.cast::<u8>().wrapping_add(1), 1)
        }
        // SAFETY: deliberately broken, to see it caught.
        let broken = unsafe { weakrefs::Coercion::new(moved) };
        let rc = Rc::new([7u8, 8]);
        let result = catch_unwind(AssertUnwindSafe(|| Rc::unsize(rc, broken)));
        assert!(result.is_err());
    }

    #[test]
    fn sizes_match_std() {
        use std::mem::size_of;
        assert_eq!(size_of::<Rc<str>>(), size_of::<std::rc::Rc<str>>());
        assert_eq!(size_of::<Rc<[u64]>>(), size_of::<std::rc::Rc<[u64]>>());
        assert_eq!(size_of::<Rc<dyn Speak>>(), size_of::<std::rc::Rc<dyn Speak>>());
        assert_eq!(size_of::<Weak<str>>(), size_of::<std::rc::Weak<str>>());
        assert_eq!(size_of::<Rc<u64>>(), size_of::<usize>());
        assert_eq!(size_of::<Option<Rc<str>>>(), size_of::<Rc<str>>());
    }

    #[test]
    fn finalize_and_proxy_on_unsized_objects() {
        let fired = Log::new();
        let log = Log::new();
        let speaker: Rc<dyn Speak> = Rc::unsize(Rc::new(Dog("odie", log.clone())), coercion!(dyn Speak));
        let on_exit = fired.clone();
        let f = finalize(&speaker, move |n: u32| on_exit.push(format!("finalized {n}")), 7);
        assert!(f.alive());
        let (obj, args) = f.peek().unwrap();
        assert_eq!((obj.speak(), args), ("odie says woof".to_owned(), 7));
        drop(obj);
        assert!(format!("{f:?}").contains("'dyn Speak'"));
        let proxy = Proxy::new(&speaker);
        assert_eq!(proxy.with(|s| s.speak()).unwrap(), "odie says woof");
        drop(speaker);
        assert_eq!(log.take(), ["drop odie"]);
        assert_eq!(fired.take(), ["finalized 7"]);
        assert!(!f.alive());
        assert!(proxy.get().is_err());

        // Detach hands back the unsized object.
        let text: Rc<str> = Rc::from("kept");
        let f = finalize(&text, |()| unreachable!("detached"), ());
        let (obj, ()) = f.detach().unwrap();
        assert_eq!(&*obj, "kept");
        assert_eq!(f.call(), None);
    }

    #[test]
    fn weak_collections_of_unsized_values_and_keys() {
        let log = Log::new();
        // WeakValueMap<String, dyn Trait>
        let textures: WeakValueMap<String, dyn Speak> = WeakValueMap::new();
        let rex: Rc<dyn Speak> = Rc::unsize(Rc::new(Dog("rex", log.clone())), coercion!(dyn Speak));
        let fido: Rc<dyn Speak> = Rc::from(Box::new(Dog("fido", log.clone())) as Box<dyn Speak>);
        textures.insert("rex".to_owned(), rex.clone());
        textures.insert("fido".to_owned(), fido.clone());
        assert_eq!(textures.len(), 2);
        assert_eq!(textures.get("rex").unwrap().speak(), "rex says woof");
        assert!(Rc::ptr_eq(&textures.get("fido").unwrap(), &fido));
        drop(rex);
        assert_eq!(textures.len(), 1, "the entry went with its value");
        assert!(textures.get("rex").is_none());
        let names: Vec<String> = textures.iter().map(|(k, _)| k).collect();
        assert_eq!(names, ["fido"]);
        drop(fido);
        assert!(textures.is_empty());
        assert_eq!(log.take().len(), 2);

        // WeakSet<str> by value, looked up by &str.
        let words: WeakSet<str> = WeakSet::new();
        let spam: Rc<str> = Rc::from("spam");
        assert!(words.add(&spam));
        assert!(!words.add(&Rc::from("spam")), "equal by value: already there");
        assert!(words.contains("spam"));
        assert!(!words.contains("eggs"));
        drop(spam);
        assert!(!words.contains("spam"));
        assert!(words.is_empty());

        // WeakKeyMap<str, V> and the by-identity kin over slices and trait objects.
        let sizes: WeakKeyMap<str, usize> = WeakKeyMap::new();
        let key: Rc<str> = Rc::from("key");
        sizes.insert(&key, 3);
        assert_eq!(sizes.get("key"), Some(3));
        drop(key);
        assert!(sizes.is_empty());

        let seen: PtrWeakSet<[u8]> = PtrWeakSet::new();
        let a: Rc<[u8]> = Rc::from(vec![1, 2]);
        let b: Rc<[u8]> = Rc::from(vec![1, 2]);
        seen.add(&a);
        assert!(seen.contains(&a));
        assert!(!seen.contains(&b), "by identity: an equal slice elsewhere is another");
        drop(a);
        assert!(seen.is_empty());

        let owners: PtrWeakKeyMap<dyn Speak, &str> = PtrWeakKeyMap::new();
        let dog: Rc<dyn Speak> = Rc::unsize(Rc::new(Dog("lassie", log.clone())), coercion!(dyn Speak));
        owners.insert(&dog, "timmy");
        assert_eq!(owners.get(&dog), Some("timmy"));
        drop(dog);
        assert!(owners.is_empty());
        assert_eq!(log.take(), ["drop lassie"]);
        drop(b);
    }

    // std: make_mut of slices and str (CloneToUninit), Default, the path and C string
    // conversions, TryFrom into arrays, new_uninit_slice / new_zeroed_slice.
    #[test]
    fn make_mut_of_slices_and_str() {
        let fired = Log::new();
        // Other strong references: a clone for this one.
        let mut data: Rc<[String]> = Rc::from(vec!["a".to_owned()]);
        let other = data.clone();
        Rc::make_mut(&mut data)[0].push('!');
        assert_eq!((&*data, &*other), (&["a!".to_owned()][..], &["a".to_owned()][..]));
        // Weak references alone: the elements move, the old object dies and its
        // callbacks run before make_mut returns.
        let on_death = fired.clone();
        let weak = Rc::downgrade_with(&data, move |_: &Weak<[String]>| on_death.push("old died"));
        Rc::make_mut(&mut data)[0].push('?');
        assert_eq!(fired.take(), ["old died"]);
        assert!(weak.upgrade().is_none());
        assert_eq!(&*data, ["a!?"]);
        assert_eq!(Rc::weak_count(&data), 0);
        // Unique: in place.
        let before = Rc::as_ptr(&data);
        Rc::make_mut(&mut data)[0].clear();
        assert!(std::ptr::addr_eq(before, Rc::as_ptr(&data)));

        let mut text: Rc<str> = Rc::from("abc");
        let copy = text.clone();
        Rc::make_mut(&mut text).make_ascii_uppercase();
        assert_eq!((&*text, &*copy), ("ABC", "abc"));
    }

    #[test]
    fn more_std_conversions() {
        use std::ffi::{CStr, CString, OsStr, OsString};
        use std::path::{Path, PathBuf};
        assert_eq!(&*Rc::<str>::default(), "");
        assert!(Rc::<[u8]>::default().is_empty());
        let path: Rc<Path> = Rc::from(Path::new("/tmp/x"));
        assert_eq!(&*path, Path::new("/tmp/x"));
        let path: Rc<Path> = Rc::from(PathBuf::from("y"));
        assert_eq!(path.to_str(), Some("y"));
        let os: Rc<OsStr> = Rc::from(OsStr::new("os"));
        assert_eq!(&*os, "os");
        let os: Rc<OsStr> = Rc::from(OsString::from("owned"));
        assert_eq!(&*os, "owned");
        let c: Rc<CStr> = Rc::from(c"c string");
        assert_eq!(c.to_bytes(), b"c string");
        let c: Rc<CStr> = Rc::from(CString::new("owned c").unwrap());
        assert_eq!(c.to_bytes_with_nul(), b"owned c\0");

        let slice: Rc<[u8]> = Rc::from(vec![1, 2, 3]);
        let weak = Rc::downgrade(&slice);
        let slice = match <Rc<[u8; 2]>>::try_from(slice) {
            Ok(_) => panic!("three elements are not two"),
            Err(slice) => slice,
        };
        let array: Rc<[u8; 3]> = slice.try_into().ok().unwrap();
        assert_eq!(*array, [1, 2, 3]);
        assert_eq!(weak.upgrade().as_deref(), Some(&[1u8, 2, 3][..]), "the same object");

        let mut uninit = Rc::<[String]>::new_uninit_slice(2);
        for (slot, text) in Rc::get_mut(&mut uninit).unwrap().iter_mut().zip(["p", "q"]) {
            slot.write(text.to_owned());
        }
        // SAFETY: both elements were written.
        let strings = unsafe { uninit.assume_init() };
        assert_eq!(&*strings, ["p", "q"]);
        // SAFETY: zero bytes are valid `u32`s.
        let zeros = unsafe { Rc::<[u32]>::new_zeroed_slice(3).assume_init() };
        assert_eq!(&*zeros, [0, 0, 0]);
        let empty = Rc::<[u64]>::new_uninit_slice(0);
        assert_eq!(empty.len(), 0);
    }

    /// A finalizer handle is covariant in its object's type (the opposite would be
    /// unsound: see the `compile_fail` example on `Finalize`).
    #[allow(dead_code)]
    fn finalize_handles_are_covariant<'a>(f: Finalize<&'static str, ()>) -> Finalize<&'a str, ()> {
        f
    }

    /// Found by review: `Weak::into_raw` of a callback reference's last handle drops
    /// the callback; if that drop panics, the plain reference made for the raw
    /// pointer is released, not leaked.
    #[test]
    fn into_raw_whose_callback_drop_panics_leaks_nothing() {
        quiet_expected_panics();
        struct Bomb;
        impl Drop for Bomb {
            fn drop(&mut self) {
                panic!("{EXPECTED}: a callback's drop");
            }
        }
        let obj: Rc<str> = Rc::from("x");
        let bomb = Bomb;
        let weak = Rc::downgrade_with(&obj, move |_: &Weak<str>| {
            let _keep = &bomb;
        });
        let result = catch_unwind(AssertUnwindSafe(|| Weak::into_raw(weak)));
        assert!(result.is_err());
        assert_eq!(Rc::weak_count(&obj), 0, "nothing holds the allocation but `obj`");
    }

    /// Found by review: `make_mut`, `try_unwrap` and `into_inner` promise that the
    /// old object's callbacks ran when they return, also deep in a chain of drops,
    /// where other deaths are deferred.
    #[test]
    fn moved_out_deaths_deep_in_a_drop_chain_run_their_callbacks_at_once() {
        type Hook = Box<dyn FnOnce() + Send>;
        struct Link {
            _next: Option<Rc<Link>>,
            hook: Option<Hook>,
        }
        impl Drop for Link {
            fn drop(&mut self) {
                if let Some(hook) = self.hook.take() {
                    hook()
                }
            }
        }
        let depth = if cfg!(miri) { 40 } else { 300 };
        let late: Shared<Mutex<Vec<(usize, &str)>>> = Default::default();
        let mut head: Option<Rc<Link>> = None;
        for i in 0..depth {
            let late = late.clone();
            let hook: Hook = Box::new(move || {
                let check = |what: &'static str, run: &dyn Fn(Rc<Vec<u8>>)| {
                    let fired = Shared::new(AtomicBool::new(false));
                    let on_death = fired.clone();
                    let v = Rc::new(vec![1u8]);
                    let _w = Rc::downgrade_with(&v, move |_| on_death.store(true, SeqCst));
                    run(v);
                    if !fired.load(SeqCst) {
                        late.lock().unwrap().push((i, what));
                    }
                };
                check("make_mut", &|mut v| Rc::make_mut(&mut v).push(2));
                check("try_unwrap", &|v| drop(Rc::try_unwrap(v)));
                check("into_inner", &|v| drop(Rc::into_inner(v)));
            });
            head = Some(Rc::new(Link {
                _next: head.take(),
                hook: Some(hook),
            }));
        }
        drop(head);
        assert_eq!(*late.lock().unwrap(), [], "returned before the callbacks ran");
    }
}
