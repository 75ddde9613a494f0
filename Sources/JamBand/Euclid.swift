/// Euclidean rhythms (Toussaint): `pulses` onsets spread as evenly as possible over `steps`, as
/// Bjorklund's algorithm gives them up to rotation. E(3,8) is the tresillo, E(5,8) the cinquillo.
public enum Euclid {
    /// `steps` booleans, true at an onset; `rotation` moves the pattern that many steps later.
    public static func rhythm(pulses: Int, steps: Int, rotation: Int = 0) -> [Bool] {
        guard steps > 0 else { return [] }
        let k = min(max(0, pulses), steps)
        let r = ((rotation % steps) + steps) % steps
        return (0..<steps).map { step in
            let i = ((step - r) % steps + steps) % steps
            return (i * k) % steps < k
        }
    }
}
