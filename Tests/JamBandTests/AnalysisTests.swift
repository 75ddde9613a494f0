import JamBand
import JamCore
import Testing

@Test func theCMajorScaleIsHeardInCMajor() {
    let reading = Listener().read(Fixtures.document([Fixtures.cMajorScale], bars: 3))
    #expect(reading.key == Tonality(tonic: 0, mode: .major))
    #expect(reading.key.name == "C major")
}

@Test func aTwoFiveOneInBFlatIsHeardChordByChord() {
    let document = Fixtures.document([Fixtures.chords(["Cm7", "F7", "Bbmaj7", "Bbmaj7"])])
    let reading = Listener().read(document)
    #expect(reading.key.name == "Bb major")
    #expect(reading.barSymbols() == ["Cm7", "F7", "Bbmaj7", "Bbmaj7"])
    #expect(reading.summary() == "Bb major: Cm7 | F7 | Bbmaj7 | Bbmaj7")
    #expect(reading.segments.allSatisfy { $0.confidence > 0.5 })
}

@Test(arguments: [
    (["C", "Am", "F", "G"], "C major"),
    (["Dm", "Gm", "A7", "Dm"], "D minor"),
    (["E", "A", "B7", "E"], "E major"),
    (["F#m", "D", "E", "F#m"], "F# minor"),
])
func triadProgressionsGiveTheirKeyAndChords(symbols: [String], key: String) {
    let reading = Listener().read(Fixtures.document([Fixtures.chords(symbols)]))
    #expect(reading.key.name == key)
    #expect(reading.barSymbols() == symbols)
}

@Test func chordsChangeOnTheHalfBarWhenTheMusicDoes() {
    // Two chords a bar, as half notes.
    let symbols = ["Dm7", "G7", "Cmaj7", "A7", "Dm7", "G7", "Cmaj7", "Cmaj7"]
    var notes: [(Double, Double, Int)] = []
    for (index, symbol) in symbols.enumerated() {
        for (k, pc) in Chord(symbol: symbol)!.tones.enumerated() { notes.append((Double(index * 2), 2, 48 + pc + (k > 0 ? 12 : 0))) }
    }
    let reading = Listener().read(Fixtures.document([Fixtures.track("h.keys", notes)]))
    #expect(reading.barSymbols() == ["Dm7 G7", "Cmaj7 A7", "Dm7 G7", "Cmaj7"])
    #expect(reading.key.name == "C major")
}

@Test func aBassLineIsFollowedWhereTheTuneCouldGoRoundEveryBar() {
    // E♭ minor in 3/4: i | iv | V7 | i | ii° | V7 | i | i, the bass a root on each downbeat. The tune
    // leans on G♭, B♭ and C♭ throughout, so that alone it could be a one-bar loop of C♭maj7: heard so,
    // every bar was C♭maj7. The bass denies that loop.
    let bars: [[(Double, Int)]] = [
        [(0, 75), (0.25, 78), (0.5, 78), (1, 78), (1.5, 77), (2, 82)],
        [(0, 83), (1, 83), (1.5, 82)],
        [(0, 82), (0.75, 83), (1, 83), (1.5, 82), (2, 82)],
        [(0, 78), (0.25, 78), (0.5, 78), (1, 82), (2, 82)],
        [(0, 78), (0.5, 77), (1, 75), (1.5, 77), (2, 75), (2.75, 75)],
        [(0, 82), (1, 74), (1.75, 82)],
        [(0, 75), (0.25, 73), (0.5, 75), (1, 71), (1.75, 70), (2, 73), (2.25, 71), (2.5, 73)],
        [(0, 75), (1, 71), (1.5, 70)],
    ]
    var tune: [(Double, Double, Int)] = []
    for (bar, notes) in bars.enumerated() {
        for (index, note) in notes.enumerated() {
            let end = index + 1 < notes.count ? notes[index + 1].0 : 3
            tune.append((Double(bar * 3) + note.0, end - note.0, note.1))
        }
    }
    let roots = [51, 44, 46, 51, 41, 46, 51, 51]
    let bass = roots.enumerated().map { (Double($0.offset * 3), 0.95, $0.element) }
    let document = Fixtures.document(
        [Fixtures.track("h.melody", tune), Fixtures.track("h.bass", bass)], bars: 8, meter: Meter(3, 4))
    let reading = Listener().read(document)
    #expect(reading.key.name == "Eb minor")
    #expect((0..<8).map { reading.chord(atBeat: $0 * 3).root } == roots.map { PitchClass.of($0) })
}

@Test func aBassGoingFromRootToFifthStaysInTheChord() {
    // C | F | G | C, the bass on the root then the fifth, the tune's third, second, fifth and root: on
    // the half bar, the fifth below the fifth and root could be a sus4 on the fifth, but a player hears
    // one chord a bar, the bass going from its root to its fifth.
    let symbols = ["C", "F", "G", "C"]
    var tune: [(Double, Double, Int)] = [], bass: [(Double, Double, Int)] = []
    for (bar, symbol) in symbols.enumerated() {
        let root = Chord(symbol: symbol)!.root, start = Double(bar * 4)
        for (beat, interval) in [4, 2, 7, 12].enumerated() { tune.append((start + Double(beat), 1, 60 + root + interval)) }
        bass.append((start, 1, 36 + root))
        bass.append((start + 2, 1, 43 + root))
    }
    let reading = Listener().read(Fixtures.document([Fixtures.track("h.melody", tune), Fixtures.track("h.bass", bass)]))
    #expect(reading.barSymbols() == symbols)
}

@Test func aMelodyAloneIsHeardInItsKey() {
    // "Twinkle, twinkle" in G: the tune alone, no chords.
    let tune = [67, 67, 74, 74, 76, 76, 74, 72, 72, 71, 71, 69, 69, 67]
    let lengths: [Double] = [1, 1, 1, 1, 1, 1, 2, 1, 1, 1, 1, 1, 1, 2]
    var beat = 0.0
    var notes: [(Double, Double, Int)] = []
    for (pitch, length) in zip(tune, lengths) {
        notes.append((beat, length, pitch))
        beat += length
    }
    let reading = Listener().read(Fixtures.document([Fixtures.track("h.melody", notes)]))
    #expect(reading.key.name == "G major")
    #expect(reading.chord(atBeat: 0).root == 7)
}

@Test func aKeyChangeIsFollowedAndAPassingChordIsNot() {
    // Five bars of C major with a secondary dominant (D7) in them, then seven of E♭ major.
    let symbols = ["C", "F", "D7", "G", "C", "Eb", "Ab", "Bb7", "Eb", "Ab", "Bb", "Eb"]
    let reading = Listener().read(Fixtures.document([Fixtures.chords(symbols)], bars: symbols.count))
    #expect(reading.barKeys.prefix(4).allSatisfy { $0.name == "C major" })
    #expect(reading.barKeys.suffix(6).allSatisfy { $0.name == "Eb major" })
    #expect(reading.barSymbols() == symbols)
}

@Test func onlyDrumsGetAProposedProgressionInTheSessionKey() {
    let drums = Fixtures.track("h.drums", (0..<16).map { (Double($0), 0.25, 36) }, instrument: .drums, channel: 9)
    let reading = Listener(style: .rock).read(Fixtures.document([drums], key: Key(tonic: "D", mode: "minor")))
    #expect(reading.proposed)
    #expect(reading.key.name == "D minor")
    #expect(reading.segments.allSatisfy { $0.chord.pitchClasses.isSubset(of: reading.key.palette) })
}

@Test func ignoredTracksAreNotHeard() {
    let human = Fixtures.chords(["C", "F", "G", "C"])
    let other = Fixtures.chords(["F#", "B", "C#", "F#"], id: "ai.keys")
    let reading = Listener(ignoring: ["ai.keys"]).read(Fixtures.document([human, other]))
    #expect(reading.barSymbols() == ["C", "F", "G", "C"])
    let byOwner = Listener(ignoringOwner: "h1").read(Fixtures.document([human]))
    #expect(byOwner.proposed)
}

@Test(arguments: [
    ("C", false), ("Cm", false), ("Cdim", false), ("Caug", false), ("Csus2", false), ("Csus4", false), ("C7", false),
    ("Cmaj7", false), ("Cm7", false), ("Cm7b5", false), ("Cdim7", false), ("Bbmaj7", true), ("F#m7b5", false), ("Ebsus4", true),
])
func chordSymbolsReadBack(symbol: String, flats: Bool) {
    #expect(Chord(symbol: symbol)?.symbol(flats: flats) == symbol)
}

@Test(arguments: Chord.all.filter { $0.root == 2 })
func everyQualityOnARootIsHeardAsItself(chord: Chord) {
    let symbol = chord.symbol(flats: false)
    let reading = Listener().read(Fixtures.document([Fixtures.chords([symbol, symbol], bass: true)], bars: 2))
    if symbol == "Dmaj7" { print("DBGT", reading.key, reading.segments.map { "\($0.chord) \($0.startBeat) \($0.beats) \($0.candidates.prefix(3).map { "\($0.chord) \($0.probability)" })" }) }
    #expect(reading.chord(atBeat: 0) == chord)
}

/// Three rounds of white notes (C major, A minor and F major alike: the profiles alone say F), then a
/// close held for two beats: where it comes to rest, and from where, says the key.
@Test(arguments: [
    ([71, 72], "C major"),  // 7→1 into C
    ([74, 72], "C major"),  // 2→1 into C
    ([71, 69], "A minor"),  // 2→1 into A
    ([68, 69], "A minor"),  // the raised 7th → 1
])
func aHeldCloseSaysTheKeyOfAnAmbiguousMelody(close: [Int], key: String) {
    let body = [64, 65, 67, 69, 71, 69, 67, 65, 64, 62, 64, 65, 67, 65, 64, 62]
    var notes: [(Double, Double, Int)] = []
    for round in 0..<3 { notes += body.enumerated().map { (Double($0.offset + 16 * round), 1.0, $0.element) } }
    notes.append((48, 1, close[0]))
    notes.append((49, 2, close[1]))
    let reading = Listener().read(Fixtures.document([Fixtures.track("h.melody", notes)], bars: 13))
    #expect(reading.key.name == key)
}

@Test func theCuesWeighTheTonicOfAHeldCadence() {
    let notes = [(0.0, 1.0, 67), (1, 1, 65), (2, 1, 62), (3, 1, 71), (4, 4, 72)].enumerated().map { index, n in
        Note(id: "n\(index)", tick: Int(n.0 * 480), duration: Int(n.1 * 480), pitch: n.2, velocity: 90)
    }
    let grid = BeatGrid(meter: Meter(4, 4))
    let held = TonicCues().scores([notes], grid: grid, end: 8 * 480)
    let c = Tonality(tonic: 0, mode: .major).index, g = Tonality(tonic: 7, mode: .major).index
    #expect(held[c] > held[g])
    // The same close, a beat long (a loop's last note before it comes round), is no close.
    var short = notes
    short[4].duration = 480
    let loop = TonicCues().scores([short], grid: grid, end: 8 * 480)
    #expect(loop[c] < held[c])
    #expect(loop[c] == TonicCues(openingWeight: 0.2, closingWeight: 0).scores([short], grid: grid, end: 8 * 480)[c])
}

@Test func anArpeggiatedMelodyAloneIsHarmonisedDiatonically() {
    // C-E-G | B-D-F | C-A-F | G-B-D, twice: a tune with no chords under it.
    let bars = [[60, 64, 67, 64], [71, 74, 77, 74], [72, 69, 65, 69], [67, 71, 74, 71]]
    let notes = (bars + bars).enumerated().flatMap { bar, pitches in pitches.enumerated().map { (Double(bar * 4 + $0.offset), 1.0, $0.element) } }
    let reading = Listener().read(Fixtures.document([Fixtures.track("h.melody", notes)], bars: 8))
    #expect(reading.key.name == "C major")
    #expect(reading.segments.allSatisfy { $0.chord.pitchClasses.isSubset(of: reading.key.scale) })
    // B-D-F is the dominant's (G7 or its leading-tone triad), and each bar's arpeggio is its chord.
    #expect(PitchClassSet([11, 2, 5]).isSubset(of: reading.chord(atBeat: 4).pitchClasses))
    #expect(reading.chord(atBeat: 0).triad == Chord(root: 0, quality: .major))
    #expect(reading.chord(atBeat: 8).triad == Chord(root: 5, quality: .major))
    #expect(reading.chord(atBeat: 12).root == 7)
}
