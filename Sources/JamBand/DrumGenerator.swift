import JamCore

/// Plays the drums: a template for each style made of a pattern for each kind of beat (downbeat,
/// strong, backbeat, weak) with weighted variations, Euclidean-rhythm fills on the toms at the end of
/// every four-bar phrase, a crash after them, swing where the style has it, humanised timing and
/// velocity.
public struct DrumGenerator: Sendable {
    public init() {}

    /// What a beat is to the drummer.
    enum BeatRole: Hashable {
        case down, strong, back, weak
    }

    /// A hit of a template: which drum, where in the beat, how hard, and how likely.
    struct Hit {
        var drum: GMDrum
        var at: Double
        var velocity: Int
        var chance: Double
    }

    static func roles(_ grid: BeatGrid) -> [BeatRole] {
        var roles: [BeatRole] = []
        for (index, beat) in grid.beats.enumerated() {
            if index == 0 { roles.append(.down) }
            else if beat.strength == 1 && grid.beatsPerBar > 2 { roles.append(.strong) }
            else if roles.last == .down || roles.last == .strong { roles.append(.back) }
            else { roles.append(.weak) }
        }
        return roles
    }

    /// The template cell of one beat in a style.
    func cell(_ style: Style, _ role: BeatRole, density d: Double, complexity x: Double) -> [Hit] {
        let sixteenths = max(0, min(1, 2 * (d - 0.5)))
        switch style {
        case .rock:
            var hits = [Hit(drum: .closedHat, at: 0, velocity: 84, chance: 1), Hit(drum: .closedHat, at: 0.5, velocity: 64, chance: 0.6 + 0.4 * d),
                        Hit(drum: .closedHat, at: 0.25, velocity: 48, chance: sixteenths), Hit(drum: .closedHat, at: 0.75, velocity: 48, chance: sixteenths)]
            switch role {
            case .down: hits += [Hit(drum: .kick, at: 0, velocity: 106, chance: 1), Hit(drum: .kick, at: 0.5, velocity: 84, chance: 0.25 * x)]
            case .strong: hits += [Hit(drum: .kick, at: 0, velocity: 100, chance: 1), Hit(drum: .kick, at: 0.5, velocity: 88, chance: 0.3 + 0.3 * x)]
            case .back: hits += [Hit(drum: .snare, at: 0, velocity: 110, chance: 1), Hit(drum: .kick, at: 0.75, velocity: 76, chance: 0.15 * x)]
            case .weak: hits += [Hit(drum: .kick, at: 0, velocity: 90, chance: 0.5), Hit(drum: .snare, at: 0.5, velocity: 44, chance: 0.3 * x)]
            }
            return hits
        case .funk:
            var hits = [Hit(drum: .closedHat, at: 0, velocity: 92, chance: 1), Hit(drum: .closedHat, at: 0.5, velocity: 76, chance: 1),
                        Hit(drum: .closedHat, at: 0.25, velocity: 54, chance: 0.4 + 0.6 * d), Hit(drum: .closedHat, at: 0.75, velocity: 54, chance: 0.4 + 0.6 * d)]
            switch role {
            case .down: hits += [Hit(drum: .kick, at: 0, velocity: 112, chance: 1), Hit(drum: .kick, at: 0.75, velocity: 86, chance: 0.4 + 0.3 * x)]
            case .strong: hits += [Hit(drum: .kick, at: 0.5, velocity: 96, chance: 0.8), Hit(drum: .kick, at: 0, velocity: 90, chance: 0.35)]
            case .back:
                hits += [Hit(drum: .snare, at: 0, velocity: 116, chance: 1), Hit(drum: .snare, at: 0.25, velocity: 38, chance: 0.5 * x),
                         Hit(drum: .snare, at: 0.75, velocity: 40, chance: 0.5 * x)]
            case .weak: hits += [Hit(drum: .kick, at: 0.75, velocity: 84, chance: 0.4), Hit(drum: .snare, at: 0.5, velocity: 40, chance: 0.3 * x)]
            }
            return hits
        case .swing:
            var hits = [Hit(drum: .ride, at: 0, velocity: 86, chance: 1)]
            switch role {
            case .down, .strong: hits += [Hit(drum: .kick, at: 0, velocity: 38, chance: d)]
            case .back, .weak:
                hits += [Hit(drum: .ride, at: 0.5, velocity: 62, chance: 0.85), Hit(drum: .pedalHat, at: 0, velocity: 72, chance: 1)]
            }
            hits.append(Hit(drum: .snare, at: 0.5, velocity: 46, chance: 0.25 * x))
            return hits
        case .bossa:
            var hits = [Hit(drum: .closedHat, at: 0, velocity: 72, chance: 1), Hit(drum: .closedHat, at: 0.5, velocity: 54, chance: 1)]
            switch role {
            case .down: hits += [Hit(drum: .kick, at: 0, velocity: 96, chance: 1)]
            case .strong: hits += [Hit(drum: .kick, at: 0, velocity: 90, chance: 1)]
            case .back: hits += [Hit(drum: .kick, at: 0.5, velocity: 80, chance: 0.9), Hit(drum: .kick, at: 0, velocity: 60, chance: 0.3 * d)]
            case .weak: hits += [Hit(drum: .kick, at: 0.5, velocity: 76, chance: 0.6)]
            }
            return hits
        case .ballad:
            var hits = [Hit(drum: .closedHat, at: 0, velocity: 56, chance: 1), Hit(drum: .closedHat, at: 0.5, velocity: 40, chance: 0.5 + 0.5 * d)]
            switch role {
            case .down: hits += [Hit(drum: .kick, at: 0, velocity: 86, chance: 1)]
            case .strong: hits += [Hit(drum: .kick, at: 0.5, velocity: 62, chance: 0.3 * x), Hit(drum: .kick, at: 0, velocity: 70, chance: 0.5)]
            case .back: hits += [Hit(drum: .sideStick, at: 0, velocity: 74, chance: 1)]
            case .weak: hits += [Hit(drum: .kick, at: 0.5, velocity: 58, chance: 0.2 * x)]
            }
            return hits
        case .house:
            var hits = [Hit(drum: .kick, at: 0, velocity: 116, chance: 1), Hit(drum: .openHat, at: 0.5, velocity: 86, chance: 1),
                        Hit(drum: .closedHat, at: 0.25, velocity: 50, chance: d), Hit(drum: .closedHat, at: 0.75, velocity: 50, chance: d)]
            if role == .back || role == .weak { hits.append(Hit(drum: .clap, at: 0, velocity: 104, chance: role == .back ? 1 : 0.2 * x)) }
            hits.append(Hit(drum: .shaker, at: 0.75, velocity: 40, chance: 0.4 * x))
            return hits
        }
    }

    /// The bossa nova's two-bar cross-stick figure (a 3-2 clave) in bars of four beats: beat and fraction.
    static let bossaClave: [[Double]] = [[0, 1.5, 3], [1, 2.5]]

    public func notes(for c: BarContext) -> [PlayedNote] {
        var random = c.random(0xD2)
        let roles = Self.roles(c.grid)
        let perBar = c.grid.beatsPerBar
        // A fill takes the last beat, or two with complexity, of a phrase's last bar.
        let fillBeats = c.endsPhrase && perBar > 1 ? (c.complexity >= 0.5 && perBar >= 3 ? 2 : 1) : 0
        let fillStart = perBar - fillBeats
        var hits: [(tick: Int, drum: GMDrum, velocity: Int)] = []
        for beat in 0..<fillStart {
            for hit in cell(c.style, roles[beat], density: c.density, complexity: c.complexity) where random.chance(hit.chance) {
                hits.append((c.tick(beat: beat, fraction: hit.at), hit.drum, hit.velocity))
            }
        }
        if c.style == .bossa {
            if perBar == 4 {
                for position in Self.bossaClave[c.bar % 2] where Int(position) < fillStart {
                    hits.append((c.tick(beat: Int(position), fraction: position - position.rounded(.down)), .sideStick, 78))
                }
            } else {
                for beat in 0..<fillStart where roles[beat] == .back { hits.append((c.tick(beat: beat), .sideStick, 78)) }
            }
        }
        if c.phrasePosition == 0 && c.bar > 0 {
            hits.removeAll { $0.tick == c.start && ($0.drum == .closedHat || $0.drum == .ride || $0.drum == .openHat) }
            hits.append((c.start, .crash, 104))
        }
        if fillBeats > 0 { hits += fill(c, from: fillStart, &random) }

        var seen = Set<Int>()
        var notes: [PlayedNote] = []
        for hit in hits.sorted(by: { ($0.tick, $0.drum.rawValue) < ($1.tick, $1.drum.rawValue) }) where seen.insert(hit.tick * 128 + hit.drum.rawValue).inserted {
            notes.append(PlayedNote(tick: hit.tick, duration: 60, pitch: hit.drum.rawValue, velocity: hit.velocity))
        }
        return Humanizer.drums(c.style).apply(notes, floor: c.start, using: &random)
    }

    /// A Euclidean fill over the beats from `start` to the bar's end: snare, then the toms from high
    /// to low, getting louder, with the kick under its first hit.
    func fill(_ c: BarContext, from start: Int, _ random: inout SeededGenerator) -> [(tick: Int, drum: GMDrum, velocity: Int)] {
        var positions: [Int] = []
        for beat in start..<c.grid.beatsPerBar {
            let parts = c.grid.beats[beat].subdivisions
            for k in 0..<parts { positions.append(c.tick(beat: beat, fraction: Double(k) / Double(parts))) }
        }
        let steps = positions.count
        let pulses = max(2, Int((Double(steps) * (0.4 + 0.45 * c.complexity)).rounded()))
        let pattern = Euclid.rhythm(pulses: pulses, steps: steps, rotation: Int(random.next() % UInt64(max(1, steps))))
        let voices: [GMDrum] = [.snare, .highTom, .midTom, .lowTom, .floorTom]
        var hits: [(tick: Int, drum: GMDrum, velocity: Int)] = [(positions[0], .kick, 100)]
        for (step, on) in pattern.enumerated() where on {
            let voice = voices[min(voices.count - 1, step * voices.count / steps)]
            hits.append((positions[step], voice, 84 + 30 * step / max(1, steps - 1)))
        }
        return hits
    }
}
