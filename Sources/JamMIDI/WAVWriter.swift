/// Writes audio as a RIFF WAVE file: 16-bit PCM, little-endian, interleaved channels. The bytes go to a
/// sink in blocks, so a long render is never held in memory twice.
public enum WAVWriter {
    /// The 44-byte header of a canonical PCM WAVE file (`RIFF`, `fmt ` and the `data` chunk's header).
    public static func header(frames: Int, sampleRate: Int, channels: Int = 2) throws(MIDIError) -> [UInt8] {
        let blockAlign = channels * 2
        let dataBytes = frames * blockAlign
        guard dataBytes <= Int(UInt32.max) - 36 else {
            throw MIDIError(code: "render_too_long", message: "\(frames) frames make \(dataBytes) bytes of audio, more than a WAV file holds (4 GiB)")
        }
        var out: [UInt8] = Array("RIFF".utf8)
        out.appendLittleEndian(UInt32(36 + dataBytes))
        out += Array("WAVEfmt ".utf8)
        out.appendLittleEndian(UInt32(16))                      // fmt chunk size
        out.appendLittleEndian(UInt16(1))                       // PCM
        out.appendLittleEndian(UInt16(channels))
        out.appendLittleEndian(UInt32(sampleRate))
        out.appendLittleEndian(UInt32(sampleRate * blockAlign)) // bytes per second
        out.appendLittleEndian(UInt16(blockAlign))
        out.appendLittleEndian(UInt16(16))                      // bits per sample
        out += Array("data".utf8)
        out.appendLittleEndian(UInt32(dataBytes))
        return out
    }

    /// Sends the whole file to `sink`: the header, then the samples in blocks of `blockFrames` frames.
    /// `progress` gets 0…1 after each block. Throws what the sink throws, or a `MIDIError` when the audio
    /// is too long for a WAV file.
    public static func write(
        _ audio: LoopedAudio, blockFrames: Int = 65_536, progress: ((Double) -> Void)? = nil,
        to sink: ([UInt8]) throws -> Void
    ) throws {
        try sink(header(frames: audio.frames, sampleRate: audio.sampleRate))
        var start = 0
        while start < audio.frames {
            let end = min(audio.frames, start + max(1, blockFrames))
            let samples = audio.pcm16(start..<end)
            var bytes = [UInt8]()
            bytes.reserveCapacity(samples.count * 2)
            for sample in samples { bytes.appendLittleEndian(sample) }
            try sink(bytes)
            start = end
            progress?(Double(start) / Double(audio.frames))
        }
    }

    /// The whole file in memory.
    public static func bytes(_ audio: LoopedAudio) throws(MIDIError) -> [UInt8] {
        var out = try header(frames: audio.frames, sampleRate: audio.sampleRate)
        out.reserveCapacity(out.count + audio.frames * 4)
        var start = 0
        while start < audio.frames {
            let end = min(audio.frames, start + 65_536)
            for sample in audio.pcm16(start..<end) { out.appendLittleEndian(sample) }
            start = end
        }
        return out
    }
}

extension Array where Element == UInt8 {
    mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }
}
