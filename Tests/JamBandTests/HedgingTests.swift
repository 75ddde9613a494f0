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
