import JamBand
import JamCore
import Testing

/// A human melody over C major's I–vi–ii–V, with block chords under it, eight bars.
private func song(meter: Meter = Meter(4, 4), melodyLow: Bool = false) -> Document {
    let perBar = Double(BeatGrid(meter: meter).beatsPerBar)
    let symbols = ["C", "Am", "Dm", "G7", "C", "Am", "Dm", "G7"]
    var melody: [(Double, Double, Int)] = []
    let tune = melodyLow ? [60, 62, 64, 65] : [76, 77, 79, 81]
    for bar in 0..<8 {
        for beat in 0..<Int(perBar) where !(bar % 2 == 1 && beat == Int(perBar) - 1) {
            melody.append((Double(bar) * perBar + Double(beat), 0.9, tune[(bar + beat) % tune.count]))
        }
    }
    return Fixtures.document(
        [Fixtures.chords(symbols, beatsPerBar: Int(perBar), octave: 3), Fixtures.track("h.melody", melody)], bars: 8, meter: meter)
}

private func part(_ role: BandRole, _ style: Style, _ document: Document = song(), complexity: Double = 0.4, seed: UInt64 = 7) -> (notes: [Note], reading: Reading) {
    let bandmate = Bandmate(role: role, style: style, complexity: complexity, seed: seed, track: "ai.\(role.rawValue)", owner: "ai")
    let response = bandmate.respond(to: document)
    var after = document
    try! after.apply(response.operation!)
    return (after[track: "ai.\(role.rawValue)"]!.sortedNotes, response.reading)
}

/// Notes sounding just after each strong beat of the reading's grid.
private func onStrongBeats(_ notes: [Note], _ reading: Reading) -> [(Note, Chord)] {
    let grid = reading.grid
    var result: [(Note, Chord)] = []
    for beat in 0..<reading.beats where grid.beats[beat % grid.beatsPerBar].isStrong {
        let t = grid.tick(ofBeat: beat) + 20
        for note in notes where note.tick <= t && note.tick + note.duration > t { result.append((note, reading.chord(atBeat: beat))) }
    }
    return result
}

@Test(arguments: Style.allCases)
func theBassStaysInRangeWithChordTonesOnStrongBeats(style: Style) {
    let (notes, reading) = part(.bass, style)
    #expect(!notes.isEmpty)
    #expect(notes.allSatisfy { BassGenerator.range.contains($0.pitch) })
    let strong = onStrongBeats(notes, reading)
    #expect(!strong.isEmpty)
    #expect(strong.allSatisfy { $0.1.contains(pitch: $0.0.pitch) })
}

@Test(arguments: Style.allCases)
func aSimpleBassStaysInTheKey(style: Style) {
    let (notes, reading) = part(.bass, style, complexity: 0)
    #expect(notes.allSatisfy { reading.key.scale.contains($0.pitch) })
}

@Test func theWalkingBassWalksInQuarterNotesIntoEachChange() {
    let (notes, reading) = part(.bass, .swing)
    // Four notes a bar, and the note before each chord change is a step or a fifth from the new root.
    #expect(notes.count == 32)
    let byBar = Dictionary(grouping: notes) { $0.tick / reading.grid.barTicks }
    for bar in 0..<7 {
        let last = byBar[bar]!.max { $0.tick < $1.tick }!
        let next = byBar[bar + 1]!.min { $0.tick < $1.tick }!
        let interval = abs(next.pitch - last.pitch)
        #expect([1, 2, 5, 7].contains(interval), "bar \(bar): \(last.pitch) → \(next.pitch)")
    }
}

@Test(arguments: Style.allCases)
func theKeysPlayTheChordsHeardOutOfTheMelodysWay(style: Style) {
    let (notes, reading) = part(.keys, style)
    #expect(!notes.isEmpty)
    #expect(notes.allSatisfy { reading.chord(atTick: $0.tick + 30).contains(pitch: $0.pitch) })
    // The melody lives at 76–81: the keys stay under it.
    #expect(notes.allSatisfy { $0.pitch < 76 })
    let low = part(.keys, style, song(melodyLow: true)).notes
    #expect(low.allSatisfy { $0.pitch > 65 })
}

@Test func voicingsMoveLeastAndSeventhsResolve() {
    let c = Voicing(pitches: [60, 64, 67], chord: Chord(symbol: "C")!)
    let f = Voicing.lead(to: Chord(symbol: "F")!, from: c, in: 52...76)
    #expect(f.pitches == [60, 65, 69])
    #expect(f.motion(from: c) == 3)
    let g7 = Voicing(pitches: [59, 62, 65, 67], chord: Chord(symbol: "G7")!)
    let resolved = Voicing.lead(to: Chord(symbol: "C")!, from: g7, in: 52...76)
    #expect(resolved.pitches.contains(64), "the seventh, F, falls to E")
    #expect(resolved.pitches.contains(60), "the leading tone, B, rises to C")
}

@Test(arguments: Style.allCases)
func theDrumsUseTheGeneralMIDIKitOnChannelTen(style: Style) {
    let bandmate = Bandmate(role: .drums, style: style, complexity: 0.8, track: "ai.drums", owner: "ai")
    let document = song()
    let operation = bandmate.respond(to: document).operation!
    guard case .trackAdd(_, let track) = operation.components[0] else {
        Issue.record("the first component adds the track")
        return
    }
    #expect(track.instrument == .drums && track.channel == 9)
    let notes = try! document.applying(operation)[track: "ai.drums"]!.sortedNotes
    #expect(notes.allSatisfy { GMDrum.mapRange.contains($0.pitch) })
    // A fill on the toms ends each four-bar phrase, and a crash opens the next.
    let toms: Set<Int> = [GMDrum.highTom.rawValue, GMDrum.midTom.rawValue, GMDrum.lowTom.rawValue, GMDrum.floorTom.rawValue]
    let barTicks = 4 * Document.ppq
    #expect(notes.contains { toms.contains($0.pitch) && $0.tick / barTicks == 3 })
    #expect(!notes.contains { toms.contains($0.pitch) && $0.tick / barTicks == 1 })
    #expect(notes.contains { $0.pitch == GMDrum.crash.rawValue && abs($0.tick - 4 * barTicks) < 20 })
}

@Test func swingIsPlayedLateOnTheOffBeats() {
    let (notes, _) = part(.drums, .swing)
    let rides = notes.filter { $0.pitch == GMDrum.ride.rawValue }
    let offBeats = rides.map { Double($0.tick % Document.ppq) / Double(Document.ppq) }.filter { $0 > 0.2 && $0 < 0.9 }
    #expect(!offBeats.isEmpty)
    #expect(offBeats.allSatisfy { $0 > 0.6 }, "swung eighths fall at two thirds of the beat")
}

@Test(arguments: [(3, 8), (5, 8), (2, 5), (7, 16), (4, 12), (0, 4), (4, 4)])
func euclideanRhythmsSpreadTheirPulsesEvenly(pulses: Int, steps: Int) {
    let rhythm = Euclid.rhythm(pulses: pulses, steps: steps)
    #expect(rhythm.count == steps)
    #expect(rhythm.filter { $0 }.count == pulses)
    let onsets = rhythm.indices.filter { rhythm[$0] }
    if onsets.count > 1 {
        let gaps = zip(onsets, onsets.dropFirst() + [onsets[0] + steps]).map { $1 - $0 }
        #expect(gaps.max()! - gaps.min()! <= 1)
    }
    #expect(Euclid.rhythm(pulses: 3, steps: 8) == [true, false, false, true, false, false, true, false])
}

@Test func theLeadAnswersInTheRestsWithTheHumansMaterialInKey() {
    // Two-bar phrases, each followed by two bars of rest.
    var melody: [(Double, Double, Int)] = []
    let figure = [72, 74, 76, 79, 76, 74, 72]
    for phrase in 0..<2 {
        for (k, pitch) in figure.enumerated() { melody.append((Double(phrase * 16 + k), 0.9, pitch)) }
    }
    let document = Fixtures.document(
        [Fixtures.chords(["C", "F", "G", "C", "C", "F", "G", "C"], octave: 3), Fixtures.track("h.melody", melody)], bars: 8)
    let (notes, reading) = part(.lead, .rock, document)
    #expect(!notes.isEmpty)
    for note in notes {
        let beat = Double(note.tick) / Double(Document.ppq)
        #expect((beat >= 7 && beat < 16) || beat >= 23, "the lead plays in the rests, not at beat \(beat)")
        #expect(reading.key.palette.union(reading.chord(atTick: note.tick).pitchClasses).contains(note.pitch))
        #expect(note.pitch >= 70 && note.pitch <= 81, "near the humans' register")
    }
    #expect(onStrongBeats(notes, reading).allSatisfy { $0.1.contains(pitch: $0.0.pitch) })
}

@Test func aMarkovModelContinuesFromItsLongestKnownContext() {
    var model = MarkovModel<Int>(maxOrder: 2)
    model.learn([1, 2, 3, 1, 2, 4])
    var generator = SeededGenerator(seed: 1)
    #expect(model.order(after: [1, 2]) == 2)
    #expect(model.next(after: [4, 3], using: &generator) == 1, "only 1 ever followed 3")
    let afterOneTwo = Set((0..<40).compactMap { _ in model.next(after: [1, 2], using: &generator) })
    #expect(afterOneTwo == [3, 4])
    #expect(MarkovModel<Int>(maxOrder: 2).next(after: [1], using: &generator) == nil)
}

@Test(arguments: [Meter(3, 4), Meter(6, 8), Meter(7, 8), Meter(5, 4), Meter(12, 8), Meter(2, 2)])
func everyPartPlaysInOtherMeters(meter: Meter) {
    let document = song(meter: meter)
    let barTicks = meter.ticksPerBar()
    for role in BandRole.allCases {
        let (notes, reading) = part(role, .bossa, document)
        #expect(role == .lead || !notes.isEmpty)
        #expect(notes.allSatisfy { $0.tick >= 0 && $0.tick < 8 * barTicks })
        if role == .bass || role == .keys {
            #expect(onStrongBeats(notes, reading).allSatisfy { $0.1.contains(pitch: $0.0.pitch) })
        }
    }
}
