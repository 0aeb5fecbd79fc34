//! The fingerprint of a file's bytes, which tells a changed or truncated file from the original.

/// A stable fingerprint of a file's bytes: `fnv1a64-<16 hex digits>-<length in bytes>`, the
/// 64-bit FNV-1a hash (offset basis `0xcbf29ce484222325`, prime `0x100000001b3`) followed by the
/// length. Not cryptographic: it tells a changed or truncated file from the original, nothing
/// more. Also the dataset fingerprint of run logs.
///
/// ```
/// use engine::project::fingerprint;
/// assert_eq!(fingerprint(b""), "fnv1a64-cbf29ce484222325-0");
/// assert_eq!(fingerprint(b"a"), "fnv1a64-af63dc4c8601ec8c-1");
/// ```
pub fn fingerprint(bytes: &[u8]) -> String {
    let mut f = Fingerprint::new();
    f.add(bytes);
    f.finish()
}

/// [`fingerprint`] computed piece by piece, as a file is read in slices: adding the pieces in
/// order gives the fingerprint of their concatenation.
///
/// ```
/// use engine::project::{fingerprint, Fingerprint};
/// let mut f = Fingerprint::new();
/// f.add(b"hello, ");
/// f.add(b"world");
/// assert_eq!(f.finish(), fingerprint(b"hello, world"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fingerprint {
    hash: u64,
    len: u64,
}

impl Default for Fingerprint {
    fn default() -> Self {
        Self::new()
    }
}

impl Fingerprint {
    /// The fingerprint of no bytes yet.
    pub fn new() -> Self {
        Self {
            hash: 0xcbf2_9ce4_8422_2325,
            len: 0,
        }
    }

    /// Take the next bytes.
    pub fn add(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.hash ^= u64::from(b);
            self.hash = self.hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
        self.len += bytes.len() as u64;
    }

    /// `fnv1a64-<hash>-<length>` of everything added.
    pub fn finish(&self) -> String {
        format!("fnv1a64-{:016x}-{}", self.hash, self.len)
    }
}
