//! Where the importer reads a file from: bytes in memory, or anything that can hand out the
//! bytes at an offset (in the browser's worker: the picked `File`, read slice by slice).
//!
//! Why: a file held in wasm memory stays there for the whole session (for the exports) and sits
//! beside the column table at the import's peak, and wasm memory never shrinks. Reading from a
//! [`ByteSource`] lets the browser keep the file outside wasm memory: the importer streams it
//! through the CSV reader, and the exports read it again when asked.
//!
//! The importer only needs sequential reads plus a few re-reads from a known offset (the line of
//! a bad byte, where an unclosed quote opened), so the trait is one positional read.

use super::DataError;
use std::io;

/// Bytes that can be read from any offset.
pub trait ByteSource {
    /// Bytes in all.
    fn size(&self) -> u64;

    /// Fill the start of `buf` with the bytes from `offset` on; the number of bytes read, 0 only
    /// at or past the end. An error says why the bytes could not be read.
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize, String>;
}

/// Bytes in memory as a [`ByteSource`].
#[derive(Debug, Clone, Copy)]
pub struct Bytes<'a>(pub &'a [u8]);

fn read_slice(bytes: &[u8], offset: u64, buf: &mut [u8]) -> usize {
    let start = usize::try_from(offset)
        .unwrap_or(usize::MAX)
        .min(bytes.len());
    let n = buf.len().min(bytes.len() - start);
    buf[..n].copy_from_slice(&bytes[start..start + n]);
    n
}

impl ByteSource for Bytes<'_> {
    fn size(&self) -> u64 {
        self.0.len() as u64
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize, String> {
        Ok(read_slice(self.0, offset, buf))
    }
}

impl ByteSource for Vec<u8> {
    fn size(&self) -> u64 {
        self.len() as u64
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize, String> {
        Ok(read_slice(self, offset, buf))
    }
}

/// Bytes per read when a source is scanned or streamed.
pub const READ_BYTES: usize = 1 << 20;

/// What a failed read becomes.
pub(crate) fn unreadable(message: String) -> DataError {
    DataError::Unreadable { message }
}

/// The whole source in memory (the exports that embed or rewrite the file).
pub fn read_all(source: &dyn ByteSource) -> Result<Vec<u8>, DataError> {
    let size = usize::try_from(source.size()).map_err(|_| {
        unreadable(format!(
            "it holds {} bytes, more than this machine can address",
            source.size()
        ))
    })?;
    let bytes = read_range(source, 0, size)?;
    if bytes.len() < size {
        return Err(unreadable(format!(
            "it ended after {} of its {size} bytes (was it changed since it was chosen?)",
            bytes.len()
        )));
    }
    Ok(bytes)
}

/// Up to `len` bytes from `offset` (fewer at the end).
pub(crate) fn read_range(
    source: &dyn ByteSource,
    offset: u64,
    len: usize,
) -> Result<Vec<u8>, DataError> {
    let len = len.min(usize::try_from(source.size().saturating_sub(offset)).unwrap_or(usize::MAX));
    let mut out = vec![0u8; len];
    let mut done = 0;
    while done < len {
        let n = source
            .read_at(offset + done as u64, &mut out[done..])
            .map_err(unreadable)?;
        if n == 0 {
            break;
        }
        done += n;
    }
    out.truncate(done);
    Ok(out)
}

/// Call `f` on the bytes from `offset` to the end, [`READ_BYTES`] at a time, until it returns
/// `false`.
pub(crate) fn scan(
    source: &dyn ByteSource,
    offset: u64,
    mut f: impl FnMut(&[u8]) -> bool,
) -> Result<(), DataError> {
    let mut buf = vec![0u8; READ_BYTES.min(usize::try_from(source.size()).unwrap_or(READ_BYTES))];
    let mut at = offset;
    while at < source.size() && !buf.is_empty() {
        let n = source.read_at(at, &mut buf).map_err(unreadable)?;
        if n == 0 || !f(&buf[..n]) {
            break;
        }
        at += n as u64;
    }
    Ok(())
}

/// What a [`Reader`] shows the bytes it reads.
pub(crate) type Watcher<'a> = &'a dyn Fn(&[u8]);

/// A source read in order from an offset, as [`io::Read`] (for the CSV reader). A read error is
/// kept, so the caller can report the source's own message instead of the CSV reader's.
pub(crate) struct Reader<'a> {
    source: &'a dyn ByteSource,
    at: u64,
    pub(crate) failed: Option<String>,
    /// Shown every byte read, in order (the importer's checks watch the parse's reads).
    watch: Option<Watcher<'a>>,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(source: &'a dyn ByteSource, at: u64) -> Self {
        Self {
            source,
            at,
            failed: None,
            watch: None,
        }
    }

    /// The same reader, showing `watch` every byte it reads.
    pub(crate) fn watched(self, watch: Watcher<'a>) -> Self {
        Self {
            watch: Some(watch),
            ..self
        }
    }
}

impl io::Read for Reader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.source.read_at(self.at, buf) {
            Ok(n) => {
                self.at += n as u64;
                if let Some(watch) = self.watch {
                    watch(&buf[..n]);
                }
                Ok(n)
            }
            Err(message) => {
                self.failed = Some(message.clone());
                Err(io::Error::other(message))
            }
        }
    }
}

/// Bytes handed out at most `self.1` at a time (tests: every reader must cope with short reads
/// and with chunk boundaries anywhere).
#[cfg(test)]
pub(crate) struct Trickle<'a>(pub &'a [u8], pub usize);

#[cfg(test)]
impl ByteSource for Trickle<'_> {
    fn size(&self) -> u64 {
        self.0.len() as u64
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize, String> {
        let n = buf.len().min(self.1);
        Ok(read_slice(self.0, offset, &mut buf[..n]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    /// A source that hands out at most 3 bytes a read and can fail from a given offset.
    struct Dribble {
        bytes: Vec<u8>,
        fail_from: u64,
        reads: Cell<usize>,
    }

    impl ByteSource for Dribble {
        fn size(&self) -> u64 {
            self.bytes.len() as u64
        }

        fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize, String> {
            self.reads.set(self.reads.get() + 1);
            if offset >= self.fail_from {
                return Err("the disk went away".into());
            }
            let n = buf.len().min(3);
            Ok(read_slice(&self.bytes, offset, &mut buf[..n]))
        }
    }

    fn dribble(text: &str, fail_from: u64) -> Dribble {
        Dribble {
            bytes: text.as_bytes().to_vec(),
            fail_from,
            reads: Cell::new(0),
        }
    }

    #[test]
    fn short_reads_add_up() {
        let source = dribble("hello, world", u64::MAX);
        assert_eq!(read_all(&source).unwrap(), b"hello, world");
        assert_eq!(read_range(&source, 7, 100).unwrap(), b"world");
        assert_eq!(read_range(&source, 20, 5).unwrap(), b"");
        let mut seen = Vec::new();
        scan(&source, 2, |chunk| {
            seen.extend_from_slice(chunk);
            true
        })
        .unwrap();
        assert_eq!(seen, b"llo, world");
        let before = source.reads.get();
        scan(&source, 0, |_| false).unwrap();
        assert_eq!(source.reads.get(), before + 1, "a scan stops when asked");
        let mut all = String::new();
        io::Read::read_to_string(&mut Reader::new(&source, 0), &mut all).unwrap();
        assert_eq!(all, "hello, world");
    }

    #[test]
    fn a_failed_read_says_why() {
        let source = dribble("a,b\n1,2\n", 4);
        assert_eq!(
            read_all(&source).unwrap_err().to_string(),
            "the file could not be read (the disk went away): choose it again; if it was changed, moved or deleted since it was chosen, choose it from where it is now"
        );
        let mut reader = Reader::new(&source, 0);
        let mut out = Vec::new();
        assert!(io::Read::read_to_end(&mut reader, &mut out).is_err());
        assert_eq!(reader.failed.as_deref(), Some("the disk went away"));
        assert_eq!(out, b"a,b\n1,", "what came before the failure");
    }

    #[test]
    fn memory_sources_agree() {
        let v = b"0123456789".to_vec();
        let mut a = [0u8; 4];
        let mut b = [0u8; 4];
        assert_eq!(v.read_at(8, &mut a).unwrap(), 2);
        assert_eq!(Bytes(&v).read_at(8, &mut b).unwrap(), 2);
        assert_eq!(a[..2], b[..2]);
        assert_eq!(v.read_at(11, &mut a).unwrap(), 0);
        assert_eq!(Bytes(&v).size(), 10);
    }
}
