import JamBand
import Testing

@Test(arguments: [("rock", Style.rock), ("Bossa Nova", .bossa), ("bossa-nova", .bossa), ("SWING", .swing), ("jazz", .swing), ("house", .house)])
func stylesParseAsPeopleTypeThem(name: String, style: Style) {
    #expect(Style(name: name) == style)
}

@Test func unknownStylesAreRefused() {
    #expect(Style(name: "polka") == nil)
}
