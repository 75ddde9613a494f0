/// A value of one track field, as carried by `track.set`. The case names the field.
public enum TrackField: Hashable, Sendable {
    case name(String)
    case instrument(Instrument)
    case channel(Int)
    case volume(Int)
    case pan(Int)
    case mute(Bool)
    case solo(Bool)
    case owner(String)

    /// The field's name on the wire.
    public enum Name: String, Hashable, Sendable, Codable, CaseIterable {
        case name, instrument, channel, volume, pan, mute, solo, owner
    }

    public var field: Name {
        switch self {
        case .name: .name
        case .instrument: .instrument
        case .channel: .channel
        case .volume: .volume
        case .pan: .pan
        case .mute: .mute
        case .solo: .solo
        case .owner: .owner
        }
    }
}

extension Track {
    /// The current value of a field.
    public func value(of field: TrackField.Name) -> TrackField {
        switch field {
        case .name: .name(name)
        case .instrument: .instrument(instrument)
        case .channel: .channel(channel)
        case .volume: .volume(volume)
        case .pan: .pan(pan)
        case .mute: .mute(mute)
        case .solo: .solo(solo)
        case .owner: .owner(owner)
        }
    }

    /// Sets the field the value names.
    public mutating func set(_ value: TrackField) {
        switch value {
        case .name(let v): name = v
        case .instrument(let v): instrument = v
        case .channel(let v): channel = v
        case .volume(let v): volume = v
        case .pan(let v): pan = v
        case .mute(let v): mute = v
        case .solo(let v): solo = v
        case .owner(let v): owner = v
        }
    }
}

/// A value of one session field, as carried by `session.set`. The case names the field.
public enum SessionField: Hashable, Sendable {
    case title(String)
    case tempo(Double)
    case meter(Meter)
    case key(Key?)
    case loopBars(Int)

    /// The field's name on the wire.
    public enum Name: String, Hashable, Sendable, Codable, CaseIterable {
        case title, tempo, meter, key, loopBars
    }

    public var field: Name {
        switch self {
        case .title: .title
        case .tempo: .tempo
        case .meter: .meter
        case .key: .key
        case .loopBars: .loopBars
        }
    }
}

extension Document {
    /// The current value of a session field.
    public func value(of field: SessionField.Name) -> SessionField {
        switch field {
        case .title: .title(title)
        case .tempo: .tempo(tempo)
        case .meter: .meter(meter)
        case .key: .key(key)
        case .loopBars: .loopBars(loopBars)
        }
    }

    mutating func set(_ value: SessionField) {
        switch value {
        case .title(let v): title = v
        case .tempo(let v): tempo = v
        case .meter(let v): meter = v
        case .key(let v): key = v
        case .loopBars(let v): loopBars = v
        }
    }
}
