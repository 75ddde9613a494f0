import JamCore

/// A variable-order Markov model over symbols: it counts what followed every context of up to
/// `maxOrder` symbols, and continues a sequence from the longest context it has seen (backing off
/// to shorter ones), so that what it makes recombines its material in the material's own idiom.
public struct MarkovModel<Symbol: Hashable & Sendable>: Sendable {
    public let maxOrder: Int
    /// Continuations of each context, with counts, in the order first seen (deterministic sampling).
    private var table: [[Symbol]: [(symbol: Symbol, count: Int)]] = [:]

    public init(maxOrder: Int) {
        self.maxOrder = max(0, maxOrder)
    }

    /// Learns a sequence.
    public mutating func learn(_ sequence: [Symbol]) {
        for (index, symbol) in sequence.enumerated() {
            for order in 0...min(maxOrder, index) {
                let context = Array(sequence[(index - order)..<index])
                var row = table[context] ?? []
                if let k = row.firstIndex(where: { $0.symbol == symbol }) { row[k].count += 1 } else { row.append((symbol, 1)) }
                table[context] = row
            }
        }
    }

    public var isEmpty: Bool { table.isEmpty }

    /// The longest suffix of `history` the model has seen followed by something.
    public func order(after history: [Symbol]) -> Int {
        for order in stride(from: min(maxOrder, history.count), through: 0, by: -1) where table[Array(history.suffix(order))] != nil {
            return order
        }
        return -1
    }

    /// A continuation drawn with the counts of the longest known context; nil when nothing was learnt.
    public func next(after history: [Symbol], using generator: inout SeededGenerator) -> Symbol? {
        let order = order(after: history)
        guard order >= 0, let row = table[Array(history.suffix(order))] else { return nil }
        return row[generator.pick(weights: row.map { Double($0.count) })].symbol
    }
}
