//! Just enough of ELF to tell how a binary is linked: the program headers
//! (an interpreter means dynamic linking), the dynamic section's `NEEDED`
//! libraries, and whether a symbol table survived stripping.
//!
//! 64-bit little-endian only (the hosts this project builds on); anything
//! else panics with the reason.

use std::path::Path;

/// The first bytes of every ELF file.
pub const MAGIC: &[u8] = b"\x7fELF";

const PT_DYNAMIC: u32 = 2;
const PT_INTERP: u32 = 3;
const DT_NULL: u64 = 0;
const DT_NEEDED: u64 = 1;
const SHT_SYMTAB: u32 = 2;

/// What the headers of one ELF file say.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Elf {
    /// `e_type`: 2 executable, 3 shared object (also static-pie).
    pub file_type: u16,
    /// The requested interpreter (`PT_INTERP`), if any.
    pub interpreter: Option<String>,
    /// How many `DT_NEEDED` entries the dynamic section has.
    pub needed: usize,
    /// Whether a section of type `SHT_SYMTAB` is present.
    pub has_symtab: bool,
}

impl Elf {
    /// Reads the ELF file at `path`.
    pub fn read(path: &Path) -> Elf {
        let data =
            std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        assert!(
            data.starts_with(MAGIC),
            "{} is not an ELF file (starts with {:?})",
            path.display(),
            &data[..data.len().min(16)]
        );
        Elf::parse(&data)
    }

    /// Parses the headers of an ELF file's bytes.
    pub fn parse(data: &[u8]) -> Elf {
        let r = Reader(data);
        assert!(data.starts_with(MAGIC), "not an ELF file");
        assert_eq!(data.get(4), Some(&2), "not a 64-bit ELF file");
        assert_eq!(data.get(5), Some(&1), "not a little-endian ELF file");
        let file_type = r.u16(0x10);
        let (phoff, phentsize, phnum) = (r.u64(0x20), r.u16(0x36), r.u16(0x38));
        let (shoff, shentsize, shnum) = (r.u64(0x28), r.u16(0x3a), r.u16(0x3c));

        let mut elf = Elf {
            file_type,
            interpreter: None,
            needed: 0,
            has_symtab: false,
        };
        for i in 0..u64::from(phnum) {
            let at = to_usize(phoff + i * u64::from(phentsize));
            let kind = r.u32(at);
            let (offset, size) = (to_usize(r.u64(at + 8)), to_usize(r.u64(at + 0x20)));
            match kind {
                PT_INTERP => {
                    let text = r.bytes(offset, size);
                    let text = text.split(|&b| b == 0).next().unwrap_or_default();
                    elf.interpreter = Some(String::from_utf8_lossy(text).into_owned());
                }
                PT_DYNAMIC => elf.needed += count_needed(&r, offset, size),
                _ => {}
            }
        }
        for i in 0..u64::from(shnum) {
            let at = to_usize(shoff + i * u64::from(shentsize));
            if r.u32(at + 4) == SHT_SYMTAB {
                elf.has_symtab = true;
            }
        }
        elf
    }

    /// Statically linked: no interpreter and no shared library needed
    /// (a static-pie binary still has a dynamic section for relocations).
    pub fn is_static(&self) -> bool {
        self.interpreter.is_none() && self.needed == 0
    }

    /// Stripped of its symbol table.
    pub fn is_stripped(&self) -> bool {
        !self.has_symtab
    }
}

fn count_needed(r: &Reader<'_>, offset: usize, size: usize) -> usize {
    (0..size / 16)
        .map(|i| r.u64(offset + i * 16))
        .take_while(|&tag| tag != DT_NULL)
        .filter(|&tag| tag == DT_NEEDED)
        .count()
}

fn to_usize(n: u64) -> usize {
    usize::try_from(n).expect("an ELF offset that fits in memory")
}

/// Bounds-checked little-endian reads.
struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn bytes(&self, at: usize, len: usize) -> &[u8] {
        self.0
            .get(at..at.checked_add(len).expect("no overflow"))
            .unwrap_or_else(|| panic!("truncated ELF file: {len} bytes at {at} are missing"))
    }

    fn u16(&self, at: usize) -> u16 {
        u16::from_le_bytes(self.bytes(at, 2).try_into().expect("2 bytes"))
    }

    fn u32(&self, at: usize) -> u32 {
        u32::from_le_bytes(self.bytes(at, 4).try_into().expect("4 bytes"))
    }

    fn u64(&self, at: usize) -> u64 {
        u64::from_le_bytes(self.bytes(at, 8).try_into().expect("8 bytes"))
    }
}
