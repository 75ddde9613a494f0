@testable import JamBand
import Testing

@Test(arguments: [(0.95, 0), (0.8, 4), (0.5, 4)])
func anUnsureBassRestsOnTheToneTheLikelyChordsShare(rootSupport: Double, anchor: Int) {
    // C major heard, E minor (or A minor) nearly as likely: E is in all of them; the root C as sure as given.
    var support = [Double](repeating: 0, count: 12)
    support[0] = rootSupport
    support[4] = 1
    support[7] = 0.5
    support[9] = 0.4
    let span = BarContext.Span(beat: 0, beats: 4, chord: Chord(root: 0, quality: .major), support: support)
    #expect(BassGenerator.anchor(span) == anchor)
}

/// Support for the candidates C major and A minor with the given probability of C: C and E are in both.
private func cOrAMinor(_ c: Double) -> BarContext.Span {
    var support = [Double](repeating: 0, count: 12)
    support[0] = 1
    support[4] = 1
    support[7] = c
    support[9] = 1 - c
    return BarContext.Span(beat: 0, beats: 4, chord: Chord(root: 0, quality: .major), support: support)
}

@Test(arguments: [(0.95, [0, 4, 7]), (0.8, [0, 4, 7]), (0.7, [0, 4]), (0.55, [0, 4])])
func unsureKeysPlayTheShellTheLikelyChordsShare(c: Double, tones: [Int]) {
    // Sure of C, the keys voice the triad; unsure between C and Am, the shared C–E without G.
    #expect(KeysGenerator.tones(for: cOrAMinor(c)).sorted() == tones)
}

@Test func anUnsureFifthLeavesASeventhChordItsShell() {
    // G7, the fifth D 70% likely: root, third and seventh (G–B–F) remain.
    var support = [Double](repeating: 0, count: 12)
    support[7] = 1
    support[11] = 0.9
    support[2] = 0.7
    support[5] = 0.8
    let span = BarContext.Span(beat: 0, beats: 4, chord: Chord(root: 7, quality: .dominant7), support: support)
    #expect(KeysGenerator.tones(for: span).sorted() == [5, 7, 11])
}

@Test func aDiminishedFifthIsKeptAndTwoTonesAlwaysSound() {
    // B diminished: its fifth F is what makes it diminished, kept even when unsure.
    var support = [Double](repeating: 0, count: 12)
    support[11] = 0.9
    support[2] = 0.9
    support[5] = 0.7
    let diminished = BarContext.Span(beat: 0, beats: 1, chord: Chord(root: 11, quality: .diminished), support: support)
    #expect(KeysGenerator.tones(for: diminished).sorted() == [2, 5, 11])
    // A fifth among the two likeliest tones stays, so the keys never fall below a dyad.
    var thin = [Double](repeating: 0, count: 12)
    thin[0] = 0.5
    thin[4] = 0.4
    thin[7] = 0.7
    let dyad = BarContext.Span(beat: 0, beats: 1, chord: Chord(root: 0, quality: .major), support: thin)
    #expect(KeysGenerator.tones(for: dyad).sorted() == [0, 7])
}
