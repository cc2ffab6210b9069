//! The fingerprint of a locale file's keys. Shared by the build script, which writes it for the
//! keys the app was built with, and the app, which checks a fetched file against it: a file from
//! another build (a stale copy in some cache) is refused instead of showing texts under the wrong keys.

/// FNV-1a over the keys in order, each followed by a newline.
pub fn fingerprint<'a>(keys: impl Iterator<Item = &'a str>) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for key in keys {
        for byte in key.bytes().chain(std::iter::once(b'\n')) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    hash
}
