// What the hard-negative buffer's separate pass is divided by.

/// The divisor of a separate pass's summed classification loss (the hard-negative buffer's
/// `hard-negative-buffer-separate` mode).
///
/// The seed divided the pass by its own count, so with F replays against a batch divisor S
/// (≈ 256 at the RPN) each replay weighed S / F times an in-batch negative: measured ≈ 85–170×
/// on NEON (issue 14). Dividing by the batch's divisor gives every replay the weight of one
/// in-batch negative, so the two modes differ only in where the replays sit (the batch keeps
/// its full `random` draw), not in their dose.
public enum SeparatePassDivisor: String, Sendable, Hashable, CaseIterable, Codable {
    /// The batch's classification divisor (the same per-negative weight as the batch; issue 14).
    case batch
    /// max(1, F), the separate-pass negatives summed over the batch (the seed's).
    case own
}
