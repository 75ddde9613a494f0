import Testing

@testable import jam_load

/// Deliveries meet their send times whichever comes first, and nothing stays behind.
@Suite struct DeliveryClockTests {
    @Test func deliveriesAfterTheSend() {
        let clock = DeliveryClock(receivers: 2)
        #expect(clock.sent(5, at: 100).isEmpty)
        #expect(clock.delivered(5, .init(time: 150, bytes: 10)) == 100)
        #expect(clock.outstanding == 1)
        #expect(clock.delivered(5, .init(time: 170, bytes: 10)) == 100)
        #expect(clock.outstanding == 0)
    }

    @Test func deliveriesBeforeTheAuthorLearnsItsRevision() {
        let clock = DeliveryClock(receivers: 3)
        #expect(clock.delivered(9, .init(time: 210, bytes: 7)) == nil)
        #expect(clock.delivered(9, .init(time: 220, bytes: 8)) == nil)
        let early = clock.sent(9, at: 200)
        #expect(early.map(\.time) == [210, 220])
        #expect(early.map(\.bytes) == [7, 8])
        #expect(clock.delivered(9, .init(time: 230, bytes: 9)) == 200)
        #expect(clock.outstanding == 0)
    }

    @Test func allDeliveredBeforeTheSend() {
        let clock = DeliveryClock(receivers: 1)
        #expect(clock.delivered(1, .init(time: 20, bytes: 1)) == nil)
        #expect(clock.sent(1, at: 10).count == 1)
        #expect(clock.outstanding == 0)
    }

    @Test func aLoneClientKeepsNothing() {
        let clock = DeliveryClock(receivers: 0)
        #expect(clock.sent(1, at: 10).isEmpty)
        #expect(clock.outstanding == 0)
    }
}

/// Only operations sent in the measured window count; a paced run corrects for coordinated omission.
@Suite struct RecorderTests {
    @Test func theWindowDecides() {
        let recorder = Recorder()
        var plan = RunPlan(rate: 0, warmup: 0, duration: 1)
        (plan.start, plan.measureFrom, plan.end) = (1_000, 2_000, 10_000)
        recorder.begin(plan)
        for sentAt: UInt64 in [1_500, 2_000, 9_999, 10_000] {
            recorder.submitted(at: sentAt)
            recorder.acknowledged(sentAt: sentAt, now: sentAt + 3_000)
            recorder.delivered(sentAt: sentAt, .init(time: sentAt + 4_000, bytes: 100))
        }
        let stats = recorder.stats
        #expect(stats.submitted == 2)
        #expect(stats.acknowledged == 2)
        #expect(stats.delivered == 2)
        #expect(stats.deliveredBytes == 200)
        #expect(stats.ack.totalCount == 2)
        #expect(stats.lastEvent == 9_999 + 4_000)
    }

    @Test func pacedRunsCountTheSendsAStallHeldBack() {
        let recorder = Recorder()
        var plan = RunPlan(rate: 1000, warmup: 0, duration: 1)
        (plan.start, plan.measureFrom, plan.end) = (0, 0, 1_000_000_000)
        recorder.begin(plan)
        // A 10 ms stall at one send a millisecond: the nine sends behind it waited too.
        recorder.acknowledged(sentAt: 1_000, now: 10_001_000)
        let stats = recorder.stats
        #expect(stats.acknowledged == 1)
        #expect(stats.ack.totalCount == 10)
    }
}
