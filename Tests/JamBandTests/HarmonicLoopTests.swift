import JamBand
import JamCore
import Testing

/// Beat-by-beat pitch-class weights of a melody of one note a beat, as the listener weighs a struck
/// beat-long note (1.5).
private func chroma(_ pitches: [Int]) -> [[Double]] {
    pitches.map { pitch in
        var weights = [Double](repeating: 0, count: 12)
        weights[PitchClass.of(pitch)] = 1.5
        return weights
    }
}

private let c = Tonality(tonic: 0, mode: .major)
private let fourFour = BeatGrid(meter: Meter(4, 4))

// Bars of four beats over C, G, Am and F, each a different tune over the same chord.
private let overC = [[60, 64, 67, 64], [67, 72, 64, 60], [64, 67, 72, 67]]
private let overG = [[67, 71, 74, 71], [74, 71, 67, 62], [71, 67, 62, 67]]
private let overAm = [[69, 72, 76, 72], [72, 76, 69, 64], [76, 72, 69, 72]]
private let overF = [[65, 69, 72, 69], [72, 69, 65, 60], [69, 65, 72, 77]]

@Test func aMelodyOverAFourBarLoopIsHeardGoingRoundIt() {
    // I–V–vi–IV twice, a different tune each time round.
    let tune = (0..<2).flatMap { round in [overC[round], overG[round], overAm[round], overF[round]].flatMap { $0 } }
    let periods = HarmonicLoop().periods(chroma: chroma(tune), grid: fourFour, keys: Array(repeating: c, count: 8))
    #expect(periods[0].period == 4)
    #expect(periods[0].probability > 0.5)
    #expect(abs(periods.reduce(0) { $0 + $1.probability } - 1) < 1e-9)
}

@Test func twoDifferentProgressionsAreNotALoop() {
    // I–V–vi–IV then vi–IV–I–V: the bars four apart hold different chords.
    let first = [overC[0], overG[0], overAm[0], overF[0]].flatMap { $0 }
    let second = [overAm[1], overF[1], overC[1], overG[1]].flatMap { $0 }
    #expect(HarmonicLoop().period(chroma: chroma(first + second), grid: fourFour, keys: Array(repeating: c, count: 8)) == nil)
}

@Test func aLoopTransposedHalfWayIsNotALoop() {
    let round = [overC[0], overG[0], overAm[0], overF[0]].flatMap { $0 }
    let moved = [overC[1], overG[1], overAm[1], overF[1]].flatMap { $0 }.map { $0 + 6 }
    let keys = Array(repeating: c, count: 4) + Array(repeating: Tonality(tonic: 6, mode: .major), count: 4)
    #expect(HarmonicLoop().period(chroma: chroma(round + moved), grid: fourFour, keys: keys) == nil)
}

@Test func aShortTuneIsNotHeardAsALoop() {
    // "Twinkle, twinkle" in G, four bars: its phrases answer each other, its harmony does not go round.
    let tune = [67, 67, 74, 74, 76, 76, 74, 74, 72, 72, 71, 71, 69, 69, 67, 67]
    let g = Tonality(tonic: 7, mode: .major)
    #expect(HarmonicLoop().periods(chroma: chroma(tune), grid: fourFour, keys: Array(repeating: g, count: 4)).map(\.period) == [nil])
}

@Test func aBassLineSaysHowLongTheLoopIs() {
    // The same bar of tune eight times (C and E, which C, Am and F all hold), over a bass that goes
    // C, A, F, G and round again: the tune alone goes round every bar; with its bass, every four.
    let tune = chroma(Array(repeating: [72, 76, 72, 76], count: 8).flatMap { $0 })
    let roots: [Int?] = [0, 9, 5, 7, 0, 9, 5, 7].flatMap { Array(repeating: $0, count: 4) }
    let keys = Array(repeating: c, count: 8)
    #expect(HarmonicLoop().period(chroma: tune, grid: fourFour, keys: keys) == 1)
    #expect(HarmonicLoop().period(chroma: tune, bass: roots, grid: fourFour, keys: keys) == 4)
}

@Test func poolingSharesWhatEachRoundSays() {
    let two = chroma([60, 62, 64, 65])
    let pooled = HarmonicLoop.pooled(two, period: 2, share: 0.5)
    // Beat 0 keeps its own C and hears half of beat 2's E.
    #expect(pooled[0][0] == 1.5 && pooled[0][4] == 0.75)
    #expect(HarmonicLoop.pooled(two, period: 2)[2] == HarmonicLoop.pooled(two, period: 2)[0])
}
