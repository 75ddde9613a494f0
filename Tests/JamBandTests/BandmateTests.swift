import JamBand
import JamCore
import Testing

private let human = Fixtures.document(
    [Fixtures.chords(["Dm7", "G7", "Cmaj7", "Cmaj7"], octave: 3),
     Fixtures.track("h.melody", [(0, 1, 74), (1, 1, 77), (2, 2, 81), (4, 2, 77), (6, 1, 74), (8, 3, 76), (12, 2, 72)])],
    bars: 4)

@Test(arguments: BandRole.allCases)
func aBandmateEditsOnlyItsOwnTrack(role: BandRole) throws {
    let bandmate = Bandmate(role: role, style: .funk, seed: 3, track: "c9.part", owner: "c9")
    var random = RandomEdits(seed: 11, site: "h")
    for round in 0..<12 {
        var document = random.document(tracks: 3, notesPerTrack: 0...20)
        document.tracks += human.tracks
        let before = document
        var reading: Reading?
        for pass in 0..<2 {
            let response = bandmate.respond(to: document, after: reading)
            reading = response.reading
            guard let operation = response.operation else { continue }
            #expect(pass == 0, "round \(round): a second answer to the same document changes nothing")
            for component in operation.components {
                switch component {
                case .trackAdd(_, let track): #expect(track.id == "c9.part" && track.owner == "c9" && track.notes.isEmpty)
                case .noteAdd(let track, _), .noteRemove(let track, _): #expect(track == "c9.part")
                default: Issue.record("round \(round): a \(component.type)")
                }
            }
            try document.apply(operation)
        }
        for track in before.tracks { #expect(document[track: track.id] == track) }
    }
}

@Test func noteIDsAreStableValidAndUnique() throws {
    let bandmate = Bandmate(role: .drums, style: .house, seed: 5, track: "c1.drums", owner: "c1")
    let first = bandmate.respond(to: human).operation
    #expect(first == bandmate.respond(to: human).operation, "the same document gives the same operation")
    let document = try human.applying(first!)
    let ids = document[track: "c1.drums"]!.notes.keys
    #expect(ids.allSatisfy { $0.hasPrefix("c1.drums.") && $0.count <= 64 })
    #expect(document.validate().isEmpty)
    let long = Bandmate(role: .bass, style: .rock, track: String(repeating: "x", count: 60), owner: "c1")
    let longIDs = try human.applying(long.respond(to: human).operation!)[track: long.track]!.notes.keys
    #expect(longIDs.allSatisfy { $0.count <= 64 })
}

@Test func anEditInTheLastBarRegeneratesOnlyTheBarsAroundIt() throws {
    let document = Fixtures.document(
        [Fixtures.chords(["C", "F", "G", "C", "Am", "Dm", "G", "C"], octave: 3)], bars: 8)
    for role in [BandRole.bass, .keys, .drums] {
        let bandmate = Bandmate(role: role, style: .rock, seed: 9, track: "ai.part", owner: "ai")
        let played = try document.applying(bandmate.respond(to: document).operation!)
        // The last chord becomes A minor: C E G moves to A C E.
        var edited = played
        let chords = edited.trackIndex("h.chords")!
        let moves = [48: 45, 52: 48, 55: 52]
        for (id, note) in edited.tracks[chords].notes where note.tick >= 7 * 1920 { edited.tracks[chords].notes[id]!.pitch = moves[note.pitch]! }
        let response = bandmate.respond(to: edited)
        if role == .drums {
            #expect(response.operation == nil, "the drums do not follow the harmony")
        } else {
            #expect(response.reading.barSymbols().last == "Am")
            #expect(!response.changedBars.isEmpty)
            #expect(response.changedBars.allSatisfy { $0 >= 6 }, "\(role) changed bars \(response.changedBars)")
        }
    }
}

@Test func theChatLineSaysWhatItHearsOnlyWhenThatChanges() throws {
    let bandmate = Bandmate(role: .bass, style: .swing, track: "ai.bass", owner: "ai")
    let first = bandmate.respond(to: human)
    #expect(first.chat == "C major: Dm7 | G7 | Cmaj7 | Cmaj7 — walking bass, swing")
    let document = try human.applying(first.operation!)
    let second = bandmate.respond(to: document, after: first.reading)
    #expect(second.chat == nil && second.operation == nil)
    var moved = document
    moved.tracks[moved.trackIndex("h.chords")!] = Fixtures.chords(["Em7", "A7", "Dmaj7", "Dmaj7"], octave: 3)
    #expect(bandmate.respond(to: moved, after: second.reading).chat == "D major: Em7 | A7 | Dmaj7 | Dmaj7 — walking bass, swing")
}

@Test func withNothingToFollowItProposesAProgression() throws {
    let empty = Fixtures.document([], bars: 4, key: Key(tonic: "A", mode: "minor"))
    let response = Bandmate(role: .keys, style: .ballad, track: "ai.keys", owner: "ai").respond(to: empty)
    #expect(response.reading.proposed)
    #expect(response.chat?.hasPrefix("Nothing to follow yet, so I propose A minor:") == true)
    let notes = try empty.applying(response.operation!)[track: "ai.keys"]!.notes.values
    #expect(!notes.isEmpty && notes.allSatisfy { response.reading.key.palette.contains($0.pitch) })
}

@Test(arguments: [Style.rock, .house, .ballad])
func bandmatesOfASessionProposeTheSameProgressionWhateverTheirSeeds(style: Style) {
    let empty = Fixtures.document([], bars: 4, key: Key(tonic: "C", mode: "major"))
    let proposals = (0..<8).map { seed in
        Bandmate(role: seed % 2 == 0 ? .bass : .keys, style: style, seed: UInt64(seed), track: "ai\(seed).part", owner: "ai\(seed)")
            .respond(to: empty).reading.barSymbols()
    }
    #expect(Set(proposals).count == 1, "\(proposals)")
}

@Test func bandmatesSharingAnEarHearWhatEachHearsAlone() async throws {
    let ear = BandEar()
    let roles: [BandRole] = [.bass, .keys, .lead]
    let band = roles.map { Bandmate(role: $0, style: .rock, seed: 9, track: "ai.\($0.rawValue)", owner: "ai.\($0.rawValue)", ignoring: Set(roles.map { "ai.\($0.rawValue)" })) }
    var document = human
    for bandmate in band {
        let shared = await bandmate.respond(to: document, ear: ear)
        #expect(shared == bandmate.respond(to: document), "\(bandmate.role)")
        try document.apply(shared.operation!)
    }
    // The humans move: the ear hears them anew rather than repeating its last reading.
    document.tracks[document.trackIndex("h.chords")!] = Fixtures.chords(["Em7", "A7", "Dmaj7", "Dmaj7"], octave: 3)
    for bandmate in band {
        let shared = await bandmate.respond(to: document, ear: ear)
        #expect(shared.reading.barSymbols() == ["Em7", "A7", "Dmaj7", "Dmaj7"])
        #expect(shared == bandmate.respond(to: document))
    }
}

@Test func otherBandmatesTracksAreNotFollowed() throws {
    let keys = Bandmate(role: .keys, style: .rock, track: "ai1.keys", owner: "ai1")
    var document = try human.applying(keys.respond(to: human).operation!)
    // Another bandmate plays in F#: a bass that ignores it hears what it heard before.
    document.tracks.append(Fixtures.chords(["F#", "B", "C#", "F#"], id: "ai2.keys", octave: 4))
    let bass = Bandmate(role: .bass, style: .rock, track: "ai3.bass", owner: "ai3", ignoring: ["ai2.keys"])
    #expect(bass.respond(to: document).reading.barSymbols() == ["Dm7", "G7", "Cmaj7", "Cmaj7"])
    // Tracks of its own owner it never hears.
    let sameOwner = Bandmate(role: .lead, style: .rock, track: "ai1.lead", owner: "ai1")
    #expect(sameOwner.listener.heard(document).pitched.map(\.id) == ["h.chords", "h.melody", "ai2.keys"])
}

@Test func differentSeedsPlayDifferentlyAndTheSameSeedTheSame() {
    func drums(_ seed: UInt64) -> JamCore.Operation? {
        Bandmate(role: .drums, style: .funk, complexity: 0.7, seed: seed, track: "ai.d", owner: "ai").respond(to: human).operation
    }
    #expect(drums(1) == drums(1))
    #expect(drums(1) != drums(2))
}

@Test(arguments: [Meter(1, 1), Meter(2, 2), Meter(7, 16), Meter(13, 8), Meter(9, 8), Meter(32, 32)])
func everyRoleAnswersInAnyMeterWithValidOperations(meter: Meter) throws {
    var document = human
    document.meter = meter
    for (index, role) in BandRole.allCases.enumerated() {
        let bandmate = Bandmate(role: role, style: Style.allCases[index % Style.allCases.count], track: "ai.\(role)", owner: "ai")
        let response = bandmate.respond(to: document)
        var applied = document
        for operation in response.operations(maxComponents: 7) { try applied.apply(operation) }
        #expect(applied == (try document.applying(response.operation ?? [])))
        #expect(applied.validate().isEmpty)
    }
}
