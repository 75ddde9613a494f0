/// Published key profiles (index 0 = tonic, then chromatically upward) and their correlation with a
/// pitch-class histogram: the Krumhansl–Schmuckler key-finding method.
public enum KeyProfiles {
    /// Krumhansl & Kessler (1982), probe-tone ratings.
    public static let krumhanslKesslerMajor = [6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88]
    public static let krumhanslKesslerMinor = [6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17]
    /// Temperley (2007), from the Kostka–Payne corpus: the probability of each scale degree in a segment.
    public static let temperleyMajor = [0.748, 0.060, 0.488, 0.082, 0.670, 0.460, 0.096, 0.715, 0.104, 0.366, 0.057, 0.400]
    public static let temperleyMinor = [0.712, 0.084, 0.474, 0.618, 0.049, 0.460, 0.105, 0.747, 0.404, 0.067, 0.133, 0.330]

    /// The four profiles centred and scaled to unit length, so that correlation is a dot product.
    private static let normalised: [[Double]] = [krumhanslKesslerMajor, krumhanslKesslerMinor, temperleyMajor, temperleyMinor].map(unit)

    private static func unit(_ values: [Double]) -> [Double] {
        let mean = values.reduce(0, +) / Double(values.count)
        let centred = values.map { $0 - mean }
        let norm = centred.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return norm > 0 ? centred.map { $0 / norm } : centred
    }

    /// Pearson correlation of a histogram with every key, averaged over the Krumhansl–Kessler and
    /// Temperley–Kostka–Payne profiles; indexed as `Tonality.all` (12 majors, then 12 minors).
    /// A histogram with no weight, or the same weight everywhere, correlates 0 with every key.
    public static func correlations(_ histogram: [Double]) -> [Double] {
        precondition(histogram.count == 12)
        let h = unit(histogram)
        var result = [Double](repeating: 0, count: 24)
        for mode in 0..<2 {
            let kk = normalised[mode], tkp = normalised[2 + mode]
            for tonic in 0..<12 {
                var a = 0.0, b = 0.0
                for degree in 0..<12 {
                    let x = h[(tonic + degree) % 12]
                    a += x * kk[degree]
                    b += x * tkp[degree]
                }
                result[mode * 12 + tonic] = (a + b) / 2
            }
        }
        return result
    }
}
