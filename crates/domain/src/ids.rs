//! Ids with a type prefix (`usr_…`, `txn_…`) that sort by creation time.

/// A new id: the prefix, an underscore, and a UUID v7 in hex. V7 ids grow with time, so rows
/// written together sit together in indexes.
pub fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", uuid::Uuid::now_v7().simple())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_carry_their_prefix_and_grow_with_time() {
        let first = new_id("txn");
        let second = new_id("txn");
        assert!(first.starts_with("txn_"));
        assert_eq!(first.len(), 4 + 32);
        assert!(first < second);
    }
}
