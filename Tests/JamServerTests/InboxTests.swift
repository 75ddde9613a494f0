import JamProtocol
import NIOCore
import Testing

@testable import JamServer

/// What an inbox decides: one drain at a time handles a client's lines in order; the conversation's state
/// passes from one drain to the next; the socket is not read while a backlog waits, and is again once it
/// has gone down.
@Suite struct InboxTests {
    typealias State = InboxState<Int>

    static func line(_ text: String) -> State.Item { .line(ByteBuffer(string: text)) }

    static func describe(_ item: State.Item?) -> String? {
        switch item {
        case .line(let line): String(buffer: line)
        case .failed(let error): error.code.rawValue
        case .closed: "closed"
        case nil: nil
        }
    }

    /// What a drain takes until the inbox is empty, parking `parked`.
    static func drain(_ state: inout State, parking parked: Int) -> [String] {
        var taken: [String] = []
        while let item = describe(state.next(parking: parked).item) { taken.append(item) }
        return taken
    }

    @Test func oneDrainAtATimeInOrder() {
        var state = State(parked: 0)
        var starts = [state.post(Self.line("a")), state.post(Self.line("b"))]
        #expect(starts == [true, false])
        _ = state.unpark()
        let first = Self.describe(state.next(parking: 0).item)
        #expect(first == "a")
        // A line arriving while the drain runs joins it rather than starting another.
        starts = [state.post(Self.line("c"))]
        #expect(starts == [false])
        #expect(Self.drain(&state, parking: 0) == ["b", "c"])
        // The drain has ended: the next line starts a new one.
        starts = [state.post(Self.line("d"))]
        #expect(starts == [true])
    }

    @Test func theConversationPassesFromDrainToDrain() {
        var state = State(parked: 1)
        _ = state.post(Self.line("JOIN"))
        let first = state.unpark()
        #expect(first == 1)
        #expect(Self.drain(&state, parking: 2) == ["JOIN"])
        _ = state.post(Self.line("OP"))
        let second = state.unpark()
        #expect(second == 2)
    }

    @Test func aRefusalAndTheCloseComeAfterTheLinesBeforeThem() {
        var state = State(parked: 0)
        _ = state.post(Self.line("OP"))
        _ = state.post(.failed(ProtocolError(.lineTooLong, "too long")))
        _ = state.post(.closed)
        _ = state.unpark()
        #expect(Self.drain(&state, parking: 0) == ["OP", "line_too_long", "closed"])
    }

    @Test(arguments: [(4, 1), (16, 4), (3, 0)])
    func aBacklogHoldsReadsBackUntilItIsDown(pauseAt: Int, resumeAt: Int) {
        var state = State(parked: 0, pauseAt: pauseAt, resumeAt: resumeAt)
        var allowed: [Bool] = []
        for index in 0..<pauseAt {
            allowed.append(state.mayRead())
            _ = state.post(Self.line("\(index)"))
        }
        allowed.append(state.mayRead())
        #expect(allowed == Array(repeating: true, count: pauseAt) + [false])
        _ = state.unpark()
        // The drain is told once to read again, when no more than `resumeAt` items wait.
        var resumes: [Int] = []
        while true {
            let next = state.next(parking: 0)
            if next.resumeReading { resumes.append(state.waiting) }
            if next.item == nil { break }
        }
        #expect(resumes == [resumeAt])
        let again = state.mayRead()
        #expect(again)
    }

    @Test func noReadWithheldNoResume() {
        var state = State(parked: 0, pauseAt: 4, resumeAt: 1)
        _ = state.post(Self.line("a"))
        _ = state.unpark()
        let resumes = [state.next(parking: 0).resumeReading, state.next(parking: 0).resumeReading]
        #expect(resumes == [false, false])
    }
}
