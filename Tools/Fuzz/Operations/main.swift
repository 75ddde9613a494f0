import Foundation
import JamProof

#if FUZZING
// Built by Tools/fuzz.sh with -sanitize=fuzzer -DFUZZING: this main hands over to libFuzzer's driver.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzer(
    _ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ body: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

var argc = CommandLine.argc
var argv = CommandLine.unsafeArgv
exit(runFuzzer(&argc, &argv) { data, size in
    _ = FuzzHarness.operations.body(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
    return 0
})
#else
exit(FuzzHarness.operations.replay(arguments: Array(CommandLine.arguments.dropFirst())))
#endif
