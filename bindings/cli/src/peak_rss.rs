//! The peak resident memory of one stretch of this process (Linux), for `--stats`: the kernel's
//! high-water mark (`VmHWM`) is reset at the start (`/proc/self/clear_refs`, value 5) and read at
//! the end. So a sync's figure leaves out what came before it in the same process, such as the
//! 64 MiB Argon2id needs to turn a passphrase into the store key (the apps get their key from the
//! platform vault and never pay it).

/// Reset the high-water mark to the current resident size; false where that is not possible.
pub fn reset() -> bool {
    std::fs::write("/proc/self/clear_refs", b"5").is_ok()
}

/// The high-water mark since the last [`reset`] (or since the start), in KiB.
pub fn peak_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
