@testable import JamBand
import JamCore
import Testing

/// Beat-by-beat pitch-class weights of a melody of one note a beat (a struck beat-long note weighs 1.5,
/// as the listener weighs it); nil is a rest.
private func chroma(_ pitches: [Int?]) -> [[Double]] {
    pitches.map { pitch in
        var weights = [Double](repeating: 0, count: 12)
        if let pitch { weights[PitchClass.of(pitch)] = 1.5 }
        return weights
    }
}

/// A melody of one note a beat as a document's only track; nil is a rest.
private func melody(_ pitches: [Int?], bars: Int) -> Document {
    let notes = pitches.enumerated().compactMap { beat, pitch in pitch.map { (Double(beat), 1.0, $0) } }
    return Fixtures.document([Fixtures.track("h.melody", notes)], bars: bars)
}

@Test func anAmbiguousMelodyIsHarmonisedDiatonicallyAndClosesDominantToTonic() {
    // E-G | A-C-A-F | B-D | C: each bar fits more than one chord (C or Em, F or Am, G or Bm).
    let tune: [Int?] = [64, 67, 64, 67, 69, 72, 69, 65, 71, 74, 71, 74, 72, 72, 72, 72]
    let c = Tonality(tonic: 0, mode: .major)
    let result = Harmonizer().harmonize(chroma: chroma(tune), bass: Array(repeating: nil, count: 16), grid: BeatGrid(meter: Meter(4, 4)), keys: [c])
    #expect(result.segments.allSatisfy { $0.chord.pitchClasses.isSubset(of: c.scale) })
    let last = result.segments[result.segments.count - 1], before = result.segments[result.segments.count - 2]
    #expect(last.chord.triad == Chord(root: 0, quality: .major))
    #expect(before.chord.root == 7)
    #expect(result.segments.first?.chord.triad == Chord(root: 0, quality: .major))
}

@Test func aMelodyOutliningAMinorAndClosingFromEOnAIsHeardInAMinor() {
    // A-C-E | D-F-A | E-B-D (no G#) | A held: the notes are C major's too; the harmony says A minor.
    let tune: [Int?] = [69, 72, 76, 72, 74, 77, 81, 77, 76, 71, 74, 71, 69, 69, 69, 69]
    let reading = Listener().read(melody(tune, bars: 4))
    #expect(reading.key == Tonality(tonic: 9, mode: .minor))
    #expect(reading.chord(atBeat: 12).triad == Chord(root: 9, quality: .minor))
    #expect(reading.chord(atBeat: 0).triad == Chord(root: 9, quality: .minor))
    // E-B-D before the close is the minor key's major dominant, as a player harmonising the tune hears
    // it (the notes alone say Em7).
    #expect(reading.chord(atBeat: 8).root == 4 && reading.chord(atBeat: 8).third == 8)
}

@Test func aMelodyAloneIsOneLineAndChordsAreNot() {
    let tune = Fixtures.cMajorScale.sortedNotes
    #expect(Listener.polyphony([tune], end: 16 * 480) == 0)
    let chords = Fixtures.chords(["C", "F", "G", "C"]).sortedNotes
    #expect(Listener.polyphony([chords], end: 16 * 480) > 0.9)
    // Two lines that take turns are still one line at a time.
    let low = Fixtures.track("h.low", [(0, 2, 48), (4, 2, 53)]).sortedNotes
    let high = Fixtures.track("h.high", [(2, 2, 72), (6, 2, 77)]).sortedNotes
    #expect(Listener.polyphony([low, high], end: 8 * 480) == 0)
}

@Test(arguments: [false, true])
func aHarmonisationCoversEveryBeatWithProbabilities(inContext: Bool) {
    // A tune of three bars and a silent fourth: the silence is not harmonised, the last chord holds through it.
    let tune: [Int?] = [60, 64, 67, 64, 71, 74, 67, 74, 72, 67, 64, 60, nil, nil, nil, nil]
    let result = Harmonizer().harmonize(
        chroma: chroma(tune), bass: Array(repeating: nil, count: 16), grid: BeatGrid(meter: Meter(4, 4)),
        keys: [Tonality(tonic: 0, mode: .major)], inContext: inContext)
    #expect(result.segments.first?.startBeat == 0)
    #expect(result.segments.last?.endBeat == 16)
    for (a, b) in zip(result.segments, result.segments.dropFirst()) { #expect(a.endBeat == b.startBeat && a.chord != b.chord) }
    #expect(result.segments.last?.chord.triad == Chord(root: 0, quality: .major))
    #expect(result.segments.last?.startBeat ?? 0 <= 8)
    for segment in result.segments {
        #expect((0...1).contains(segment.confidence))
        let total = segment.candidates.reduce(0) { $0 + $1.probability }
        #expect(total <= 1 + 1e-9)
        #expect(segment.candidates.allSatisfy { $0.probability >= 0.05 })
    }
}

@Test func aMelodyAloneThatMovesUpATritoneIsFollowedIntoItsNewKey() {
    // I–IV–V–I outlined twice in C, then the same eight bars in F#.
    let bars: [[Int]] = [[60, 64, 67, 64], [65, 69, 72, 69], [67, 71, 74, 71], [72, 67, 64, 60]]
    let inC = (bars + bars).flatMap { $0 }
    let tune: [Int?] = inC + inC.map { $0 + 6 }
    let reading = Listener().read(melody(tune, bars: 16))
    #expect(reading.barKeys.prefix(6).allSatisfy { $0 == Tonality(tonic: 0, mode: .major) })
    #expect(reading.barKeys.suffix(6).allSatisfy { $0 == Tonality(tonic: 6, mode: .major) })
    #expect(reading.chord(atBeat: 60).triad == Chord(root: 6, quality: .major))
}

@Test func theKeyOfALineIsWeighedByHowWellEachCandidateHarmonisesIt() {
    // The notes say C major; a harmonisation far better in its relative minor moves the key there, every
    // bar with it, and one no better keeps it.
    let finder = KeyFinder()
    let white = [[Double]](repeating: [3, 0, 1, 0, 2, 1, 0, 2, 0, 1, 0, 1], count: 4)
    let c = Tonality(tonic: 0, mode: .major), a = Tonality(tonic: 9, mode: .minor)
    let start = finder.keys(histograms: white, declared: nil)
    #expect(start.key == c)
    let chosen = finder.harmonised(start, histograms: white, declared: nil) { keys in
        (keys.allSatisfy { $0 == a } ? 0 : -20, [])
    }
    #expect(chosen.key == a)
    #expect(chosen.bars == Array(repeating: a, count: 4))
    let kept = finder.harmonised(start, histograms: white, declared: nil) { keys in
        (keys.allSatisfy { $0 == c } ? 0 : -20, [])
    }
    #expect(kept.key == c)
}

@Test func aBluesInDFlatIsHeardInDFlatNotInTheKeyOfItsFourth() {
    // A funk tune over I7–IV7–I7–V7 in Db, twice (eight bars; beat, length, pitch): it leans on the flat
    // seventh (Cb) and the blue third (Fb), which Gb major's notes hold, and its passing notes (C, Eb) are
    // Db major's own. Profiles alone hear Gb major, the key of its fourth.
    let notes: [(Double, Double, Int)] = [
        (0, 0.5, 65), (0.5, 0.5, 68), (1, 0.5, 65), (1.5, 0.5, 65), (2, 1, 68), (3, 0.75, 73), (3.75, 0.25, 72),
        (4, 0.75, 70), (4.75, 0.25, 72), (5, 1, 64), (6, 1, 73), (7, 1, 73),
        (8, 0.75, 66), (8.75, 0.25, 68), (9, 0.25, 73), (9.25, 0.25, 73), (9.5, 0.5, 73), (10, 0.75, 73), (10.75, 0.25, 73), (11, 1, 68),
        (12, 1, 66), (13, 0.75, 66), (13.75, 0.25, 68), (14, 0.75, 66), (14.75, 0.25, 65),
        (16, 0.75, 68), (16.75, 0.25, 68), (17, 1, 73), (18, 1, 71), (19, 0.25, 70), (19.25, 0.25, 71), (19.5, 0.5, 70),
        (20, 1, 70), (21, 1, 70), (22, 0.5, 70), (22.5, 0.5, 72),
        (24, 0.5, 71), (24.5, 0.5, 72), (25, 0.5, 68), (25.5, 0.5, 68), (26, 0.25, 73), (26.25, 0.25, 75), (26.5, 0.5, 73),
        (27, 0.5, 70), (27.5, 0.5, 68),
        (28, 0.5, 66), (28.5, 0.5, 68), (29, 1, 66), (30, 0.25, 75), (30.25, 0.25, 72), (30.5, 0.5, 72),
    ]
    let reading = Listener().read(Fixtures.document([Fixtures.track("h.melody", notes)], bars: 8))
    #expect(reading.key == Tonality(tonic: 1, mode: .major))
}

@Test func notesOutsideTheKeyThatNoChordHoldsCountAgainstIt() {
    // C–D–E–F–G and back, over and over: F is C major's own, F# G major's. With the passing notes heard
    // against the key, the tune is likelier in C than in G by more than against the chords alone.
    let tune: [Int?] = Array(repeating: [60, 62, 64, 65, 67, 65, 64, 62], count: 4).flatMap { $0 }
    func lead(_ scaleShare: Double) -> Double {
        let harmonizer = Harmonizer(scaleShare: scaleShare)
        let heard = harmonizer.hear(chroma: chroma(tune), bass: Array(repeating: nil, count: tune.count), grid: BeatGrid(meter: Meter(4, 4)))
        return harmonizer.harmonize(heard, keys: [Tonality(tonic: 0, mode: .major)]).score
            - harmonizer.harmonize(heard, keys: [Tonality(tonic: 7, mode: .major)]).score
    }
    #expect(lead(0) > 0)
    #expect(lead(0.9) > lead(0) + 1)
}

@Test func aLineIsInTheKeyItEndsIn() {
    // Five bars in G major, then three that go to D major and close there: most bars are G's, but the
    // tune ends in D, and a tune closes at home.
    let g = [Double](repeating: 0, count: 12).enumerated().map { pc, _ in [3.0, 0, 1, 0, 2, 1, 0, 2, 0, 1, 0, 1][PitchClass.of(pc - 7)] }
    let d = g.indices.map { g[PitchClass.of($0 - 7)] }
    let finder = KeyFinder(radius: 0, changeCost: 0.1)
    let histograms = Array(repeating: g, count: 5) + Array(repeating: d, count: 3)
    let start = finder.keys(histograms: histograms, declared: nil)
    #expect(start.key == Tonality(tonic: 7, mode: .major))
    let heard = finder.harmonised(start, histograms: histograms, declared: nil) { _ in (0, []) }
    #expect(heard.bars.first == Tonality(tonic: 7, mode: .major))
    #expect(heard.key == Tonality(tonic: 2, mode: .major))
}

@Test func aTuneThatMovesByStepIsHeardWithoutSuspendedChords() {
    // Ode to Joy in D: F#-F#-G-A | A-G-F#-E | D-D-E-F# | F#. E E-, twice, the second time closing on D.
    let phrase: [(Double, Double, Int)] = [
        (0, 1, 66), (1, 1, 66), (2, 1, 67), (3, 1, 69), (4, 1, 69), (5, 1, 67), (6, 1, 66), (7, 1, 64),
        (8, 1, 62), (9, 1, 62), (10, 1, 64), (11, 1, 66),
    ]
    let notes = phrase + [(12, 1.5, 66), (13.5, 0.5, 64), (14, 2, 64)] + phrase.map { ($0.0 + 16, $0.1, $0.2) }
        + [(28, 1.5, 64), (29.5, 0.5, 62), (30, 2, 62)]
    let reading = Listener().read(Fixtures.document([Fixtures.track("h.melody", notes)], bars: 8))
    #expect(reading.key == Tonality(tonic: 2, mode: .major))
    #expect(reading.segments.allSatisfy { $0.chord.quality != .sus2 && $0.chord.quality != .sus4 })
    #expect(reading.chord(atBeat: 0).triad == Chord(root: 2, quality: .major))
    #expect(reading.segments.contains { $0.chord.triad == Chord(root: 9, quality: .major) })
}

@Test func chordsMoveAsPistonsTableOfRootProgressionsSays() {
    let harmonizer = Harmonizer()
    let fifth = harmonizer.analyzer.fifthMotionBonus
    let chords = ["C", "Dm", "Em", "F", "G", "G7", "Am", "Bb"].map { Chord(symbol: $0)! }
    let tables = Harmonizer.KeyTables(key: Tonality(tonic: 0, mode: .major), chords: chords, harmonizer: harmonizer)
    func motion(_ from: String, _ to: String) -> Double {
        let u = chords.firstIndex(of: Chord(symbol: from)!)!, v = chords.firstIndex(of: Chord(symbol: to)!)!
        return tables.motion[u * chords.count + v]
    }
    // Falling fifths, the strongest motion; V to I most of all.
    #expect(motion("C", "F") == fifth)
    #expect(motion("Dm", "G7") == fifth)
    #expect(motion("G7", "C") == fifth + harmonizer.cadenceBonus)
    // The table's other usual moves, whatever the chord's quality.
    #expect(motion("C", "G") == fifth / 2)
    #expect(motion("F", "G7") == fifth / 2)
    #expect(motion("Am", "G") == fifth / 2)
    // Its occasional ones.
    #expect(motion("C", "Am") == fifth / 4)
    #expect(motion("G", "Am") == fifth / 4)
    #expect(motion("Am", "F") == fifth / 4)
    // Neither: I to iii, V to ii, IV to iii, a chord on no degree of the key (save by a fifth).
    #expect(motion("C", "Em") == 0)
    #expect(motion("G", "Dm") == 0)
    #expect(motion("F", "Em") == 0)
    #expect(motion("C", "Bb") == 0)
    #expect(motion("Bb", "F") == 0)
    #expect(motion("F", "Bb") == fifth)
}
