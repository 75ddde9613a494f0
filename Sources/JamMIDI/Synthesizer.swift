import JamCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A small built-in synthesizer: renders a session's loop to stereo audio, so a jam can be heard
/// without a MIDI player.
///
/// Each General MIDI family has a voice — a few oscillators (band-limited saw and square, sines,
/// Karplus–Strong plucks, filtered noise) under an ADSR envelope — and drums are synthesized from sine
/// sweeps and noise per GM drum key. Velocity and volume follow the GM square law, pan is equal-power,
/// mute and solo are honoured. The loop is what plays: notes starting at or after the loop's end are not
/// rendered, and a note sounds for at most one loop. Everything is deterministic (seeded noise).
public struct Synthesizer: Sendable {
    public var sampleRate: Int
    /// The highest sample magnitude of the result: the mix is scaled down to it when louder (−1 dBFS).
    public var ceiling: Float = 0.891
    /// The longest render, in seconds, before `render_too_long`.
    public var maxSeconds: Double = 4 * 3600
    /// The longest loop, in seconds: one loop is held in memory (about 21 MB a minute) before `loop_too_long`.
    public var maxLoopSeconds: Double = 600

    public init(sampleRate: Int = 44_100) {
        self.sampleRate = sampleRate
    }

    /// Renders `loops` repetitions of the document's loop. `progress` is called with 0…1 as notes are
    /// rendered.
    public func render(_ document: Document, loops: Int = 1, progress: ((Double) -> Void)? = nil) throws(MIDIError) -> LoopedAudio {
        guard loops >= 1 else { throw MIDIError(code: "invalid_loops", message: "the number of loops is \(loops); it must be at least 1") }
        guard (8000...192_000).contains(sampleRate) else {
            throw MIDIError(code: "invalid_sample_rate", message: "a sample rate of \(sampleRate) Hz is not 8000…192000")
        }
        let rate = Double(sampleRate)
        let loopTicks = document.loopBars * document.meter.ticksPerBar()
        let secondsPerTick = 60 / (document.tempo * Double(Document.ppq))
        let loopSeconds = Double(loopTicks) * secondsPerTick
        guard loopSeconds <= maxLoopSeconds else {
            throw MIDIError(code: "loop_too_long", message: "the loop lasts \(Int(loopSeconds)) s; the synthesizer renders loops of at most \(Int(maxLoopSeconds)) s")
        }
        guard loopSeconds * Double(loops) <= maxSeconds else {
            throw MIDIError(code: "render_too_long", message: "\(loops) loops of \(Int(loopSeconds)) s are longer than \(Int(maxSeconds)) s")
        }
        let loopFrames = max(1, Int((loopSeconds * rate).rounded()))
        let anySolo = document.tracks.contains { $0.solo }
        let audible = document.tracks.enumerated().filter { !$0.element.mute && (!anySolo || $0.element.solo) }
        let total = max(1, audible.reduce(0) { $0 + $1.element.notes.count })

        var buffer = [Float](repeating: 0, count: 2 * loopFrames)
        var done = 0
        var skipped = 0
        for (trackIndex, track) in audible {
            let trackGain = Float(track.volume * track.volume) / Float(127 * 127)
            let angle = Double(track.pan + 64) / 127 * Double.pi / 2
            let left = Float(cos(angle)) * trackGain
            let right = Float(sin(angle)) * trackGain
            for (noteIndex, note) in track.sortedNotes.enumerated() {
                done += 1
                if done % 64 == 0 { progress?(Double(done) / Double(total)) }
                guard note.tick < loopTicks else {
                    skipped += 1
                    continue
                }
                let start = Int((Double(note.tick) * secondsPerTick * rate).rounded())
                let held = Double(min(note.duration, loopTicks)) * secondsPerTick
                let velocity = Float(note.velocity * note.velocity) / Float(127 * 127)
                let seed = UInt32(truncatingIfNeeded: (trackIndex &* 7919) &+ noteIndex &* 104_729 &+ note.pitch) | 1
                let mono: [Float]
                switch track.instrument {
                case .drums: mono = Drums.render(key: note.pitch, rate: rate, seed: seed)
                case .program(let program): mono = Voice(family: GeneralMIDI.Family(program: program)).render(pitch: note.pitch, held: held, rate: rate, seed: seed)
                }
                let needed = 2 * (start + mono.count)
                if needed > buffer.count { buffer += [Float](repeating: 0, count: needed - buffer.count) }
                let l = left * velocity * Self.voiceGain
                let r = right * velocity * Self.voiceGain
                buffer.withUnsafeMutableBufferPointer { out in
                    var o = 2 * start
                    for sample in mono {
                        out[o] += sample * l
                        out[o + 1] += sample * r
                        o += 2
                    }
                }
            }
        }
        progress?(1)
        var audio = LoopedAudio(sampleRate: sampleRate, loopFrames: loopFrames, loops: loops, voice: buffer, skippedNotes: skipped)
        let peak = audio.rawPeak()
        audio.gain = peak > ceiling ? ceiling / peak : 1
        return audio
    }

    /// Every voice's level before velocity, volume and pan: leaves headroom for a few voices at once.
    static let voiceGain: Float = 0.5
}

/// A rendered session: one loop's sound, with the tails that ring past its end, played `loops` times
/// back to back (each repetition's tail overlapping the next).
public struct LoopedAudio: Sendable {
    public var sampleRate: Int
    /// Frames in one loop.
    public var loopFrames: Int
    public var loops: Int
    /// One loop's sound, stereo interleaved; may be longer than a loop.
    var voice: [Float]
    /// The scale applied to every sample (≤ 1) so the peak stays under the ceiling.
    public var gain: Float = 1
    /// Notes not rendered because they start at or after the loop's end.
    public var skippedNotes: Int

    init(sampleRate: Int, loopFrames: Int, loops: Int, voice: [Float], skippedNotes: Int) {
        self.sampleRate = sampleRate
        self.loopFrames = loopFrames
        self.loops = loops
        self.voice = voice
        self.skippedNotes = skippedNotes
    }

    var voiceFrames: Int { voice.count / 2 }

    /// Frames of the whole rendering: the loops and the last one's tail.
    public var frames: Int { loops * loopFrames + max(0, voiceFrames - loopFrames) }

    public var seconds: Double { Double(frames) / Double(sampleRate) }

    /// The stereo frame at `t` before the gain: the overlapping repetitions summed.
    @inline(__always)
    func frame(_ t: Int) -> (Float, Float) {
        var left: Float = 0
        var right: Float = 0
        var k = min(loops - 1, t / loopFrames)
        while k >= 0 {
            let i = t - k * loopFrames
            if i >= voiceFrames { break }
            left += voice[2 * i]
            right += voice[2 * i + 1]
            k -= 1
        }
        return (left, right)
    }

    /// The largest magnitude before the gain. Repetitions between the first few and the last few sound
    /// the same, so only those are examined.
    func rawPeak() -> Float {
        let overlap = (voiceFrames + loopFrames - 1) / loopFrames
        var peak: Float = 0
        let late = loops - 1
        for range in [0..<min(overlap + 1, late), late..<(loops + overlap)] {
            for repetition in range {
                let start = repetition * loopFrames
                guard start < frames else { break }
                for t in start..<min(start + loopFrames, frames) {
                    let (l, r) = frame(t)
                    peak = max(peak, abs(l), abs(r))
                }
            }
        }
        return peak
    }

    /// Frames `range` as interleaved 16-bit samples, the gain applied.
    public func pcm16(_ range: Range<Int>) -> [Int16] {
        var out = [Int16]()
        out.reserveCapacity(2 * range.count)
        for t in range {
            let (l, r) = frame(t)
            out.append(Self.sample(l * gain))
            out.append(Self.sample(r * gain))
        }
        return out
    }

    /// The peak after the gain, 0…1.
    public var peak: Float { rawPeak() * gain }

    @inline(__always)
    static func sample(_ x: Float) -> Int16 {
        Int16(max(-32767, min(32767, (x * 32767).rounded())))
    }
}

/// A small deterministic noise source (xorshift32), −1…1.
struct Noise {
    var state: UInt32

    init(seed: UInt32) {
        state = seed == 0 ? 0x9E37_79B9 : seed
    }

    @inline(__always)
    mutating func next() -> Float {
        state ^= state << 13
        state ^= state >> 17
        state ^= state << 5
        return Float(Int32(bitPattern: state)) / Float(Int32.max)
    }
}

/// One-pole low-pass filter.
struct LowPass {
    var a: Float
    var y: Float = 0

    init(cutoff: Double, rate: Double) {
        a = Float(1 - exp(-2 * Double.pi * min(cutoff, rate * 0.45) / rate))
    }

    @inline(__always)
    mutating func next(_ x: Float) -> Float {
        y += a * (x - y)
        return y
    }
}

/// Attack, decay to sustain, release after the note ends; times in seconds. Linear attack and release,
/// exponential decay.
struct Envelope {
    var attack: Double
    var decay: Double
    var sustain: Double
    var release: Double

    @inline(__always)
    func level(_ t: Double, held: Double) -> Double {
        if t >= held { return level(held, held: .infinity) * max(0, 1 - (t - held) / release) }
        if t < attack { return t / attack }
        return sustain + (1 - sustain) * exp(-(t - attack) / decay)
    }
}

/// The voice of a GM family.
struct Voice {
    var family: GeneralMIDI.Family

    var envelope: Envelope {
        switch family {
        case .piano: Envelope(attack: 0.003, decay: 1.1, sustain: 0, release: 0.25)
        case .chromaticPercussion: Envelope(attack: 0.002, decay: 0.6, sustain: 0, release: 0.5)
        case .organ: Envelope(attack: 0.01, decay: 1, sustain: 1, release: 0.06)
        case .guitar, .ethnic: Envelope(attack: 0.002, decay: 10, sustain: 1, release: 0.1)
        case .bass: Envelope(attack: 0.005, decay: 0.3, sustain: 0.7, release: 0.08)
        case .strings: Envelope(attack: 0.12, decay: 1, sustain: 1, release: 0.3)
        case .ensemble: Envelope(attack: 0.2, decay: 1, sustain: 1, release: 0.4)
        case .brass: Envelope(attack: 0.04, decay: 0.4, sustain: 0.8, release: 0.1)
        case .reed: Envelope(attack: 0.03, decay: 0.5, sustain: 0.9, release: 0.08)
        case .pipe: Envelope(attack: 0.06, decay: 0.5, sustain: 0.9, release: 0.1)
        case .synthLead: Envelope(attack: 0.005, decay: 0.3, sustain: 0.8, release: 0.05)
        case .synthPad: Envelope(attack: 0.4, decay: 1, sustain: 1, release: 0.8)
        case .synthEffects: Envelope(attack: 0.2, decay: 1, sustain: 0.8, release: 0.8)
        case .percussive: Envelope(attack: 0.001, decay: 0.2, sustain: 0, release: 0.1)
        case .soundEffects: Envelope(attack: 0.01, decay: 0.5, sustain: 0.6, release: 0.2)
        }
    }

    /// The note's sound, mono, from its start to the end of its release.
    func render(pitch: Int, held: Double, rate: Double, seed: UInt32) -> [Float] {
        let env = envelope
        // Sounds that decay to nothing stop when they are inaudible, not at the note's end.
        let audible = env.sustain == 0 ? min(held, env.attack + 6 * env.decay) : held
        let count = Int(((audible + env.release) * rate).rounded(.up))
        let f = 440 * pow(2, Double(pitch - 69) / 12)
        let dt = f / rate
        var out = [Float](repeating: 0, count: count)
        var noise = Noise(seed: seed)
        var phase = [0.0, 0.0, 0.0]
        var filter = LowPass(cutoff: min(8000, 6 * f + 800), rate: rate)
        var pluck = Pluck(frequency: f, rate: rate, noise: &noise)
        let harmonics = (1...5).filter { Double($0) * dt < 0.45 }
        var partials = harmonics.map { 1 / pow(Double($0), 1.4) }
        let partialDecay = harmonics.map { exp(-Double($0) * 1.5 / rate) }
        for n in 0..<count {
            let t = Double(n) / rate
            let level = Float(env.level(t, held: audible))
            var x: Float
            switch family {
            case .piano:
                // Harmonics that fade faster the higher they are.
                var sum = 0.0
                for k in partials.indices {
                    sum += sin(2 * Double.pi * Double(k + 1) * f * t) * partials[k]
                    partials[k] *= partialDecay[k]
                }
                x = Float(sum) * 0.8
            case .chromaticPercussion:
                x = Float(sin(2 * Double.pi * f * t) + 0.4 * sin(2 * Double.pi * 2.76 * f * t) * exp(-t * 6) + 0.2 * sin(2 * Double.pi * 5.4 * f * t) * exp(-t * 12))
                x *= 0.7
            case .organ:
                x = Float(0.5 * sin(2 * Double.pi * f * t) + 0.3 * sin(4 * Double.pi * f * t) + 0.15 * sin(6 * Double.pi * f * t) + 0.08 * sin(8 * Double.pi * f * t))
            case .guitar, .ethnic:
                x = pluck.next()
            case .bass:
                x = Float(0.7 * sin(2 * Double.pi * f * t) + 0.25 * sin(4 * Double.pi * f * t) + 0.1 * sin(6 * Double.pi * f * t))
            case .strings:
                let vibrato = 1 + 0.003 * sin(2 * Double.pi * 5 * t) * min(1, t / 0.3)
                x = filter.next(Float(Oscillator.saw(&phase[0], dt * vibrato))) * 0.6
            case .ensemble:
                x = filter.next(Float(Oscillator.saw(&phase[0], dt * 1.004) + Oscillator.saw(&phase[1], dt * 0.996))) * 0.35
            case .brass:
                x = filter.next(Float(Oscillator.saw(&phase[0], dt))) * 0.6
            case .reed:
                x = filter.next(Float(Oscillator.square(&phase[0], dt))) * 0.45
            case .pipe:
                x = Float(0.7 * sin(2 * Double.pi * f * t) + 0.1 * sin(4 * Double.pi * f * t)) + 0.04 * noise.next()
            case .synthLead:
                x = Float(0.5 * Oscillator.square(&phase[0], dt) + 0.3 * Oscillator.saw(&phase[1], dt * 1.002)) * 0.6
            case .synthPad:
                x = Float(Oscillator.triangle(&phase[0], dt) + Oscillator.triangle(&phase[1], dt * 1.005) + Oscillator.triangle(&phase[2], dt * 0.995)) * 0.25
            case .synthEffects:
                x = Float(sin(2 * Double.pi * f * t + 2 * sin(2 * Double.pi * 0.7 * t))) * 0.5 + 0.05 * noise.next()
            case .percussive:
                x = Float(sin(2 * Double.pi * f * t * (1 + exp(-t * 30))))
            case .soundEffects:
                x = filter.next(noise.next()) * 0.8
            }
            out[n] = x * level
        }
        return out
    }
}

/// Band-limited (polyBLEP) oscillators over a phase 0…1 advanced by `dt` cycles a sample.
enum Oscillator {
    @inline(__always)
    static func blep(_ t: Double, _ dt: Double) -> Double {
        if t < dt {
            let x = t / dt
            return x + x - x * x - 1
        }
        if t > 1 - dt {
            let x = (t - 1) / dt
            return x * x + x + x + 1
        }
        return 0
    }

    @inline(__always)
    static func advance(_ phase: inout Double, _ dt: Double) -> Double {
        let t = phase
        phase += dt
        if phase >= 1 { phase -= 1 }
        return t
    }

    static func saw(_ phase: inout Double, _ dt: Double) -> Double {
        let t = advance(&phase, dt)
        return 2 * t - 1 - blep(t, dt)
    }

    static func square(_ phase: inout Double, _ dt: Double) -> Double {
        let t = advance(&phase, dt)
        var half = t + 0.5
        if half >= 1 { half -= 1 }
        return (t < 0.5 ? 1 : -1) + blep(t, dt) - blep(half, dt)
    }

    static func triangle(_ phase: inout Double, _ dt: Double) -> Double {
        let t = advance(&phase, dt)
        return 1 - 4 * abs(t - 0.5)
    }
}

/// Karplus–Strong plucked string: a noise burst circulating in a delay line through an averaging filter.
struct Pluck {
    var line: [Float]
    var index = 0
    let damping: Float

    init(frequency: Double, rate: Double, noise: inout Noise) {
        let length = max(2, Int((rate / frequency).rounded()))
        var smooth = LowPass(cutoff: 4000, rate: rate)
        line = (0..<length).map { _ in smooth.next(noise.next()) }
        // Lower strings ring longer, as real ones do.
        damping = Float(0.996 - min(0.02, frequency / 200_000))
    }

    @inline(__always)
    mutating func next() -> Float {
        let next = index + 1 == line.count ? 0 : index + 1
        let out = line[index]
        line[index] = (out + line[next]) * 0.5 * damping
        index = next
        return out * 1.6
    }
}

/// One-shot drum sounds for GM drum keys.
enum Drums {
    static func render(key: Int, rate: Double, seed: UInt32) -> [Float] {
        var noise = Noise(seed: seed)
        func shot(_ seconds: Double, _ body: (Double, inout Noise) -> Float) -> [Float] {
            let count = Int(seconds * rate)
            var out = [Float](repeating: 0, count: count)
            for n in 0..<count {
                let t = Double(n) / rate
                // A 2 ms fade-out at the end, so nothing stops with a click.
                let fade = Float(min(1, (seconds - t) / 0.002))
                out[n] = body(t, &noise) * fade
            }
            return out
        }
        var high = LowPass(cutoff: 7000, rate: rate)
        var mid = LowPass(cutoff: 3000, rate: rate)
        switch key {
        case 35, 36:
            var phase = 0.0
            return shot(0.5) { t, noise in
                phase += (50 + 110 * exp(-t / 0.04)) / rate
                let click = t < 0.003 ? noise.next() * 0.3 : 0
                return Float(sin(2 * Double.pi * phase) * exp(-t / 0.18)) + click
            }
        case 38, 40:
            return shot(0.35) { t, noise in
                let tone = sin(2 * Double.pi * 185 * t) * exp(-t / 0.06) * 0.5
                let x = noise.next()
                return Float(tone) + (x - mid.next(x)) * Float(exp(-t / 0.1)) * 0.7
            }
        case 37:
            return shot(0.1) { t, noise in
                Float(sin(2 * Double.pi * 420 * t) * exp(-t / 0.015)) * 0.6 + noise.next() * Float(exp(-t / 0.008)) * 0.4
            }
        case 39:
            return shot(0.3) { t, noise in
                let burst = [0.0, 0.011, 0.022].contains { t >= $0 && t < $0 + 0.008 } ? 1.0 : exp(-max(0, t - 0.03) / 0.08)
                let x = noise.next()
                return (x - mid.next(x)) * Float(burst) * 0.7
            }
        case 42, 44:
            return shot(0.12) { t, noise in
                let x = noise.next()
                return (x - high.next(x)) * Float(exp(-t / 0.025)) * 0.5
            }
        case 46:
            return shot(0.6) { t, noise in
                let x = noise.next()
                return (x - high.next(x)) * Float(exp(-t / 0.2)) * 0.45
            }
        case 41, 43, 45, 47, 48, 50:
            let base = 70 + Double(key - 41) * 16
            var phase = 0.0
            return shot(0.6) { t, _ in
                phase += base * (1 + 0.5 * exp(-t / 0.05)) / rate
                return Float(sin(2 * Double.pi * phase) * exp(-t / 0.2)) * 0.8
            }
        case 49, 52, 55, 57:
            let decay = key == 55 ? 0.35 : 0.8
            return shot(decay * 2.5) { t, noise in
                let x = noise.next()
                return (x - mid.next(x)) * Float(exp(-t / decay)) * 0.4
            }
        case 51, 53, 59:
            return shot(1.2) { t, noise in
                let x = noise.next()
                let metal = sin(2 * Double.pi * 3200 * t) + sin(2 * Double.pi * 4570 * t) + sin(2 * Double.pi * 5990 * t)
                return ((x - high.next(x)) * 0.25 + Float(metal) * 0.05) * Float(exp(-t / 0.45))
            }
        case 56:
            var low = 0.0
            var upper = 0.0
            return shot(0.3) { t, _ in
                Float((Oscillator.square(&low, 540 / rate) + Oscillator.square(&upper, 800 / rate)) * exp(-t / 0.07)) * 0.25
            }
        default:
            let f = 200 * pow(2, Double(key - 60) / 12)
            return shot(0.25) { t, noise in
                let x = noise.next()
                return Float(sin(2 * Double.pi * f * 2 * t) * exp(-t / 0.05)) * 0.4 + (x - mid.next(x)) * Float(exp(-t / 0.04)) * 0.3
            }
        }
    }
}
