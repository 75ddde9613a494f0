/// The General MIDI percussion keys the drummer uses (channel 10; Jam tracks number it 9).
public enum GMDrum: Int, CaseIterable, Sendable {
    case kick = 36
    case sideStick = 37
    case snare = 38
    case clap = 39
    case floorTom = 43
    case closedHat = 42
    case pedalHat = 44
    case lowTom = 45
    case openHat = 46
    case midTom = 47
    case crash = 49
    case highTom = 50
    case ride = 51
    case shaker = 70

    /// The General MIDI percussion map covers keys 35–81.
    public static let mapRange = 35...81
}
